"""Family b, the measuring style family: deterministic, truthful about what each paper prints, a different look
from family a for the same worlds, and family a untouched by it."""

from __future__ import annotations

import hashlib
import io
import json
import random
import sys
import unicodedata
import zipfile
from datetime import date
from pathlib import Path

import pdfplumber
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from fixtures.documents import PDF_PAGE_DPI
from fixtures.family_b import roster
from fixtures.family_b.forms import area_text, date_text, money_text, pct_text
from fixtures.family_b.lease import lease_blocks
from fixtures.family_b.package import write_application
from fixtures.family_b.plan import plan
from fixtures.family_b.render import render
from fixtures.generate import _truth_record, _world, generate_batch
from fixtures.numerals import lower_number, upper_number
from fixtures.world import AS_OF

HUBEI, CHANGZHI = "hubei-yanxuan", "changzhi-shifan"
DOC_TYPES = {"application_report", "recommendation_form", "business_license", "legal_person_certificate", "lease_contract",
             "property_certificate", "creditchina_report", "ccgp_record", "staff_roster", "audit_report", "service_evidence",
             "service_photo", "qualification_certificate", "authenticity_declaration", "other"}
# application indices whose traps bring the rarer documents: a second premises, a property certificate,
# a legal-person certificate, a bundle and a duplicate, an unreadable roster
PICKED = {HUBEI: (1, 12, 15), CHANGZHI: (7, 9, 18)}
OTHER_HELPERS = {"business_license", "legal_person_certificate", "creditchina_report", "ccgp_record", "service_photo"}


def application_files(batch: Path, app_id: str) -> dict[str, bytes]:
    """An application's files by relative path, from its folder or its zip (GBK names decoded)."""
    folder = batch / app_id
    if folder.is_dir():
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    out = {}
    with zipfile.ZipFile(batch / f"{app_id}.zip") as zf:
        for info in zf.infolist():
            name = info.filename if info.flag_bits & 0x800 else info.filename.encode("cp437").decode("gbk")
            out[name] = zf.read(info)
    return out


def _records(root: Path, ruleset: str, indices: tuple[int, ...], seed: int) -> list[dict]:
    """Truth lines of the picked applications of a batch of 30, written by family b's packager."""
    batch = root / "batch"
    batch.mkdir(parents=True)
    records = []
    for i in indices:
        app = _world(ruleset, i, 30, seed, AS_OF[ruleset], "b")
        record = write_application(app, batch, seed)
        record["fixture"]["family"] = "b"
        records.append(record)
    (root / "truth.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return records


@pytest.fixture(scope="module")
def b_batches(tmp_path_factory) -> dict[str, tuple[Path, list[dict]]]:
    root = tmp_path_factory.mktemp("family_b")
    return {rs: (root / rs, _records(root / rs, rs, PICKED[rs], 21)) for rs in (HUBEI, CHANGZHI)}


def _norm(text: object) -> str:
    return unicodedata.normalize("NFKC", str(text)).translate({ord(c): None for c in " \u3000\n,"})


def _date_forms(day: date) -> set[str]:
    forms = {date_text(day, f) for f in ("cn", "cn0", "dot", "dash", "slash", "upper")}
    return {_norm(f) for f in forms} | {f"{day.month}月{day.day}日"}


def shows(key: str, value: object, text: str) -> bool:
    """Whether the text a box holds shows the value, in any of the forms family b writes it."""
    t = _norm(text)
    if isinstance(value, bool) or value is None or isinstance(value, dict):
        return True
    if isinstance(value, list):
        if key in ("staff", "credit_penalties", "recognitions"):
            return key != "recognitions" or all(_norm(v) in t for v in value) or any(_norm(v) in t for v in value)
        return any(shows(key, v, text) for v in value)
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[:4].isdigit():
        return any(f in t for f in _date_forms(date.fromisoformat(value[:10])))
    if isinstance(value, str):
        return _norm(value) in t
    if key.endswith("_cny"):
        forms = {money_text(int(value), f) for f in ("wan", "yuan", "comma", "upper")} | {f"{value / 10000:.4f}万"}
        if value % 10**7 == 0:
            forms.add(money_text(int(value), "yi"))
        return any(_norm(f).removesuffix("元整").removesuffix("元") in t for f in forms)
    if key.endswith(("_rate", "_ratio")):
        return any(_norm(pct_text(float(value), f)) in t for f in ("pct", "pct1", "words", "fullwidth"))
    if key.endswith("area_m2"):
        return f"{value:g}" in t or _norm(area_text(float(value), "upper")) in t
    if isinstance(value, int):
        return str(value) in t or lower_number(value) in t or upper_number(value) in t
    return str(value) in t


def _computed_end(record: dict, ev: dict) -> bool:
    """A lease that states only its start and length ("租期三年，自…起"): the end is the one a reader computes."""
    start = record["facts"].get("premises_lease_start", {}).get("value")
    return bool(start) and any(f in _norm(ev["text"]) for f in _date_forms(date.fromisoformat(start))) and "年" in ev["text"]


def test_same_seed_gives_byte_identical_files(tmp_path):
    def digest(root: Path) -> dict[str, str]:
        return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(root.rglob("*")) if p.is_file()}

    one = generate_batch(tmp_path / "one", CHANGZHI, 1, 8, family="b").root
    two = generate_batch(tmp_path / "two", CHANGZHI, 1, 8, family="b").root
    assert digest(one) == digest(two)
    manifest = json.loads((one / "batch.json").read_text(encoding="utf-8"))
    assert manifest["family"] == "b"
    assert all(json.loads(line)["fixture"]["family"] == "b" for line in (one / "truth.jsonl").read_text(encoding="utf-8").splitlines())


def test_every_boxed_fact_shows_its_value_where_the_box_is(b_batches):
    checked = 0
    for root, records in b_batches.values():
        for record in records:
            files = application_files(root / "batch", record["application_id"])
            kinds = {d["path"]: d for d in record["documents"]}
            for section in ("facts", "claims"):
                for key, item in record[section].items():
                    for ev in item["evidence"]:
                        assert ev["path"] in files, ev["path"]
                        if not ev.get("bbox"):
                            continue
                        doc = kinds[ev["path"]]
                        if doc["doc_type"] in OTHER_HELPERS:
                            continue  # licences, screenshots and photos are tested beside their own code
                        value = item["value"]
                        if key == "premises_area_m2" and section == "facts":  # a sum: each paper shows its part
                            value = [p["area_m2"] for p in record["facts"]["premises"]["value"]]
                        ok = shows(key, value, ev["text"]) or key == "premises_lease_end" and _computed_end(record, ev)
                        assert ok, (record["application_id"], key, item["value"], ev["text"])
                        if doc["format"] == "text_pdf" and key not in ("staff", "authenticity_declaration_sealed"):  # a table, a seal image
                            with pdfplumber.open(io.BytesIO(files[ev["path"]])) as pdf:
                                page = pdf.pages[ev["page"] - 1]
                                box = [min(max(v * 72 / PDF_PAGE_DPI, 0), page.width if k % 2 == 0 else page.height)
                                       for k, v in enumerate(ev["bbox"])]
                                inside = _norm(page.crop(box, strict=False).extract_text())
                            assert _norm(ev["text"])[:10] in inside, (key, ev["text"][:20], inside[:40])
                        checked += 1
    assert checked > 60


def test_every_document_type_is_planned_for_each_rule_set(b_batches):
    for ruleset, (_, records) in b_batches.items():
        sent = {d["doc_type"] for r in records for d in r["documents"]}
        required = {"application_report", "staff_roster", "service_evidence", "service_photo", "authenticity_declaration",
                    "lease_contract", "property_certificate"} | ({"audit_report", "qualification_certificate"} if ruleset == CHANGZHI
                                                                 else {"creditchina_report", "ccgp_record"})
        assert required <= sent, required - sent
        app = _world(ruleset, PICKED[ruleset][-1], 30, 21, AS_OF[ruleset], "b")
        everything = {p.doc.doc_type for p in plan(app, random.Random(3), everything=True)}
        assert sent | everything >= DOC_TYPES, DOC_TYPES - sent - everything


def test_names_and_titles_differ_from_family_a_for_the_same_world(tmp_path, b_batches):
    root_a = generate_batch(tmp_path / "a", CHANGZHI, 1, 21).root
    truth_a = [json.loads(line) for line in (root_a / "truth.jsonl").read_text(encoding="utf-8").splitlines()]
    names_a = {d["path"].rsplit("/", 1)[-1] for r in truth_a for d in r["documents"] if d["doc_type"] not in OTHER_HELPERS}
    _, records = b_batches[CHANGZHI]
    names_b = {d["path"].rsplit("/", 1)[-1] for r in records for d in r["documents"]
               if d["doc_type"] not in OTHER_HELPERS and not d["path"].rsplit("/", 1)[-1].startswith("IMG_")}
    assert names_b and not names_a & names_b, names_a & names_b
    # the same world's application report: family a's title is nowhere in family b's
    app = _world(CHANGZHI, 1, 30, 21, AS_OF[CHANGZHI], "b")
    from fixtures.family_b.report import TEMPLATES, report_blocks
    from fixtures.render.layout import Heading
    for template in TEMPLATES:
        _, blocks = report_blocks(app, random.Random(1), template)
        headings = [b.text for b in blocks if isinstance(b, Heading)]
        assert "长治市中小企业公共服务平台申请报告" not in headings and "一、基本情况" not in headings


def test_family_a_does_not_go_through_family_b(tmp_path, monkeypatch):
    before = generate_batch(tmp_path / "before", HUBEI, 1, 4).root
    for name in [m for m in sys.modules if m.startswith("fixtures.family_b")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "fixtures.family_b", None)  # importing it now fails
    after = generate_batch(tmp_path / "after", HUBEI, 1, 4).root
    digest = [{p.relative_to(r / "batch").as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
               for p in (r / "batch").rglob("*") if p.is_file()} for r in (before, after)]
    assert digest[0] == digest[1]
    record = json.loads((after / "truth.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert record["fixture"]["family"] == "a"
    assert {"service_activities_count", "service_trainees"} <= set(record["facts"])


def test_truth_lines_have_the_same_shape_in_both_families(tmp_path, b_batches):
    root_a = generate_batch(tmp_path / "a", HUBEI, 1, 21).root
    a = json.loads((root_a / "truth.jsonl").read_text(encoding="utf-8").splitlines()[0])
    b = b_batches[HUBEI][1][0]
    assert set(a) == set(b)
    assert set(a["documents"][0]) == set(b["documents"][0])
    assert set(a["fixture"]) == set(b["fixture"])
    for key in set(a["facts"]) & set(b["facts"]):
        assert type(a["facts"][key]["value"]) is type(b["facts"][key]["value"]), key


def test_activity_dates_are_the_union_of_what_the_service_papers_print(b_batches):
    for root, records in b_batches.values():
        for record in records:
            dates = record["facts"]["service_activity_dates"]
            assert dates["value"] == sorted(set(dates["value"]))
            files = application_files(root / "batch", record["application_id"])
            evidence_paths = {e["path"] for e in dates["evidence"]}
            service = {d["path"] for d in record["documents"] if d["doc_type"] == "service_evidence" and d["legible"]}
            assert evidence_paths <= service and evidence_paths <= set(files)
            for key in ("service_smes_served", "service_satisfaction_rate", "service_activities_count"):
                assert key in record["facts"], key


def test_a_lease_photographed_page_by_page_is_one_premises(b_batches):
    app = _world(HUBEI, 0, 30, 21, AS_OF[HUBEI], "b")
    p = app.premises[0]
    _, blocks, _ = lease_blocks(app, p, random.Random(2), "model")
    docs = render("lease_contract", "租赁合同", blocks, random.Random(2), (("photo_pages", 1.0),), source=p)
    assert len(docs) >= 3 and all(d.name.startswith("IMG_") and d.fmt == "jpg" for d in docs)
    paths = {id(d): d.name for d in docs}
    record = _truth_record(app, docs, paths, family="b")
    assert len(record["facts"]["premises"]["value"]) == 1
    for key in ("premises_lessor", "premises_lessee", "premises_address", "premises_area_m2", "premises_lease_start", "premises_lease_end"):
        assert key in record["facts"], key
        assert len({e["path"] for e in record["facts"][key]["evidence"]}) == 1
    assert record["facts"]["premises_area_m2"]["value"] == p.area_m2


@pytest.mark.parametrize("coding", roster.CODINGS)
def test_the_fulltime_count_follows_from_the_roster_as_a_reviewer_reads_it(coding, monkeypatch):
    app = _world(CHANGZHI, 2, 30, 21, AS_OF[CHANGZHI], "b")
    rng = random.Random(5)
    monkeypatch.setattr(rng, "choice", lambda seq, _c=rng.choice: coding if seq is roster.CODINGS else _c(seq))
    r = roster.Roster(app, rng)
    assert r.coding == coding
    wb = load_workbook(io.BytesIO(roster.roster_xlsx(r)))
    counted = 0
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        first = next(k for k, row in enumerate(rows) if isinstance(row[0], int))
        header = [next((h[c] for h in reversed(rows[2:first]) if h[c]), None) for c in range(len(rows[first]))]  # 2-row headers
        people = [row for row in rows[first:] if isinstance(row[0], int)]
        for row in people:
            cell = dict(zip(header, row, strict=True))
            if coding == "split":
                counted += ws.title == "专职人员"
            elif "是否专职" in cell:
                counted += cell["是否专职"] == "是"
            elif "专职" in cell:
                counted += cell["专职"] == "√"
            elif "用工形式" in cell:
                assert cell["用工形式"] not in roster.FULLTIME_JUDGED  # left to a reviewer: never alone
                counted += cell["用工形式"] in roster.FULLTIME_FORMS
            else:
                counted += next(v for k, v in cell.items() if k in ("专兼职", "专职/兼职", "人员类别")) == "专职"
    assert counted == sum(p.fulltime for p in app.staff)


def test_cli_passes_the_family_on_and_refuses_an_unknown_one(tmp_path, monkeypatch):
    import fixtures.generate
    from shenhe.cli import app

    asked = []

    def fake(out, ruleset, count, seed, as_of=None, progress=None, mix="varied", family="a"):
        asked.append((ruleset, family, mix))
        return fixtures.generate.BatchPaths(out)

    monkeypatch.setattr(fixtures.generate, "generate_batch", fake)
    runner = CliRunner()
    done = runner.invoke(app, ["fixtures", "generate", "--out", str(tmp_path / "cli"), "--count", "1", "--ruleset", CHANGZHI,
                               "--family", "b", "--mix", "year"])
    assert done.exit_code == 0, done.output
    assert asked == [(CHANGZHI, "b", "year")]
    default = runner.invoke(app, ["fixtures", "generate", "--out", str(tmp_path / "cli2"), "--count", "1", "--ruleset", HUBEI])
    assert default.exit_code == 0 and asked[-1] == (HUBEI, "a", "varied")
    bad = runner.invoke(app, ["fixtures", "generate", "--out", str(tmp_path / "bad"), "--family", "c"])
    assert bad.exit_code == 2 and len(asked) == 2


def test_the_year_mix_scans_everything_of_a_paper_applicant_and_nothing_of_the_others(tmp_path):
    root = generate_batch(tmp_path / "year", HUBEI, 2, 6, mix="year", family="b").root
    records = [json.loads(line) for line in (root / "truth.jsonl").read_text(encoding="utf-8").splitlines()]
    paper, digital = records  # the first of every three applicants sends paper only
    born_digital = {"docx", "text_pdf", "xlsx"}
    assert not {d["format"] for d in paper["documents"]} & born_digital
    made = {"application_report", "lease_contract", "staff_roster", "audit_report", "authenticity_declaration", "recommendation_form"}
    assert all(d["format"] in born_digital for d in digital["documents"] if d["doc_type"] in made and d["status"] == "ok"
               and d["legible"])
