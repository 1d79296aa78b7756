"""`shenhe process` and `shenhe export` on generated batches: identification, errors named, nothing read twice."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

import rules
from fixtures.evaluate import score
from shenhe.cli import app
from tests.conftest import copy_store, read_truth

runner = CliRunner()
pytestmark = pytest.mark.usefixtures("prefect_api")  # `process` runs a Prefect flow


@pytest.fixture(scope="module", params=["hubei-yanxuan", "changzhi-shifan"])
def processed(request, processed_batches, tmp_path_factory):
    """A generated batch processed once, its store copied here (these tests run the batch again)."""
    done = processed_batches[request.param]
    work = tmp_path_factory.mktemp(f"run-{request.param}")
    copy_store(done["db"], work / "s.db")
    shutil.copytree(done["work"] / "first", work / "first")
    args = [*done["args"][:-1], str(work / "s.db")]
    return {"root": done["root"], "work": work, "args": args, "first": done["first"]}


def test_process_exits_0_and_identifies_documents(processed):
    assert processed["first"].exit_code == 0, processed["first"].output
    summary = score(processed["root"] / "truth.jsonl", processed["work"] / "first" / "results.jsonl").summary()
    assert summary["applications"]["found"] == summary["applications"]["expected"] == 8
    assert summary["doc_status_accuracy"] == 1.0
    assert summary["doc_type_accuracy"] >= 0.98, summary["doc_type_confusion"]
    lines = (processed["work"] / "first" / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert {(json.loads(line)["ruleset"], json.loads(line)["ruleset_version"]) for line in lines} == {
        (processed["args"][3], "2026.1")}  # the rule file's own id and version


def test_every_unreadable_file_is_reported_by_name(processed):
    output = processed["first"].output.replace("\n", "")
    results = {json.loads(line)["application_id"]: json.loads(line)
               for line in (processed["work"] / "first" / "results.jsonl").read_text(encoding="utf-8").splitlines()}
    broken = [(r["application_id"], d["path"]) for r in read_truth(processed["root"]) for d in r["documents"]
              if d["status"] == "error"]
    for application_id, path in broken:
        found = [d for d in results[application_id]["documents"] if d["path"] == path]
        assert found and found[0]["status"] == "error" and found[0]["error"], path
        assert path.rsplit("/", 1)[-1] in output


def test_second_run_reads_nothing_and_gives_the_same_results(processed):
    second = runner.invoke(app, [*processed["args"], "--out", str(processed["work"] / "second")])
    assert second.exit_code == 0, second.output
    assert "新读取 0 个文件" in second.output.replace("\n", "")
    first = (processed["work"] / "first" / "results.jsonl").read_text(encoding="utf-8")
    assert (processed["work"] / "second" / "results.jsonl").read_text(encoding="utf-8") == first


def test_export_jsonl_equals_results_and_xlsx_has_a_row_per_application(processed):
    db = processed["args"][-1]
    jsonl = processed["work"] / "export.jsonl"
    assert runner.invoke(app, ["export", "--format", "jsonl", "--db", db, "--out", str(jsonl)]).exit_code == 0
    assert jsonl.read_text(encoding="utf-8") == (processed["work"] / "first" / "results.jsonl").read_text(encoding="utf-8")
    xlsx = processed["work"] / "export.xlsx"
    assert runner.invoke(app, ["export", "--format", "xlsx", "--db", db, "--out", str(xlsx)]).exit_code == 0
    import openpyxl

    book = openpyxl.load_workbook(xlsx)
    assert book["申请"].max_row == 1 + 8
    assert book["文档"].max_row > 8
    assert runner.invoke(app, ["export", "--format", "csv", "--db", db, "--out", str(xlsx)]).exit_code == 2


def test_the_batch_folder_is_not_modified(small_batches, tmp_path):
    root = small_batches["hubei-yanxuan"]
    copy = tmp_path / "batch"
    copy.mkdir()
    for entry in sorted((root / "batch").iterdir())[:2]:  # two applications are enough to show it
        (shutil.copytree if entry.is_dir() else shutil.copy2)(entry, copy / entry.name)
    before = sorted((p.relative_to(copy).as_posix(), p.stat().st_mtime_ns, p.stat().st_size) for p in copy.rglob("*"))
    result = runner.invoke(app, ["process", str(copy), "--rules", "hubei-yanxuan", "--as-of", "2026-06-30",
                                 "--db", str(tmp_path / "s.db"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0
    after = sorted((p.relative_to(copy).as_posix(), p.stat().st_mtime_ns, p.stat().st_size) for p in copy.rglob("*"))
    assert after == before


def test_bad_arguments_exit_2(tmp_path):
    assert runner.invoke(app, ["process", str(tmp_path / "none"), "--rules", "hubei-yanxuan",
                               "--as-of", "2026-06-30"]).exit_code == 2
    assert runner.invoke(app, ["process", str(tmp_path), "--rules", "hubei-yanxuan", "--as-of", "2026-06-30",
                               "--ocr-engine", "abbyy"]).exit_code == 2


def test_facts_and_claims_are_read_with_evidence(processed):
    summary = score(processed["root"] / "truth.jsonl", processed["work"] / "first" / "results.jsonl").summary()
    # Measured on these batches (seed 11): claims 100 %, facts 99.7 %, clean documents 100 %.
    assert summary["claim_accuracy"] >= 0.99, summary["claim_accuracy_by_key"]
    assert summary["fact_accuracy"] >= 0.97, summary["fact_accuracy_by_key"]
    assert summary["fact_accuracy_by_condition"]["clean"] >= 0.99, summary["fact_accuracy_by_key_and_condition"]
    records = [json.loads(line) for line in (processed["work"] / "first" / "results.jsonl").read_text("utf-8").splitlines()]
    for record in records:
        for key, fact in record["facts"].items():
            assert fact["evidence"] and all(e["path"] for e in fact["evidence"]), key


def test_identity_numbers_never_reach_the_store_or_the_results(processed):
    import re

    raw_id = re.compile(r"\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dX]")
    results = (processed["work"] / "first" / "results.jsonl").read_text("utf-8")
    assert not raw_id.search(results)
    with sqlite3.connect(processed["work"] / "s.db") as db:
        stored = " ".join(str(row) for table in ("pages", "documents") for row in db.execute(f"select * from {table}"))
    assert "********" in stored and not raw_id.search(stored)


def test_process_gives_verdicts_that_agree_with_the_truth(processed):
    summary = score(processed["root"] / "truth.jsonl", processed["work"] / "first" / "results.jsonl").summary()
    assert summary["rule_agreement"] >= 0.99 and summary["decision_accuracy_legible"] == 1.0, summary["rules_by_id"]
    assert summary["false_accepts"] == 0


def test_reevaluate_reads_no_file_stores_beside_and_names_whose_decision_changed(processed, tmp_path):
    shutil.copy(processed["work"] / "s.db", tmp_path / "s.db")
    ruleset = processed["args"][3]
    text = (Path(rules.__file__).parent / f"{ruleset}-2026.1.toml").read_text(encoding="utf-8")
    stricter = tmp_path / "stricter.toml"  # thirty operating years instead of two: every eligible one fails
    stricter.write_text(text.replace('version = "2026.1"', 'version = "2026.2"').replace(
        "params = { years = 2 }", "params = { years = 30 }"), encoding="utf-8")
    with sqlite3.connect(tmp_path / "s.db") as db:
        pages_before = db.execute("select count(*), max(id) from pages").fetchone()
    hidden = processed["root"] / "batch-hidden"
    (processed["root"] / "batch").rename(hidden)  # nothing can be read from the batch now
    try:
        result = runner.invoke(app, ["reevaluate", "--rules", str(stricter), "--db", str(tmp_path / "s.db"),
                                     "--out", str(tmp_path / "re")], env={"COLUMNS": "200"})
    finally:
        hidden.rename(processed["root"] / "batch")
    assert result.exit_code == 0, result.output
    before = {json.loads(line)["application_id"]: json.loads(line)
              for line in (processed["work"] / "first" / "results.jsonl").read_text(encoding="utf-8").splitlines()}
    after = {json.loads(line)["application_id"]: json.loads(line)
             for line in (tmp_path / "re" / "results.jsonl").read_text(encoding="utf-8").splitlines()}
    assert set(after) == set(before) and {r["ruleset_version"] for r in after.values()} == {"2026.2"}
    changed = [a for a in after if after[a]["decision"] != before[a]["decision"]]
    assert changed, "thirty operating years should fail every eligible application"
    assert all(a in result.output for a in changed) and "operating_years" in result.output
    for application_id in changed:
        assert next(r for r in after[application_id]["rules"] if r["id"] == "operating_years")["status"] != "pass"
    with sqlite3.connect(tmp_path / "s.db") as db:
        versions = db.execute("select ruleset_version, count(*) from results group by ruleset_version").fetchall()
        assert db.execute("select count(*), max(id) from pages").fetchone() == pages_before
    assert sorted(versions) == [("2026.1", len(before)), ("2026.2", len(before))]  # the earlier results kept


def test_a_file_submitted_twice_is_listed_twice_and_counted_once(tmp_path):
    import random

    from fixtures.documents import text_pdf
    from fixtures.render.layout import Para

    lease, _, _ = text_pdf([Para("房屋租赁合同"), Para("出租方（甲方）：荆州市宏图投资发展有限公司"),
                            Para("承租方（乙方）：荆州市鼎信数字科技有限公司"),
                            Para("甲方将坐落于湖北省荆州市荆州区紫金大道65号的房屋出租给乙方使用，该房屋建筑面积150平方米。"),
                            Para("租赁期限自2025年1月1日起至2027年12月31日止。")], random.Random(5))
    folder = tmp_path / "batch" / "2026-001"
    (folder / "重复提交").mkdir(parents=True)
    for path in (folder / "租赁合同.pdf", folder / "重复提交" / "租赁合同.pdf"):
        path.write_bytes(lease)
    result = runner.invoke(app, ["process", str(tmp_path / "batch"), "--rules", "hubei-yanxuan", "--as-of", "2026-06-30",
                                 "--db", str(tmp_path / "s.db"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "out" / "results.jsonl").read_text(encoding="utf-8"))
    assert [d["doc_type"] for d in record["documents"]] == ["lease_contract", "lease_contract"]
    assert record["facts"]["premises_area_m2"]["value"] == 150
    assert len(record["facts"]["premises"]["value"]) == 1
