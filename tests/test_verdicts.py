"""Each rule at its boundary, the decision (适当放宽 included), mismatches and flags — from facts alone."""

from __future__ import annotations

import re
from datetime import date

import pytest

from models.results import ApplicationResult
from pipeline.verdicts import (
    Application,
    batch_flags,
    evaluate,
    find_inconsistencies,
    find_mismatches,
    judge,
)
from rules import load_ruleset

HUBEI, CHANGZHI = load_ruleset("hubei-yanxuan"), load_ruleset("changzhi-shifan")
AS_OF = date(2026, 6, 30)
NAME = "武汉市楚天科技服务有限公司"
ALL_DOCUMENTS = frozenset({"application_report", "business_license", "lease_contract", "service_evidence",
                           "authenticity_declaration", "creditchina_report", "ccgp_record", "staff_roster",
                           "audit_report", "qualification_certificate"})


def person(degree: str = "本科", title: str = "中级", fulltime: bool = True, name: str = "王明") -> dict:
    return {"name": name, "degree": degree, "title": title, "fulltime": fulltime, "id_masked": "420100********1234"}


def good_facts(**changes) -> dict:
    """An applicant that meets every condition of both measures; `changes` replace single facts."""
    facts = {
        "org_name": NAME, "credit_code": "91420100MA4KXXXX1X", "entity_type": "有限责任公司（自然人投资或控股）",
        "registration_date": "2020-03-12", "registered_capital_cny": 1_000_000, "total_assets_cny": 2_000_000,
        "staff": [person() for _ in range(10)],
        "premises": [{"kind": "lease", "holder": NAME, "area_m2": 120.0, "start": "2025-01-01", "end": "2027-12-31"}],
        "credit_subject_name": NAME, "ccgp_subject_name": NAME, "credit_penalties": [],
        "credit_dishonest_listed": False, "credit_abnormal_listed": False, "ccgp_listed": False,
    }
    facts.update(changes)
    return {key: {"value": value, "confidence": 1.0} for key, value in facts.items() if value is not None}


def good_claims(**changes) -> dict:
    claims = {"smes_served_per_year": 120, "smes_served_prev_year": 100, "satisfaction_rate": 0.95,
              "public_service_ratio": 0.2, "partner_institutions_count": 5, "service_category": "信息",
              "activities_per_year": 6}
    claims.update(changes)
    return {key: {"value": value} for key, value in claims.items() if value is not None}


def verdict(ruleset, rule_id: str, facts=None, claims=None, present=ALL_DOCUMENTS, unreadable=0):
    app = Application(AS_OF, facts if facts is not None else good_facts(), claims if claims is not None else good_claims(),
                      present, unreadable)
    return next(r for r in evaluate(ruleset, app).rules if r["id"] == rule_id)


def test_the_good_applicant_passes_every_rule_of_both_measures():
    for ruleset in (HUBEI, CHANGZHI):
        app = Application(AS_OF, good_facts(), good_claims(), ALL_DOCUMENTS)
        verdicts = evaluate(ruleset, app)
        assert [r["id"] for r in verdicts.rules if r["status"] != "pass"] == [] and verdicts.decision == "eligible"


@pytest.mark.parametrize("registered, status", [
    ("2024-06-30", "pass"), ("2024-07-01", "fail"),  # exactly two years on as_of passes
])
def test_operating_years_at_exactly_two_years(registered, status):
    assert verdict(HUBEI, "operating_years", good_facts(registration_date=registered))["status"] == status


def test_a_29_february_registration_is_two_years_old_on_28_february():
    facts = good_facts(registration_date="2024-02-29")
    app = Application(date(2026, 2, 28), facts, good_claims(), ALL_DOCUMENTS)
    assert next(r for r in evaluate(HUBEI, app).rules if r["id"] == "operating_years")["status"] == "pass"
    app = Application(date(2026, 2, 27), facts, good_claims(), ALL_DOCUMENTS)
    assert next(r for r in evaluate(HUBEI, app).rules if r["id"] == "operating_years")["status"] == "fail"


@pytest.mark.parametrize("capital, status", [(100_000, "pass"), (99_999, "fail")])
def test_registered_capital_at_exactly_100000(capital, status):
    result = verdict(HUBEI, "registered_capital", good_facts(registered_capital_cny=capital))
    assert result["status"] == status and result["basis"] == "evidence" and "100000" in result["reason"]


@pytest.mark.parametrize("fulltime, status", [(8, "pass"), (7, "fail")])
def test_eight_fulltime_staff(fulltime, status):
    staff = [person() for _ in range(fulltime)] + [person(fulltime=False) for _ in range(3)]
    assert verdict(HUBEI, "fulltime_staff", good_facts(staff=staff))["status"] == status


@pytest.mark.parametrize("ruleset, qualified, status", [
    (HUBEI, 7, "pass"), (HUBEI, 6, "fail"), (CHANGZHI, 8, "pass"), (CHANGZHI, 7, "fail"),
])
def test_qualified_ratio_at_70_and_80_percent(ruleset, qualified, status):
    staff = [person() for _ in range(qualified)] + [person("高中", "无") for _ in range(10 - qualified)]
    assert verdict(ruleset, "qualified_staff_ratio", good_facts(staff=staff))["status"] == status


def test_a_person_with_both_degree_and_title_counts_once_and_part_timers_not_in_hubei():
    staff = ([person("硕士", "高级")] * 6 + [person("高中", "无")] * 4   # 6 of 10 full-timers qualify
             + [person("博士", "高级", fulltime=False)] * 5)              # part-timers do not count in Hubei
    result = verdict(HUBEI, "qualified_staff_ratio", good_facts(staff=staff))
    assert result["status"] == "fail" and "6人" in result["reason"] and "60.0%" in result["reason"]
    # Changzhi counts every row: 11 of 15 = 73 %, still under 80 %.
    assert verdict(CHANGZHI, "qualified_staff_ratio", good_facts(staff=staff))["status"] == "fail"
    # 大专 qualifies in Changzhi, not in Hubei.
    staff = [person("大专", "无")] * 10
    assert verdict(CHANGZHI, "qualified_staff_ratio", good_facts(staff=staff))["status"] == "pass"
    assert verdict(HUBEI, "qualified_staff_ratio", good_facts(staff=staff))["status"] == "fail"


@pytest.mark.parametrize("areas, status", [([80.0], "pass"), ([79.9], "fail"), ([50.0, 30.0], "pass")])
def test_premises_area_at_exactly_80_square_metres_summed_over_premises(areas, status):
    premises = [{"kind": "lease", "holder": NAME, "area_m2": a, "start": "2025-01-01", "end": "2027-01-01"} for a in areas]
    assert verdict(HUBEI, "premises_area", good_facts(premises=premises))["status"] == status


def test_premises_count_only_when_the_applicant_holds_them_and_the_lease_covers_as_of():
    other = [{"kind": "lease", "holder": "张三", "area_m2": 300.0, "start": "2025-01-01", "end": "2027-01-01"}]
    ended = [{"kind": "lease", "holder": NAME, "area_m2": 300.0, "start": "2023-01-01", "end": "2026-06-29"}]
    owned = [{"kind": "property", "holder": NAME.replace("（", "(") , "area_m2": 90.0}]
    assert verdict(HUBEI, "premises_area", good_facts(premises=other))["status"] == "fail"
    assert verdict(HUBEI, "premises_area", good_facts(premises=ended))["status"] == "fail"
    assert verdict(HUBEI, "premises_area", good_facts(premises=owned))["status"] == "pass"
    assert verdict(CHANGZHI, "premises", good_facts(premises=other))["status"] == "fail"
    assert verdict(CHANGZHI, "premises", good_facts(premises=None), present=ALL_DOCUMENTS - {"lease_contract"})["status"] == "review"


@pytest.mark.parametrize("decided, status", [("2023-06-30", "fail"), ("2023-06-29", "pass")])
def test_a_penalty_exactly_three_years_before_as_of_fails_credit(decided, status):
    penalties = [{"date": decided, "authority": "武汉市市场监督管理局", "decision_no": "武市监罚〔2023〕12号"}]
    result = verdict(HUBEI, "credit_record", good_facts(credit_penalties=penalties))
    assert result["status"] == status
    if status == "fail":
        assert "武市监罚〔2023〕12号" in result["reason"] and "credit_penalties" in result["facts_used"]


def test_credit_needs_both_screenshots_naming_the_applicant():
    assert verdict(HUBEI, "credit_evidence", present=ALL_DOCUMENTS - {"ccgp_record"})["status"] == "review"
    wrong = verdict(HUBEI, "credit_evidence", good_facts(ccgp_subject_name="武汉市别家公司"))
    assert wrong["status"] == "fail" and "武汉市别家公司" in wrong["reason"]
    assert verdict(HUBEI, "credit_record", good_facts(ccgp_listed=True))["status"] == "fail"
    assert verdict(HUBEI, "credit_record", good_facts(credit_abnormal_listed=True))["status"] == "review"


@pytest.mark.parametrize("ruleset, code, entity_type, status", [
    (HUBEI, "92420100MA4KXXXX1X", "个体工商户", "fail"),
    (HUBEI, "91420100MA4KXXXX1X", "普通合伙企业", "pass"),
    (CHANGZHI, "91420100MA4KXXXX1X", "普通合伙企业", "fail"),
])
def test_sole_traders_fail_and_partnerships_pass_only_in_hubei(ruleset, code, entity_type, status):
    assert verdict(ruleset, "legal_entity", good_facts(credit_code=code, entity_type=entity_type))["status"] == status


def test_claim_only_conditions_pass_on_the_claim_unless_a_document_contradicts_it():
    result = verdict(HUBEI, "satisfaction", claims=good_claims(satisfaction_rate=0.8))
    assert (result["status"], result["basis"]) == ("pass", "claim") and "80%" in result["reason"]
    contradicted = verdict(HUBEI, "smes_served", good_facts(service_smes_served=30))
    assert (contradicted["status"], contradicted["basis"]) == ("review", "evidence")
    assert verdict(HUBEI, "partner_institutions", claims=good_claims(partner_institutions_count=None))["status"] == "review"


def test_a_missing_document_gives_review_on_a_good_claim_and_fail_on_a_bad_one():
    no_roster = good_facts(staff=None)
    result = verdict(HUBEI, "fulltime_staff", no_roster, good_claims(staff_fulltime_count=9))
    assert (result["status"], result["basis"]) == ("review", "claim")
    result = verdict(HUBEI, "fulltime_staff", no_roster, good_claims(staff_fulltime_count=5))
    assert (result["status"], result["basis"]) == ("fail", "claim")
    result = verdict(HUBEI, "fulltime_staff", no_roster)
    assert (result["status"], result["basis"]) == ("review", "none")


def test_materials_complete_per_article_with_changzhi_asking_for_more():
    assert verdict(HUBEI, "materials_complete", present=ALL_DOCUMENTS - {"audit_report"})["status"] == "pass"
    missing = verdict(CHANGZHI, "materials_complete", present=ALL_DOCUMENTS - {"audit_report"})
    assert missing["status"] == "fail" and "审计报告" in missing["reason"]
    unsure = verdict(CHANGZHI, "materials_complete", present=ALL_DOCUMENTS - {"audit_report"}, unreadable=1)
    assert unsure["status"] == "review"


@pytest.mark.parametrize("recognitions, decision", [
    (["武汉市洪山区科技局认定为区级服务机构"], "needs_review"),  # county level: 适当放宽
    (["洪山街道表彰"], "ineligible"),                            # a street office is below county
    ([], "ineligible"),
])
def test_relief_turns_a_quantitative_failure_into_review_only_from_county_level(recognitions, decision):
    app = Application(AS_OF, good_facts(registered_capital_cny=50_000), good_claims(recognitions=recognitions or None),
                      ALL_DOCUMENTS)
    assert evaluate(HUBEI, app).decision == decision


def test_relief_does_not_cover_a_credit_failure_nor_apply_in_changzhi():
    penalties = [{"date": "2025-01-01", "authority": "某局", "decision_no": "罚〔2025〕1号"}]
    app = Application(AS_OF, good_facts(credit_penalties=penalties), good_claims(recognitions=["区级认定"]), ALL_DOCUMENTS)
    assert evaluate(HUBEI, app).decision == "ineligible"
    app = Application(AS_OF, good_facts(total_assets_cny=10), good_claims(recognitions=["区级认定"]), ALL_DOCUMENTS)
    assert evaluate(CHANGZHI, app).decision == "ineligible"


def test_mismatches_compare_numbers_with_tolerance_and_names_after_folding():
    claims = good_claims(org_name=NAME.replace("（", "("), registered_capital_cny=1_004_000, premises_area_m2=150,
                         staff_fulltime_count=10, staff_qualified_count=9, legal_representative="王 明")
    facts = good_facts(premises_area_m2=120.0, legal_representative="王明")
    sure, unsure = find_mismatches(HUBEI, Application(AS_OF, facts, claims, ALL_DOCUMENTS))
    # The capital is within 0.5 %, the names differ only in bracket width and a space.
    assert {m["key"]: (m["claimed"], m["extracted"]) for m in sure} == {
        "premises_area_m2": (150, 120.0), "staff_qualified_count": (9, 10)}
    assert unsure == []


def test_a_disagreement_resting_on_an_unsure_reading_is_listed_apart():
    facts = good_facts(premises_area_m2=120.0)
    facts["staff"]["confidence"] = 0.4  # the roster's own total disagreed with the ticks read
    claims = good_claims(premises_area_m2=150, staff_fulltime_count=11)
    sure, unsure = find_mismatches(HUBEI, Application(AS_OF, facts, claims, ALL_DOCUMENTS))
    assert [m["key"] for m in sure] == ["premises_area_m2"]
    assert [(m["key"], m["claimed"], m["extracted"], m["confidence"]) for m in unsure] == [
        ("staff_fulltime_count", 11, 10, 0.4)]


def test_names_read_imperfectly_are_unsure_only_when_ocr_read_them():
    scanned_claims = good_claims(org_name=NAME.replace("楚天", "楚夭"), legal_representative="赵小刚")
    scanned_claims["org_name"]["confidence"] = 0.966  # a scanned report: 天 misread as 夭
    facts = good_facts(legal_representative="王明")
    sure, unsure = find_mismatches(HUBEI, Application(AS_OF, facts, scanned_claims, ALL_DOCUMENTS))
    assert [m["key"] for m in sure] == ["legal_representative"]  # a different person is no misreading
    assert [m["key"] for m in unsure] == ["org_name"]
    typed_claims = good_claims(org_name=NAME.replace("楚天", "楚夭"))
    typed_claims["org_name"]["confidence"] = 1.0  # a text layer: the applicant typed it so
    sure, unsure = find_mismatches(HUBEI, Application(AS_OF, facts, typed_claims, ALL_DOCUMENTS))
    assert [m["key"] for m in sure] == ["org_name"] and unsure == []
    # A role's definition left on the name is the same name; a name cut short by a wrap is unsure.
    defined = good_claims(org_name=f"{NAME}（以下简称乙方）")
    assert find_mismatches(HUBEI, Application(AS_OF, good_facts(), defined, ALL_DOCUMENTS)) == ([], [])
    cut = good_claims(org_name=NAME[:-2])
    cut["org_name"]["confidence"] = 0.95
    sure, unsure = find_mismatches(HUBEI, Application(AS_OF, good_facts(), cut, ALL_DOCUMENTS))
    assert sure == [] and [m["key"] for m in unsure] == ["org_name"]


def test_a_claim_read_at_no_confidence_at_all_is_an_unsure_mismatch():
    claims = good_claims(premises_area_m2=150)
    claims["premises_area_m2"]["confidence"] = 0.0  # zero is a reading, not a missing confidence
    sure, unsure = find_mismatches(HUBEI, Application(AS_OF, good_facts(premises_area_m2=120.0), claims, ALL_DOCUMENTS))
    assert sure == [] and [m["key"] for m in unsure] == ["premises_area_m2"]


def test_papers_naming_the_applicant_otherwise_than_its_licence_are_listed():
    premises = [{"kind": "lease", "holder": "王明", "area_m2": 120.0, "path": "租赁合同.pdf"},
                {"kind": "property", "holder": NAME.replace("（", "("), "area_m2": 90.0, "path": "产权证.jpg"}]
    facts = good_facts(premises=premises, credit_subject_code="91420100MA4KXXXX2X", ccgp_subject_name=NAME)
    found = find_inconsistencies(Application(AS_OF, facts, good_claims(), ALL_DOCUMENTS))
    assert [(i["source"], i["value"]) for i in found] == [
        ("信用中国截图的统一社会信用代码", "91420100MA4KXXXX2X"), ("租赁合同的承租方（租赁合同.pdf）", "王明")]


def _record(application_id: str, photo_hashes: list[str], staff: list[dict]) -> dict:
    return {"application_id": application_id, "facts": {"photo_hashes": {"value": photo_hashes}, "staff": {"value": staff}}}


def test_a_photo_or_a_fulltime_person_in_two_applications_is_flagged_on_both():
    records = [_record("A", ["ffff0000ffff0000"], [person(name="李四")]),
               _record("B", ["ffff0000ffff0003"], [person(name="李四")]),      # 2 bits apart: the same photo
               _record("C", ["0f0f0f0f0f0f0f0f"], [person(name="李四", fulltime=False)])]
    flags = batch_flags(records)
    assert {f["code"] for f in flags["A"]} == {"photo_reused", "staff_on_two_rosters"}
    assert "C" not in flags and "李四" in next(f["detail"] for f in flags["B"] if f["code"] == "staff_on_two_rosters")


def test_judging_a_stored_record_fills_verdicts_and_keeps_its_facts():
    record = {"application_id": "A", "ruleset": "hubei-yanxuan", "ruleset_version": "old", "as_of": "2026-06-30",
              "documents": [{"path": f"{kind}.pdf", "sha256": kind, "doc_type": kind, "status": "ok"} for kind in ALL_DOCUMENTS],
              "facts": good_facts(credit_query_date="2026-04-01"), "claims": good_claims(),
              "flags": [{"code": "photo_reused", "detail": "…"}, {"code": "lease_ending_soon", "detail": "旧的"}]}
    judged = judge(HUBEI, record)
    assert judged["decision"] == "eligible" and judged["ruleset_version"] == HUBEI.version
    assert judged["facts"] == record["facts"] and len(judged["rules"]) == 13
    # the batch's flag is kept, the record's own flags are made anew
    assert [f["code"] for f in judged["flags"]] == ["credit_screenshot_stale", "photo_reused"]
    assert all(r["article"].startswith("第") for r in judged["rules"])
    assert ApplicationResult.model_validate(judged).decision == "eligible"  # still a results.jsonl line


def test_a_function_figure_the_work_summary_states_below_the_minimum_is_never_passed_on_the_claim():
    claims = good_claims(service_category="培训", trainees_per_year=1500)
    assert verdict(CHANGZHI, "function_requirement", claims=claims)["status"] == "pass"
    contradicted = verdict(CHANGZHI, "function_requirement", good_facts(service_trainees=600), claims)
    assert (contradicted["status"], contradicted["basis"]) == ("review", "evidence")
    assert "600" in contradicted["reason"] and "{" not in contradicted["reason"]
    supported = verdict(CHANGZHI, "function_requirement", good_facts(service_activities_count=7), good_claims())
    assert supported["status"] == "pass"


def test_premises_whose_term_or_holder_was_not_read_go_to_review_not_fail():
    unread_term = [{"kind": "lease", "holder": NAME, "area_m2": 120.0, "start": None, "end": None}]
    no_holder = [{"kind": "lease", "holder": None, "area_m2": 120.0, "start": "2025-01-01", "end": "2027-12-31"}]
    bracket_less = [{"kind": "lease", "holder": NAME + "（有限合伙）", "area_m2": 120.0, "start": "2025-01-01",
                     "end": "2027-12-31"}]
    for premises in (unread_term, no_holder, bracket_less):
        assert verdict(CHANGZHI, "premises", good_facts(premises=premises))["status"] == "review"
        assert verdict(HUBEI, "premises_area", good_facts(premises=premises))["status"] == "review"


@pytest.mark.parametrize("org_name, status, basis", [
    ("长治市瑞丰人力资源中心（有限合伙）", "fail", "evidence"),  # a partnership's name says so (合伙企业法 第六十二条)
    ("长治市瑞丰人力资源有限公司", "pass", "evidence"),           # a company is a legal person (公司法 第三条)
    ("长治市瑞丰人力资源服务中心", "review", "evidence"),          # nothing read says which kind of body it is
])
def test_an_unread_entity_type_is_known_from_the_name_or_reviewed_never_passed_blind(org_name, status, basis):
    result = verdict(CHANGZHI, "legal_entity", good_facts(entity_type=None, org_name=org_name))
    assert (result["status"], result["basis"]) == (status, basis)
    if status == "review":
        assert "主体类型未读出" in result["reason"] and "{" not in result["reason"]


def test_a_partnership_only_the_report_names_fails_on_the_claim():
    facts = good_facts(entity_type=None, org_name="长治市瑞丰人力资源中心")
    claims = good_claims(org_name="长治市瑞丰人力资源中心（有限合伙）")
    result = verdict(CHANGZHI, "legal_entity", facts, claims)
    assert (result["status"], result["basis"]) == ("fail", "claim")


@pytest.mark.parametrize("ruleset", [HUBEI, CHANGZHI])
def test_no_reason_shows_a_placeholder_for_a_good_a_short_or_an_empty_application(ruleset):
    short = good_facts(staff=[person()] * 3, registered_capital_cny=50_000, total_assets_cny=500_000)
    for facts, claims in ((good_facts(), good_claims()), (short, good_claims(satisfaction_rate=0.5)), ({}, {})):
        app = Application(AS_OF, facts, claims, ALL_DOCUMENTS if facts else frozenset(), 0)
        reasons = [r["reason"] for r in evaluate(ruleset, app).rules]
        assert reasons and not [r for r in reasons if "{" in r or "}" in r]


@pytest.mark.parametrize("subject, status", [
    ("武汉市楚天科技服务有限公司", "pass"),
    ("武汉市楚大科技服务有限公司", "review"),   # one character misread on the screenshot
    (None, "review"),                         # the name on the screenshot not read at all
    ("武汉市光谷智联咨询有限公司", "fail"),     # another company
    ("武汉市楚天科技发展有限公司", "fail"),     # a similarly named one: two characters replaced, not misread
])
def test_a_screenshot_of_another_company_fails_one_read_imperfectly_is_reviewed(subject, status):
    result = verdict(HUBEI, "credit_evidence", good_facts(credit_subject_name=subject))
    assert result["status"] == status
    if status == "review":
        assert "截图" in result["reason"] and NAME in result["reason"] and "{" not in result["reason"]


def test_the_licences_misread_name_gives_way_to_the_name_the_report_and_another_paper_agree_on():
    from pipeline.facts import merge_extractions

    def named(section, key, value):
        return {section: {key: {"value": value, "confidence": 0.95, "evidence": []}}}

    licence = named("facts", "org_name", "湖北信法律咨询有限公司")  # 诚 lost on a blurred scan
    report = named("claims", "org_name", "湖北诚信法律咨询有限公司")
    screenshot = named("facts", "credit_subject_name", "湖北诚信法律咨询有限公司")
    facts, _ = merge_extractions([("执照.jpg", "business_license", licence), ("报告.pdf", "application_report", report),
                                  ("信用中国.png", "creditchina_report", screenshot)])
    assert facts["org_name"].value == "湖北诚信法律咨询有限公司" and facts["org_name"].confidence <= 0.85
    # A similarly named company's papers do not outvote the licence and the applicant's own report.
    report = named("claims", "org_name", "湖北信法律咨询有限公司")
    lease = named("facts", "premises_lessee", "湖北诚信法律咨询有限公司")
    facts, _ = merge_extractions([("执照.jpg", "business_license", licence), ("报告.pdf", "application_report", report),
                                  ("租赁合同.pdf", "lease_contract", lease), ("信用中国.png", "creditchina_report", screenshot)])
    assert facts["org_name"].value == "湖北信法律咨询有限公司"


def test_a_licence_name_read_as_nonsense_whose_code_is_the_reports_gives_way_less_surely():
    from pipeline.facts import merge_extractions

    code = "91420100MA4K3XQ12R"
    licence = {"facts": {"org_name": {"value": "议有公司企业公共服务本示00平台", "confidence": 0.79, "evidence": []},
                         "credit_code": {"value": code, "confidence": 0.99, "evidence": []}}}
    report = {"claims": {"org_name": {"value": "武汉市正泰人力资源有限公司", "confidence": 1.0, "evidence": []},
                         "credit_code": {"value": code, "confidence": 1.0, "evidence": []}}}
    screenshot = {"facts": {"credit_subject_name": {"value": "武汉市正泰人力资源有限公司", "confidence": 0.99, "evidence": []}}}
    documents = [("执照.jpg", "business_license", licence), ("报告.pdf", "application_report", report),
                 ("信用中国.png", "creditchina_report", screenshot)]
    facts, _ = merge_extractions(documents)
    assert facts["org_name"].value == "武汉市正泰人力资源有限公司" and facts["org_name"].confidence <= 0.7
    report["claims"]["credit_code"]["value"] = "91420100MA4K3XQ13P"  # another code: another entity's papers
    facts, _ = merge_extractions(documents)
    assert facts["org_name"].value == "议有公司企业公共服务本示00平台"


def _scanned(facts: dict, key: str, confidence: float, path: str, page: int = 1) -> dict:
    """The fact as a scan gave it: its confidence and where it was read."""
    facts[key] = facts[key] | {"confidence": confidence, "evidence": [{"path": path, "page": page, "text": str(facts[key]["value"])}]}
    return facts


DOC_TYPES = {"营业执照.jpg": "business_license", "租赁合同.pdf": "lease_contract", "信用中国.png": "creditchina_report",
             "政府采购网.png": "ccgp_record", "申请报告.pdf": "application_report", "名册.jpg": "staff_roster"}


def _app(facts: dict, claims: dict | None = None) -> Application:
    return Application(AS_OF, facts, claims if claims is not None else good_claims(), ALL_DOCUMENTS, doc_types=DOC_TYPES)


def _rule(ruleset, rule_id: str, app: Application) -> dict:
    return next(r for r in evaluate(ruleset, app).rules if r["id"] == rule_id)


def test_a_fail_resting_on_a_doubtful_reading_is_a_review_naming_the_document_page_and_value():
    facts = _scanned(good_facts(registration_date="2025-03-12"), "registration_date", 0.72, "营业执照.jpg")
    verdicts = evaluate(HUBEI, _app(facts))
    result = next(r for r in verdicts.rules if r["id"] == "operating_years")
    assert result["status"] == "review" and verdicts.decision == "needs_review"
    assert "营业执照（营业执照.jpg）第1页的成立日期" in result["reason"] and "72%" in result["reason"]
    assert [(item["section"], item["key"]) for item in result["to_check"]] == [("facts", "registration_date")]
    # The same date read surely is a fail, and the decision a rejection.
    facts = _scanned(good_facts(registration_date="2025-03-12"), "registration_date", 0.97, "营业执照.jpg")
    verdicts = evaluate(HUBEI, _app(facts))
    assert next(r for r in verdicts.rules if r["id"] == "operating_years")["status"] == "fail"
    assert verdicts.decision == "ineligible"


def test_a_claim_read_doubtfully_from_a_scanned_report_does_not_reject_either():
    claims = good_claims(satisfaction_rate=0.5)
    claims["satisfaction_rate"] |= {"confidence": 0.6, "evidence": [{"path": "申请报告.pdf", "page": 3}]}
    result = _rule(HUBEI, "satisfaction", _app(good_facts(), claims))
    assert result["status"] == "review" and "申请报告（申请报告.pdf）第3页" in result["reason"]
    claims["satisfaction_rate"]["confidence"] = 1.0  # typed into the report
    assert _rule(HUBEI, "satisfaction", _app(good_facts(), claims))["status"] == "fail"


def test_a_garbled_lessee_is_a_review_naming_the_lease_never_a_fail():
    garbled = [{"kind": "lease", "holder": "（以下简称乙方）:武汉市楚天科枝服务有限公", "area_m2": 120.0,
                "start": "2025-01-01", "end": "2027-12-31", "path": "租赁合同.pdf"}]
    facts = good_facts(premises=garbled)
    facts["premises"]["evidence"] = [{"path": "租赁合同.pdf", "page": 2}]
    for ruleset, rule_id in ((HUBEI, "premises_area"), (CHANGZHI, "premises")):
        verdicts = evaluate(ruleset, _app(facts))
        result = next(r for r in verdicts.rules if r["id"] == rule_id)
        assert result["status"] == "review" and verdicts.decision == "needs_review"
        assert "租赁合同（租赁合同.pdf）第2页的承租方" in result["reason"]
        assert result["to_check"][0]["key"] == "premises"  # the web page opens the lease's evidence from here


def test_an_unread_screenshot_name_is_a_review_naming_the_screenshot_never_a_fail():
    facts = good_facts(credit_subject_name=None)
    verdicts = evaluate(HUBEI, _app(facts))
    result = next(r for r in verdicts.rules if r["id"] == "credit_evidence")
    assert result["status"] == "review" and verdicts.decision == "needs_review"
    assert "信用中国截图/报告（信用中国.png）中未读出信用中国主体名称" in result["reason"]
    assert not [r for r in verdicts.rules if r["status"] == "fail"]


def test_papers_reading_the_applicant_alike_make_its_name_surer_and_a_lone_misreading_doubtful():
    from pipeline.agreement import agreement_of

    facts = _scanned(good_facts(roster_org_name=NAME), "org_name", 0.8, "营业执照.jpg")
    facts["credit_subject_name"]["confidence"] = 0.9
    claims = good_claims(org_name=NAME)
    app = _app(facts, claims)
    assert app.confidence("facts", "org_name") >= 0.99  # the report, two screenshots and the roster read it alike
    # A screenshot reading one character apart from what every other paper reads is the doubtful one.
    facts["ccgp_subject_name"] = {"value": NAME.replace("楚天", "楚夭"), "confidence": 0.95}
    app = _app(facts, claims)
    assert app.confidence("facts", "ccgp_subject_name") == 0.5
    found = agreement_of(facts, claims, "org_name")
    assert {"source": "政府采购网截图", "value": NAME.replace("楚天", "楚夭"), "lone": True} in found.differ
    # Another company's screenshot is no misreading: it keeps its confidence and the rule fails on it.
    facts["ccgp_subject_name"] = {"value": "武汉市光谷智联咨询有限公司", "confidence": 0.95}
    assert _app(facts, claims).confidence("facts", "ccgp_subject_name") == 0.95
    assert _rule(HUBEI, "credit_evidence", _app(facts, claims))["status"] == "fail"


def _with_params(ruleset, **params_by_rule):
    """The rule set with some rules' parameters changed, so an outcome its own file's parameters rule out is reached."""
    rules = [rule.model_copy(update={"params": rule.params | params_by_rule.get(rule.id, {})}) for rule in ruleset.rules]
    return ruleset.model_copy(update={"rules": rules})


# (facts changes, claims changes, present, unreadable): applications that between them reach every outcome.
OTHER = "武汉市光谷智联咨询有限公司"
SMALL_STAFF = [person(degree="高中", title="无")] * 3
PENALTY = [{"date": "2025-05-01", "authority": "武汉市市场监督管理局", "decision_no": "武市监罚〔2025〕12号"}]
SCENARIOS = [
    ({}, {}, ALL_DOCUMENTS, 0),
    (None, None, frozenset(), 0),  # nothing at all
    (None, dict(credit_code="91420100MA4KXXXX1X", registration_date="2020-01-01", registered_capital_cny=1_000_000,
                total_assets_cny=2_000_000, staff_fulltime_count=10, staff_qualified_count=9, premises_area_m2=150,
                service_category="培训"), frozenset({"application_report"}), 0),  # the report alone, figures enough
    (None, dict(credit_code="92420100MA4KXXXX1X", registration_date="2025-06-01", registered_capital_cny=10_000,
                total_assets_cny=20_000, staff_fulltime_count=3, staff_qualified_count=1, premises_area_m2=20,
                service_category="宣传"), frozenset({"application_report"}), 1),  # the report alone, figures short
    (dict(entity_type=None, org_name="武汉市楚天科技服务中心", registration_date="2025-06-01", registered_capital_cny=10_000,
          total_assets_cny=20_000, staff=SMALL_STAFF, premises=[{"kind": "lease", "holder": NAME, "area_m2": 20.0,
                                                                 "start": "2025-01-01", "end": "2027-12-31"}],
          ccgp_subject_name=OTHER),
     dict(smes_served_per_year=10, smes_served_prev_year=20, satisfaction_rate=0.5, public_service_ratio=0.01,
          partner_institutions_count=0, service_category="培训", trainees_per_year=10), ALL_DOCUMENTS, 0),
    (dict(entity_type="有限合伙企业", credit_dishonest_listed=True, ccgp_subject_name=NAME.replace("楚天", "楚夭"),
          service_smes_served=5, service_satisfaction_rate=0.4, service_trainees=10,
          premises=[{"kind": "lease", "holder": OTHER, "area_m2": 20.0, "start": "2025-01-01", "end": "2027-12-31"}]),
     dict(service_category="培训", trainees_per_year=5000, activities_per_year=None), ALL_DOCUMENTS, 0),
    (dict(credit_penalties=PENALTY, premises=[{"kind": "lease", "holder": None, "area_m2": 20.0, "start": None, "end": None}]),
     dict(service_category="信息", smes_served_per_year=None), ALL_DOCUMENTS - {"ccgp_record"}, 0),
    (dict(credit_abnormal_listed=True, registration_date=None, business_term={"start": "2017-09-12", "end": None}),
     dict(service_category="技术", activities_per_year=1), ALL_DOCUMENTS, 0),
    (dict(credit_abnormal_listed=True, entity_type="个体工商户"), dict(service_category=None),
     ALL_DOCUMENTS - {"ccgp_record"}, 0),
    (dict(ccgp_listed=True, credit_subject_name=None), {}, ALL_DOCUMENTS, 0),
    (dict(credit_penalties=[{"date": None, "authority": None, "decision_no": "十堰应罚〔2023〕790号"}]), {}, ALL_DOCUMENTS, 0),
]


@pytest.mark.parametrize("ruleset", [HUBEI, CHANGZHI], ids=["hubei", "changzhi"])
def test_every_outcome_of_every_rule_reads_as_a_sentence(ruleset):
    """Each reason of the rule file is reached by some application, and none shows a placeholder."""
    contradicting = {"public_service_ratio": {"contradicted_by": "service_public_ratio"},
                     "partner_institutions": {"contradicted_by": "service_partners"}}
    variants = [ruleset, _with_params(ruleset, legal_entity={"partnership_accepted": False}, **contradicting)]
    reached: dict[tuple[str, str], str] = {}
    for facts, claims, present, unreadable in SCENARIOS:
        facts = good_facts(**facts) if facts is not None else {}
        claims = good_claims(**claims) if claims is not None else {}
        facts |= {"service_public_ratio": {"value": 0.01}, "service_partners": {"value": 0}} if "staff" in facts else {}
        for variant in variants:
            for rule in evaluate(variant, Application(AS_OF, facts, claims, present, unreadable)).rules:
                reached.setdefault((rule["id"], rule["outcome"]), rule["reason"])
    every = {(rule.id, case) for rule in ruleset.rules for case in rule.reasons}
    assert sorted(every - set(reached)) == []
    assert [(key, reason) for key, reason in reached.items() if re.search(r"[{}]", reason)] == []


def test_a_lease_to_another_party_fails_however_its_name_was_read_and_an_unread_area_is_reviewed():
    def lease(holder, holder_confidence, area):
        return [{"kind": "lease", "holder": holder, "area_m2": area, "start": "2024-10-20", "end": "2027-10-19",
                 "path": "租赁合同.jpg", "holder_confidence": holder_confidence,
                 "area_confidence": 0.99, "term_confidence": 0.85}]

    # The director personally rents the office: no misreading makes 范明亮 of the applicant.
    facts = good_facts(premises=lease("范明亮", 0.86, 120.0))
    facts["premises"]["confidence"] = 0.86
    for ruleset, rule_id in ((HUBEI, "premises_area"), (CHANGZHI, "premises")):
        assert _rule(ruleset, rule_id, _app(facts))["status"] == "fail"
    # Its own lease, too small: the area decides, read surely; its term, read doubtfully, does not matter.
    assert _rule(HUBEI, "premises_area", _app(good_facts(premises=lease(NAME, 0.97, 60.0))))["status"] == "fail"
    # The applicant's own lease whose area was not read: no area is not 0 m².
    facts = good_facts(premises=lease(NAME, 0.97, None))
    result = _rule(HUBEI, "premises_area", _app(facts))
    assert result["status"] == "review" and "租赁合同（租赁合同.jpg）的面积" in result["reason"]


def test_an_area_sum_missing_a_papers_area_is_no_sure_mismatch():
    premises = [{"kind": "lease", "holder": NAME, "area_m2": 50.0, "start": "2025-01-01", "end": "2027-12-31"},
                {"kind": "property", "holder": NAME, "area_m2": None}]  # the certificate's area not read
    facts = good_facts(premises=premises, premises_area_m2=50.0)
    sure, unsure = find_mismatches(HUBEI, _app(facts, good_claims(premises_area_m2=85)))
    assert sure == [] and [m["key"] for m in unsure] == ["premises_area_m2"]


def test_a_legal_representative_no_misreading_explains_is_a_sure_mismatch_however_it_was_read():
    facts = good_facts(legal_representative="范赵林建")
    facts["legal_representative"]["confidence"] = 0.8  # a stray character read before the name
    sure, unsure = find_mismatches(HUBEI, _app(facts, good_claims(legal_representative="邱昊兰")))
    assert [m["key"] for m in sure] == ["legal_representative"] and unsure == []
    # One character apart at that confidence stays unsure: it may be the same person misread.
    sure, unsure = find_mismatches(HUBEI, _app(facts, good_claims(legal_representative="赵林建")))
    assert sure == [] and [m["key"] for m in unsure] == ["legal_representative"]


def test_a_roster_count_off_by_more_people_than_were_read_doubtfully_is_surely_off():
    people = [person() | {"confidence": 0.99} for _ in range(12)] + [person(title="无") | {"confidence": 0.53}]
    facts = good_facts(staff=people)
    facts["staff"] |= {"confidence": 0.53, "rows_confidence": 1.0}  # one title cell read 级工程理
    sure, unsure = find_mismatches(HUBEI, _app(facts, good_claims(staff_fulltime_count=19)))
    assert [m["key"] for m in sure] == ["staff_fulltime_count"]  # six people more than one doubtful reading explains
    sure, unsure = find_mismatches(HUBEI, _app(facts, good_claims(staff_fulltime_count=14)))
    assert sure == [] and [m["key"] for m in unsure] == ["staff_fulltime_count"]
    # The ratio rule: 7 of 13 qualify, 70 % needs 10; one doubtful person cannot make up three.
    low = [person(degree="高中", title="无") | {"confidence": 0.99} for _ in range(6)] + people[:6] + people[-1:]
    facts = good_facts(staff=low)
    facts["staff"] |= {"confidence": 0.53, "rows_confidence": 1.0}
    assert _rule(HUBEI, "qualified_staff_ratio", _app(facts))["status"] == "fail"
    facts["staff"]["rows_confidence"] = 0.5  # the roster's own total disagrees with the ticks read
    assert _rule(HUBEI, "qualified_staff_ratio", _app(facts))["status"] == "review"


def test_a_penalty_whose_date_was_not_read_is_never_a_pass():
    facts = good_facts(credit_penalties=[{"date": None, "authority": None, "decision_no": "十堰应罚〔2023〕790号"}])
    result = _rule(HUBEI, "credit_record", _app(facts))
    assert result["status"] == "review" and "十堰应罚〔2023〕790号" in result["reason"] and "日期未读出" in result["reason"]
