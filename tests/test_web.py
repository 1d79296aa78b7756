"""The reviewers' web application on a processed batch: signing in, the overview, an application's
evidence, overrides with their audit trail, roles (谁推荐谁负责), untrusted text, exports."""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import null, select, update
from typer.testing import CliRunner

from extractors.values import ID_NUMBER
from models.store import Account, Application, File, LoginSession, Page
from pipeline.store import Store
from shenhe.cli import app as cli
from tests.conftest import copy_store, read_truth
from web import create_app
from web.auth import hash_password

RULESET = "hubei-yanxuan"
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def site(processed_batches, tmp_path_factory) -> dict:
    """A copy of the processed Hubei batch's store, with a reviewer, an administrator and two units' accounts."""
    done = processed_batches[RULESET]
    db = copy_store(done["db"], tmp_path_factory.mktemp("web") / "s.db")
    store = Store(str(db))
    with store.sessions() as session:
        units = sorted({unit for unit in session.scalars(select(Application.unit)) if unit})
    assert len(units) >= 2, "生成的批次应有至少两个推荐单位"
    store.add_account("reviewer", "reviewer", None, hash_password(PASSWORD))
    store.add_account("admin", "admin", None, hash_password(PASSWORD))
    store.add_account("unit-a", "unit", units[0], hash_password(PASSWORD))
    store.add_account("unit-b", "unit", units[1], hash_password(PASSWORD))
    store.close()
    return {"db": db, "root": done["root"], "units": units}


def client_for(site: dict, name: str | None) -> TestClient:
    client = TestClient(create_app(str(site["db"])), follow_redirects=False)
    if name is not None:
        sign_in(client, name)
    return client


def sign_in(client: TestClient, name: str, password: str = PASSWORD):
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token, "next": "/"})


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def stored(site: dict) -> Store:
    return Store(str(site["db"]))


def application_pks(site: dict) -> dict[str, tuple[int, str | None]]:
    with stored(site).sessions() as session:
        return {row.application_id: (row.id, row.unit) for row in session.execute(
            select(Application.id, Application.application_id, Application.unit))}


def test_anonymous_visitors_get_only_the_login_page(site):
    client = client_for(site, None)
    pk = next(iter(application_pks(site).values()))[0]
    for url in ("/", f"/applications/{pk}", f"/applications/{pk}/print", "/changes", "/export.xlsx",
                f"/applications/{pk}/pages/1/image"):
        answer = client.get(url)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login"), url
    assert client.post(f"/applications/{pk}/review", data={"action": "accept"}).status_code in (303, 422)
    login = client.get("/login")
    assert login.status_code == 200 and "登录" in login.text
    assert "default-src 'self'" in login.headers["content-security-policy"]


def test_signing_in_needs_the_right_password_and_the_form_token_and_logging_out_ends_the_session(site):
    client = client_for(site, None)
    wrong = sign_in(client, "reviewer", "wrong password")
    assert wrong.status_code == 303 and "failed=1" in wrong.headers["location"]
    assert client.get("/").status_code == 303
    forged = client.post("/login", data={"name": "reviewer", "password": PASSWORD, "csrf_token": "forged", "next": "/"})
    assert forged.status_code == 403
    assert sign_in(client, "reviewer").status_code == 303
    overview = client.get("/")
    assert overview.status_code == 200 and "申请总览" in overview.text
    cookie = client.cookies.get("shenhe_session")
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 403  # logout is a form too
    assert client.post("/logout", data={"csrf_token": csrf_of(overview.text)}).status_code == 303
    client.cookies.set("shenhe_session", cookie)  # the old cookie, replayed
    assert client.get("/").status_code == 303


def test_a_session_past_its_time_ends(site):
    client = client_for(site, "reviewer")
    assert client.get("/").status_code == 200
    store = stored(site)
    with store.sessions.begin() as session:
        session.execute(update(LoginSession).values(expires_at=LoginSession.created_at))
    assert client.get("/").status_code == 303


def test_the_overview_counts_filters_searches_and_sorts(site):
    client = client_for(site, "reviewer")
    truth = {t["application_id"]: t for t in read_truth(site["root"])}
    page = client.get("/")
    assert page.status_code == 200
    ids = re.findall(r'href="/applications/\d+">([^<]+)</a>', page.text)
    assert sorted(ids) == sorted(truth) == ids  # all eight, by application id
    with stored(site).sessions() as session:
        decisions = {row.application_id: row.summary["decision"] for row in session.execute(
            select(Application.application_id, Application.summary))}
    for decision in ("eligible", "ineligible", "needs_review"):
        shown = re.findall(r'href="/applications/\d+">([^<]+)</a>', client.get("/", params={"decision": decision}).text)
        assert sorted(shown) == sorted(a for a, d in decisions.items() if d == decision)
    some = next(iter(truth.values()))
    code = some["facts"]["credit_code"]["value"] if "credit_code" in some.get("facts", {}) else None
    if code:
        found = re.findall(r'href="/applications/\d+">([^<]+)</a>', client.get("/", params={"q": code}).text)
        assert some["application_id"] in found and len(found) <= 2
    backwards = re.findall(r'href="/applications/\d+">([^<]+)</a>', client.get("/", params={"sort": "application_id",
                                                                                            "order": "desc"}).text)
    assert backwards == sorted(truth, reverse=True)


def _application_with_mismatch(site: dict) -> tuple[int, dict]:
    with stored(site).sessions() as session:
        for pk, summary in session.execute(select(Application.id, Application.summary)):
            if summary and summary["mismatches"]:
                return pk, summary
    raise AssertionError("生成的批次应有申报与材料不一致的申请")


def test_an_application_shows_claims_beside_documents_with_disagreements_marked_and_their_evidence(site):
    client = client_for(site, "reviewer")
    pk, summary = _application_with_mismatch(site)
    page = client.get(f"/applications/{pk}")
    assert page.status_code == 200
    key = summary["mismatches"][0]
    from pipeline.verdicts import FACT_FOR_CLAIM

    row = re.search(rf'<tr id="fact-{FACT_FOR_CLAIM.get(key, key)}" class="mismatch"[^>]*>(.*?)</tr>', page.text, re.S)
    assert row is not None and "不一致" in row.group(1)
    evidence = re.findall(r'data-evidence="([^"]+)"', page.text)
    items = [item for blob in evidence for item in json.loads(blob.replace("&#34;", '"').replace("&quot;", '"')
                                                             .replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
                                                             .replace("&#39;", "'"))]
    with_image = [item for item in items if item["page_id"]]
    assert with_image, "至少一条证据应指向有图像的页面"
    image = client.get(f"/applications/{pk}/pages/{with_image[0]['page_id']}/image")
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    from PIL import Image

    picture = Image.open(io.BytesIO(image.content))
    assert picture.size == (with_image[0]["width"], with_image[0]["height"])  # boxes are drawn in these pixels


def test_identity_numbers_are_masked_in_the_page_and_blacked_out_on_the_roster_image(site):
    client = client_for(site, "reviewer")
    store = stored(site)
    with store.sessions() as session:
        pages = session.execute(select(Page.id, Page.content_sha256, Page.lines, Page.width).where(Page.width > 0)).all()
        files = {f.sha256: f for f in session.scalars(select(File))}
    from web.evidence import MASKED_ID

    roster = next((p for p in pages if any(MASKED_ID.search(line["text"]) for line in p.lines) and p.content_sha256 in files
                   and files[p.content_sha256].kind in ("pdf", "jpeg", "png")), None)
    assert roster is not None, "生成的名册应有身份证号"
    pk = files[roster.content_sha256].application_pk
    page = client.get(f"/applications/{pk}")
    assert not ID_NUMBER.search(page.text) and re.search(r"\d{6}\*{8}\d{3}[\dX]", page.text)
    image = client.get(f"/applications/{pk}/pages/{roster.id}/image")
    assert image.status_code == 200
    import cv2

    from models.pages import TextLine
    from pipeline.store import row_to_page
    from web.evidence import masked_spans

    with store.sessions() as session:
        stored_page = row_to_page(session.get(Page, roster.id))
    grey = cv2.imdecode(np.frombuffer(image.content, np.uint8), cv2.IMREAD_GRAYSCALE)
    spans = masked_spans(stored_page)
    assert spans and all(isinstance(line, TextLine) for line in stored_page.lines)
    for x0, y0, x1, y1 in spans:
        assert grey[int(y0):int(y1), int(x0):int(x1)].mean() < 40  # covered, not readable


def test_an_override_needs_a_reason_recomputes_the_decision_and_is_kept_in_the_audit_trail(site, tmp_path):
    client = client_for(site, "reviewer")
    pk, summary = _application_with_mismatch(site)
    page = client.get(f"/applications/{pk}")
    token = csrf_of(page.text)
    rule = next(rule_id for rule_id, status in summary["rules"].items() if status != "pass")
    no_reason = client.post(f"/applications/{pk}/review", data={"csrf_token": token, "action": "verdict", "key": rule,
                                                                  "value": "pass", "reason": " "})
    assert no_reason.status_code == 400 and "理由" in no_reason.text
    forged = client.post(f"/applications/{pk}/review", data={"csrf_token": "x", "action": "verdict", "key": rule,
                                                               "value": "pass", "reason": "核对原件"})
    assert forged.status_code == 403
    done = client.post(f"/applications/{pk}/review", data={
        "csrf_token": token, "action": "verdict", "key": rule, "value": "pass", "reason": "已核对原件，<b>符合</b>",
        "expected": json.dumps(summary["rules"][rule])})
    assert done.status_code == 303
    after = client.get(done.headers["location"])
    audit = re.search(r'<table class="list audit" id="audit">(.*?)</table>', after.text, re.S).group(1)
    assert "reviewer" in audit and "改判规则" in audit and "已核对原件，&lt;b&gt;符合&lt;/b&gt;" in audit
    with stored(site).sessions() as session:
        new_summary = session.get(Application, pk).summary
    assert new_summary["rules"][rule] == "pass" and new_summary["overridden"] >= 1
    from pipeline.verdicts import decide
    from rules import load_ruleset

    record = stored(site).result_payload(pk, RULESET, summary["ruleset_version"], summary["as_of"])
    recognitions = (record["claims"].get("recognitions") or {}).get("value") or []
    assert record["decision"] == new_summary["decision"] == decide(load_ruleset(RULESET), record["rules"], recognitions)

    # The same form sent again, seeing the old value: a conflict, nothing written.
    stale = client.post(f"/applications/{pk}/review", data={
        "csrf_token": token, "action": "verdict", "key": rule, "value": "fail", "reason": "另一位评审",
        "expected": json.dumps(summary["rules"][rule])})
    assert stale.status_code == 409

    # Re-evaluation and a second `process` keep the reviewer's decision.
    out = tmp_path / "re"
    ran = CliRunner().invoke(cli, ["reevaluate", "--rules", RULESET, "--db", str(site["db"]), "--out", str(out)])
    assert ran.exit_code == 0, ran.output
    record = next(json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()
                  if json.loads(line)["application_id"] == summary["application_id"])
    kept = next(r for r in record["rules"] if r["id"] == rule)
    assert kept["status"] == "pass" and kept["overridden"]["by"] == "reviewer"


def test_a_fact_override_changes_what_the_rules_read(site):
    client = client_for(site, "reviewer")
    pk, summary = _application_with_mismatch(site)
    page = client.get(f"/applications/{pk}")
    done = client.post(f"/applications/{pk}/review", data={
        "csrf_token": csrf_of(page.text), "action": "fact", "key": "registration_date", "value": "2025-12-01",
        "reason": "营业执照原件成立日期为2025年12月1日"})
    assert done.status_code == 303, done.text
    with stored(site).sessions() as session:
        after = session.get(Application, pk).summary
    assert after["rules"]["operating_years"] == "fail"  # registered weeks before the as-of date
    page = client.get(f"/applications/{pk}")
    assert "营业执照原件成立日期为2025年12月1日" in page.text and "原读出" in page.text
    bad = client.post(f"/applications/{pk}/review", data={
        "csrf_token": csrf_of(page.text), "action": "fact", "key": "registration_date", "value": "去年", "reason": "x"})
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.text


def test_a_recommending_unit_sees_only_its_own_applications_everywhere(site):
    unit_a = site["units"][0]
    client = client_for(site, "unit-a")
    pks = application_pks(site)
    own = {pk for pk, unit in pks.values() if unit == unit_a}
    others = {pk for pk, unit in pks.values() if unit != unit_a}
    assert own and others
    overview = client.get("/")
    listed = {int(pk) for pk in re.findall(r'href="/applications/(\d+)"', overview.text)}
    assert listed == own
    token = csrf_of(overview.text)
    with stored(site).sessions() as session:
        pages_of = {}
        for stored_file in session.scalars(select(File)):
            page_ids = session.scalars(select(Page.id).where(Page.content_sha256 == stored_file.sha256)).all()
            pages_of.setdefault(stored_file.application_pk, set()).update(page_ids)
    own_pages = set().union(*(pages_of.get(pk, set()) for pk in own))
    checked = 0
    for pk in others:
        urls = [f"/applications/{pk}", f"/applications/{pk}/print"]
        urls += [f"/applications/{pk}/pages/{page_id}/image" for page_id in sorted(pages_of.get(pk, set()))]
        for url in urls:
            assert client.get(url).status_code in (403, 404), url
            checked += 1
        for action, key, value in (("verdict", "legal_entity", "pass"), ("fact", "org_name", "x"), ("accept", "", ""),
                                   ("doc_type", "a#1", "other")):
            answer = client.post(f"/applications/{pk}/review", data={"csrf_token": token, "action": action, "key": key,
                                                                      "value": value, "reason": "越权"})
            assert answer.status_code in (403, 404), (pk, action)
            checked += 1
    # An image of another unit's application, asked for through one of its own: still refused.
    own_pk = min(own)
    for page_id in sorted(set().union(*(pages_of.get(pk, set()) for pk in others)) - own_pages):
        assert client.get(f"/applications/{own_pk}/pages/{page_id}/image").status_code == 404
        checked += 1
    assert checked > 20
    export = client.get("/export.xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(export.content)).active
    exported = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert exported == {aid for aid, (pk, _u) in pks.items() if pk in own}
    # A unit may look, not decide: its own application's forms are refused too.
    refused = client.post(f"/applications/{own_pk}/review", data={"csrf_token": token, "action": "accept"})
    assert refused.status_code == 403
    from models.store import ReviewEvent

    with stored(site).sessions() as session:  # nothing it sent was recorded
        unit_id = session.scalar(select(Account.id).where(Account.name == "unit-a"))
        assert session.scalars(select(ReviewEvent.id).where(ReviewEvent.account_id == unit_id)).all() == []
    assert client.get(f"/applications/{own_pk}").status_code == 200


def test_the_excel_export_has_a_row_per_application_with_facts_claims_mismatches_and_verdicts(site):
    client = client_for(site, "reviewer")
    export = client.get("/export.xlsx")
    assert export.status_code == 200
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(export.content))
    sheet = book["申请"]
    header = [cell.value for cell in sheet[1]]
    assert {"结论", "机构名称（材料）", "机构名称（申报）", "不一致项", "运营两年以上"} <= set(header)  # rules by their titles
    assert "operating_years" not in header
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(read_truth(site["root"]))
    printable = client.get(f"/applications/{_application_with_mismatch(site)[0]}/print")
    assert printable.status_code == 200 and "申报与材料对照" in printable.text and "<script" not in printable.text
    page = client.get(f"/applications/{_application_with_mismatch(site)[0]}")
    assert "运营两年以上" in page.text and "运营两年以上" in printable.text  # the rule's Chinese title, not only its id


def test_text_read_from_a_document_is_shown_as_text_never_as_markup(tmp_path, prefect_api):
    """A Word report whose name and prose carry <script> and <img onerror>: processed, then shown."""
    from docx import Document

    folder = tmp_path / "batch" / "2026-X01"
    folder.mkdir(parents=True)
    report = Document()
    report.add_heading("申请报告", 0)
    table = report.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "申报单位名称", "<script>alert('x')</script>科技有限公司"
    table.cell(1, 0).text, table.cell(1, 1).text = "统一社会信用代码", "<img src=x onerror=alert(1)>"
    report.add_paragraph("我单位<img src=x onerror=alert(2)>成立于2018年。")
    report.save(folder / "申请报告.docx")
    db = tmp_path / "s.db"
    ran = CliRunner().invoke(cli, ["process", str(tmp_path / "batch"), "--rules", RULESET, "--as-of", "2026-06-30",
                                   "--db", str(db), "--out", str(tmp_path / "out")], env={"PREFECT_API_URL": prefect_api})
    assert ran.exit_code == 0, ran.output
    store = Store(str(db))
    store.add_account("reviewer", "reviewer", None, hash_password(PASSWORD))
    store.close()
    client = TestClient(create_app(str(db)), follow_redirects=False)
    sign_in(client, "reviewer")
    page = client.get("/applications/1")
    assert page.status_code == 200
    assert "&lt;script&gt;alert(" in page.text
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    scripts = re.findall(r"<script[^>]*>", page.text)
    assert scripts == ['<script src="/static/app.js">']
    overview = client.get("/")
    assert "<script>alert" not in overview.text and "<img src=x" not in overview.text


def test_users_add_reads_the_password_from_standard_input_and_refuses_bad_accounts(tmp_path):
    db = str(tmp_path / "s.db")
    ok = CliRunner().invoke(cli, ["users", "add", "王审核", "--role", "reviewer", "--db", db], input="a long password\n")
    assert ok.exit_code == 0, ok.output
    again = CliRunner().invoke(cli, ["users", "add", "王审核", "--role", "reviewer", "--db", db], input="a long password\n")
    assert again.exit_code == 2 and "已存在" in again.output
    short = CliRunner().invoke(cli, ["users", "add", "李", "--role", "reviewer", "--db", db], input="short\n")
    assert short.exit_code == 2
    no_unit = CliRunner().invoke(cli, ["users", "add", "张", "--role", "unit", "--db", db], input="a long password\n")
    assert no_unit.exit_code == 2 and "--unit" in no_unit.output
    client = TestClient(create_app(db), follow_redirects=False)
    assert sign_in(client, "王审核", "a long password").status_code == 303
    assert client.get("/").status_code == 200
    store = Store(db)
    with store.sessions() as session:
        hashed = session.scalar(select(Account.password_hash).where(Account.name == "王审核"))
    assert hashed.startswith("$argon2") and "a long password" not in hashed


def test_a_corrected_document_type_is_read_again_as_that_type_and_kept(site):
    client = client_for(site, "reviewer")
    from web.views import newest_record

    with stored(site).sessions() as session:
        candidates = [pk for pk, summary in session.execute(select(Application.id, Application.summary))
                      if summary and summary["rules"].get("premises_area") == "pass" and not summary["overridden"]]
    # One whose only premises paper is a single lease: taken away, nothing else proves the premises.
    pk, record = next((pk, record) for pk in candidates for record in [newest_record(stored(site), pk)]
                      if [d["doc_type"] for d in record["documents"]
                          if d["doc_type"] in ("lease_contract", "property_certificate")] == ["lease_contract"])
    lease = next(d for d in record["documents"] if d["doc_type"] == "lease_contract")
    page = client.get(f"/applications/{pk}")
    done = client.post(f"/applications/{pk}/review", data={
        "csrf_token": csrf_of(page.text), "action": "doc_type", "key": f"{lease['path']}#{lease.get('page_start', 1)}",
        "value": "other", "reason": "这是物业服务合同，不是租赁合同", "expected": json.dumps("lease_contract")})
    assert done.status_code == 303, done.text
    with stored(site).sessions() as session:
        summary = session.get(Application, pk).summary
    assert summary["rules"]["premises_area"] != "pass"  # the lease no longer counts
    after = client.get(f"/applications/{pk}")
    assert "这是物业服务合同，不是租赁合同" in after.text and "更正文档类型" in after.text


def test_the_rule_updates_page_shows_whose_decision_a_reevaluation_changed(site, tmp_path):
    source = Path(__file__).resolve().parents[1] / "rules" / "hubei-yanxuan-2026.1.toml"
    text = source.read_text(encoding="utf-8")
    stricter = (text.replace('check = "premises_area"\nparams = { minimum = 80 }', 'check = "premises_area"\nparams = { minimum = 99999 }')
                .replace('version = "2026.1"', 'version = "2026.9"', 1))
    assert stricter.count("99999") == 1 and "2026.9" in stricter
    rule_file = tmp_path / "hubei-stricter.toml"
    rule_file.write_text(stricter, encoding="utf-8")
    ran = CliRunner().invoke(cli, ["reevaluate", "--rules", str(rule_file), "--db", str(site["db"]), "--out", str(tmp_path)])
    assert ran.exit_code == 0, ran.output
    changed = {json.loads(line)["application_id"] for line in (tmp_path / "results.jsonl").read_text(encoding="utf-8").splitlines()
               if json.loads(line)["decision"] == "ineligible"}
    page = client_for(site, "reviewer").get("/changes")
    assert page.status_code == 200 and "2026.9" in page.text and "premises_area" in page.text
    assert "经营服务场所面积" in page.text  # the rule by its Chinese title, its id beside it for the engineer
    listed = set(re.findall(r'href="/applications/\d+">([^<]+)</a>', page.text))
    assert listed and listed <= changed
    # The records are now judged under a rule file of the engineer's: the store kept its text, so a
    # reviewer's act is judged again under it.
    reviewer = client_for(site, "reviewer")
    pk = min(pk for pk, _unit in application_pks(site).values())
    form = reviewer.get(f"/applications/{pk}")
    assert "2026.9" in form.text
    acted = reviewer.post(f"/applications/{pk}/review", data={"csrf_token": csrf_of(form.text), "action": "verdict",
                                                               "key": "premises_area", "value": "review",
                                                               "reason": "新规则下请复核场所面积"})
    assert acted.status_code == 303, acted.text
    unit_page = client_for(site, "unit-b").get("/changes")
    own = {aid for aid, (_pk, unit) in application_pks(site).items() if unit == site["units"][1]}
    assert set(re.findall(r'href="/applications/\d+">([^<]+)</a>', unit_page.text)) <= own


def test_applications_stored_before_the_web_application_existed_are_listed(site, tmp_path):
    db = copy_store(site["db"], tmp_path / "old.db")
    store = Store(str(db))
    with store.sessions.begin() as session:
        session.execute(update(Application).values(summary=null(), unit=None))  # SQL NULL, as before migration 0005
    client = TestClient(create_app(str(db)), follow_redirects=False)
    sign_in(client, "reviewer")
    listed = re.findall(r'href="/applications/\d+">([^<]+)</a>', client.get("/").text)
    assert sorted(listed) == sorted(application_pks(site))


def test_two_reviewers_changing_the_same_fact_the_second_gets_a_conflict_and_nothing_is_lost(site):
    store = stored(site)
    if not store.sessions().scalar(select(Account.id).where(Account.name == "reviewer-2")):
        store.add_account("reviewer-2", "reviewer", None, hash_password(PASSWORD))
    first, second = client_for(site, "reviewer"), client_for(site, "reviewer-2")
    pk = max(pk for pk, _unit in application_pks(site).values())
    page_one, page_two = first.get(f"/applications/{pk}").text, second.get(f"/applications/{pk}").text

    def form(page: str, value: str, reason: str) -> dict:
        block = re.search(r'<tr id="fact-legal_representative".*?</tr>', page, re.S).group(0)
        fields = dict(re.findall(r'name="(csrf_token|expected|version)" value="([^"]*)"', block))
        return {**fields, "expected": fields["expected"].replace("&#34;", '"').replace("&quot;", '"'),
                "csrf_token": csrf_of(page), "action": "fact", "key": "legal_representative", "value": value,
                "reason": reason}

    assert first.post(f"/applications/{pk}/review", data=form(page_one, "张一", "按身份证更正")).status_code == 303
    clash = second.post(f"/applications/{pk}/review", data=form(page_two, "张二", "按营业执照更正"))
    assert clash.status_code == 409 and "他人" in clash.text
    events = store.review_events([pk])[pk]
    assert [(e.account.name, e.new_value) for e in events if e.key == "legal_representative"] == [("reviewer", "张一")]
    # Seeing the new value, the second reviewer may change it in turn.
    again = second.post(f"/applications/{pk}/review", data=form(second.get(f"/applications/{pk}").text, "张二", "按营业执照更正"))
    assert again.status_code == 303
    assert [e.new_value for e in store.review_events([pk])[pk] if e.key == "legal_representative"] == ["张一", "张二"]


def test_the_store_refuses_a_second_act_replacing_the_same_one(site):
    from pipeline.store import ReviewConflict

    store = stored(site)
    pk = min(pk for pk, _unit in application_pks(site).values())
    with store.sessions() as session:
        account = session.scalar(select(Account.id).where(Account.name == "admin"))
    first = store.add_review_event(pk, account, "fact", "address", None, "一", "甲", supersedes=0)
    with pytest.raises(ReviewConflict):
        store.add_review_event(pk, account, "fact", "address", None, "二", "乙", supersedes=0)
    store.add_review_event(pk, account, "fact", "address", "一", "二", "乙", supersedes=first.id)


def test_the_batch_s_own_assignment_names_the_recommending_unit(tmp_path, prefect_api):
    from docx import Document

    for application_id in ("2026-U01", "2026-U02"):
        folder = tmp_path / "batch" / application_id
        folder.mkdir(parents=True)
        report = Document()
        report.add_paragraph(f"申请报告 {application_id}")
        report.save(folder / "申请报告.docx")
    (tmp_path / "batch" / "推荐单位.csv").write_bytes("申请编号,推荐单位\n2026-U01,长治高新区经济发展局\n".encode("gbk"))
    db = tmp_path / "s.db"
    temporary_before = os.environ.get("TMPDIR")
    ran = CliRunner().invoke(cli, ["process", str(tmp_path / "batch"), "--rules", RULESET, "--as-of", "2026-06-30",
                                   "--db", str(db), "--out", str(tmp_path / "out")], env={"PREFECT_API_URL": prefect_api})
    assert ran.exit_code == 0, ran.output
    assert os.environ.get("TMPDIR") == temporary_before  # the run's own temporary folder does not outlive it
    with Store(str(db)).sessions() as session:
        units = dict(session.execute(select(Application.application_id, Application.unit)).all())
    assert units == {"2026-U01": "长治高新区经济发展局", "2026-U02": None}
    store = Store(str(db))
    store.add_account("gaoxin", "unit", "长治高新区经济发展局", hash_password(PASSWORD))
    client = TestClient(create_app(str(db)), follow_redirects=False)
    sign_in(client, "gaoxin")
    assert re.findall(r'href="/applications/\d+">([^<]+)</a>', client.get("/").text) == ["2026-U01"]


def test_a_review_names_what_to_check_and_opens_its_evidence_from_the_rule(site):
    client = client_for(site, "reviewer")
    with stored(site).sessions() as session:
        rows = list(session.execute(select(Application.id, Application.summary)))
    pk = next(pk for pk, summary in rows if summary and "review" in summary["rules"].values())
    page = client.get(f"/applications/{pk}")
    rules = re.findall(r'<tr id="rule-([a-z_]+)" class="status-row review">(.*?)</tr>', page.text, re.S)
    assert rules, "至少一条待复核的规则"
    checks = [body for _rule, body in rules if 'class="small to-check"' in body]
    assert checks, "待复核的规则应写明请核对之处"
    # where a reading is named, its evidence opens from the rule row itself
    assert any('data-evidence="[' in body and "请核对：" in body for body in checks)
