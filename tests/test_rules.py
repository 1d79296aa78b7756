"""Rule sets as data: the built-in files, a user's edited copy, bad files, and `shenhe rules`."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rules import (
    CHECK_OUTCOMES,
    RULES_DIR,
    RuleSetError,
    builtin_rulesets,
    diff_rulesets,
    load_ruleset,
)
from shenhe.cli import app

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
# The rule ids interface.md fixes for each measure, in its order.
RULE_IDS = {
    "hubei-yanxuan": ["legal_entity", "operating_years", "registered_capital", "fulltime_staff", "qualified_staff_ratio",
                      "premises_area", "smes_served", "satisfaction", "public_service_ratio", "partner_institutions",
                      "credit_record", "credit_evidence", "materials_complete"],
    "changzhi-shifan": ["legal_entity", "operating_years", "total_assets", "smes_served", "smes_served_growth",
                        "satisfaction", "premises", "partner_institutions", "public_service_ratio", "service_staff",
                        "qualified_staff_ratio", "function_requirement", "materials_complete"],
}
MEASURE_FILES = {"hubei-yanxuan": "hubei-yanxuan-measures.txt", "changzhi-shifan": "changzhi-shifan-measures.txt"}


def _folded(text: str) -> str:
    """Text compared without spaces or width differences (the measures mix ２ and 2, ％ and %)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def test_the_checks_rule_files_may_name_are_the_engine_checks():
    from pipeline.verdicts import CHECKS

    assert set(CHECK_OUTCOMES) == set(CHECKS)


def test_each_measure_has_one_built_in_rule_set_with_interface_rule_ids():
    rulesets = {r.id: r for r in builtin_rulesets()}
    assert set(rulesets) == set(RULE_IDS)
    for ruleset_id, ids in RULE_IDS.items():
        assert [rule.id for rule in rulesets[ruleset_id].rules] == ids


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds 不存在")
@pytest.mark.parametrize("ruleset_id", list(RULE_IDS))
def test_every_quote_is_the_measure_own_sentence_and_its_article_exists(ruleset_id):
    measure = (SEEDS / MEASURE_FILES[ruleset_id]).read_text(encoding="utf-8")
    ruleset = load_ruleset(ruleset_id)
    quoted = [*ruleset.rules, *ruleset.for_reviewer, *([ruleset.relief] if ruleset.relief else [])]
    for item in quoted:
        pieces = item.quote.split("；")  # a for_reviewer item may join sentences of one article
        assert all(_folded(piece) in _folded(measure) for piece in pieces), item.quote
        article = re.match(r"第[一二三四五六七八九十]+条", item.article).group()
        assert article in measure, item.article


def _copy(tmp_path: Path, old: str, new: str, name: str = "copy.toml") -> Path:
    text = (RULES_DIR / "hubei-yanxuan-2026.1.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_copied_file_with_a_threshold_changed_is_used_and_the_diff_shows_only_that(tmp_path):
    path = _copy(tmp_path, "params = { minimum = 80 }", "params = { minimum = 100 }")
    edited = load_ruleset(str(path))
    assert edited.rule("premises_area").params["minimum"] == 100
    changes = diff_rulesets(load_ruleset("hubei-yanxuan"), edited)
    assert [(c.where, c.what, c.before, c.after) for c in changes] == [("premises_area", "params.minimum", 80, 100)]


@pytest.mark.parametrize("old, new, said", [
    ('check = "premises_area"', 'check = "premises_areas"', "检查 premises_areas 不存在"),
    ('review_none = "无法确定成立日期"\n', "", "operating_years 缺少这些结果的理由：review_none"),
    ('id = "credit_evidence"', 'id = "credit_record"', "规则编号重复：credit_record"),
    ('version = "2026.1"', 'version = 2026.1', "version"),
    ('title = "', 'title = ', "格式有误"),
])
def test_a_bad_rule_file_is_refused_with_its_name_and_what_is_wrong(tmp_path, old, new, said):
    path = _copy(tmp_path, old, new, "坏规则.toml")
    with pytest.raises(RuleSetError) as caught:
        load_ruleset(str(path))
    assert "坏规则.toml" in str(caught.value) and said in str(caught.value)


def test_rules_commands_list_show_and_diff(tmp_path):
    runner = CliRunner()
    listed = runner.invoke(app, ["rules", "list"], env={"COLUMNS": "200"})
    assert listed.exit_code == 0 and "hubei-yanxuan" in listed.output and "changzhi-shifan" in listed.output
    shown = runner.invoke(app, ["rules", "show", "changzhi-shifan"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0 and "第六条（五）" in shown.output and "由评审人员判断" in shown.output
    edited = _copy(tmp_path, "params = { years = 2 }", "params = { years = 3 }")
    diffed = runner.invoke(app, ["rules", "diff", "hubei-yanxuan", str(edited)], env={"COLUMNS": "200"})
    assert diffed.exit_code == 0 and "operating_years" in diffed.output and "params.years" in diffed.output
    unknown = runner.invoke(app, ["rules", "show", "nanjing"])
    assert unknown.exit_code == 2 and "未知的规则集" in unknown.output


def test_a_folder_named_like_a_rule_set_does_not_hide_the_built_in_one(tmp_path, monkeypatch):
    (tmp_path / "hubei-yanxuan").mkdir()  # fixtures put each rule set's batch in a folder of that name
    monkeypatch.chdir(tmp_path)
    assert load_ruleset("hubei-yanxuan").id == "hubei-yanxuan"


def test_a_rule_file_written_before_an_outcome_existed_still_loads_with_the_engines_wording(tmp_path):
    path = _copy(tmp_path, 'unread_subject = "{source}截图上未读出单位名称，不能确认显示的是否为“{applicant}”"\n', "",
                 "旧规则.toml")
    older = load_ruleset(str(path))
    assert "未读出单位名称" in older.rule("credit_evidence").reasons["unread_subject"]
