"""The ground truth's rules at their boundaries (domain.md's interpretations)."""

from datetime import date

from fixtures.truth_rules import decide, evaluate

HB, CZ = "hubei-yanxuan", "changzhi-shifan"
AS_OF = date(2026, 6, 30)
NAME = "武汉智联企业管理咨询有限公司"


def fact(value):
    return {"value": value, "confidence": 1.0, "evidence": []}


def person(degree="本科", title="无", fulltime=True, name="张三"):
    return {"name": name, "degree": degree, "title": title, "fulltime": fulltime}


def base_facts(**overrides):
    facts = {
        "org_name": NAME, "credit_code": "91420100MA4K0000XX", "entity_type": "有限责任公司（自然人投资或控股）",
        "registration_date": "2018-03-12", "registered_capital_cny": 1000000,
        "staff": [person(name=f"员工{i}") for i in range(10)],
        "premises": [{"kind": "lease", "holder": NAME, "lessor": "某物业公司", "address": "x", "area_m2": 120.0,
                      "start": "2025-01-01", "end": "2027-12-31"}],
        "credit_subject_name": NAME, "credit_query_date": "2026-06-20", "credit_penalties": [],
        "credit_dishonest_listed": False, "credit_abnormal_listed": False,
        "ccgp_subject_name": NAME, "ccgp_query_date": "2026-06-20", "ccgp_listed": False,
        "total_assets_cny": 2000000,
    }
    facts.update(overrides)
    return {k: fact(v) for k, v in facts.items()}


def base_claims(**overrides):
    claims = {"org_name": NAME, "smes_served_per_year": 120, "smes_served_prev_year": 100, "satisfaction_rate": 0.9,
              "public_service_ratio": 0.2, "partner_institutions_count": 5, "service_category": "信息",
              "activities_per_year": 6, "staff_fulltime_count": 10}
    claims.update(overrides)
    return {k: {"value": v} for k, v in claims.items()}


PRESENT = {"application_report", "business_license", "lease_contract", "service_evidence", "authenticity_declaration",
           "creditchina_report", "ccgp_record", "staff_roster", "audit_report", "qualification_certificate"}


def run(ruleset=HB, as_of=AS_OF, facts=None, claims=None, present=PRESENT, unreadable=0):
    rules, decision = evaluate(ruleset, as_of, facts or base_facts(), claims or base_claims(), set(present), unreadable)
    return {r["id"]: r for r in rules}, decision


def test_a_clean_application_is_eligible_under_both_rule_sets():
    assert run(HB)[1] == "eligible"
    assert run(CZ)[1] == "eligible"


def test_capital_of_exactly_100000_passes_and_99999_fails():
    assert run(facts=base_facts(registered_capital_cny=100000))[0]["registered_capital"]["status"] == "pass"
    assert run(facts=base_facts(registered_capital_cny=99999))[0]["registered_capital"]["status"] == "fail"


def test_exactly_eight_fulltime_staff_pass_seven_fail():
    eight = [person(name=f"p{i}") for i in range(8)] + [person(name="兼职", fulltime=False)]
    seven = [person(name=f"p{i}") for i in range(7)]
    assert run(facts=base_facts(staff=eight))[0]["fulltime_staff"]["status"] == "pass"
    assert run(facts=base_facts(staff=seven))[0]["fulltime_staff"]["status"] == "fail"


def test_ratio_of_exactly_70_percent_passes_and_both_degree_and_title_count_once():
    staff = [person("硕士", "中级", name=f"双{i}") for i in range(7)] + [person("大专", "无", name=f"专{i}") for i in range(3)]
    assert run(facts=base_facts(staff=staff))[0]["qualified_staff_ratio"]["status"] == "pass"
    staff = [person("本科", "中级", name=f"双{i}") for i in range(6)] + [person("大专", "初级", name=f"专{i}") for i in range(4)]
    # counting the six people twice would give 120%; once gives 60%
    assert run(facts=base_facts(staff=staff))[0]["qualified_staff_ratio"]["status"] == "fail"


def test_changzhi_ratio_counts_every_row_with_dazhuan_at_80_percent():
    staff = [person("大专", "无", name=f"a{i}", fulltime=i < 5) for i in range(8)] + [person("高中", "初级", name=f"b{i}") for i in range(2)]
    assert run(CZ, facts=base_facts(staff=staff))[0]["qualified_staff_ratio"]["status"] == "pass"
    assert run(CZ, facts=base_facts(staff=staff))[0]["service_staff"]["status"] == "pass"


def test_premises_of_exactly_80_m2_pass_and_a_lease_to_someone_else_does_not_count():
    lease = {"kind": "lease", "holder": NAME, "lessor": "x", "address": "x", "area_m2": 80.0, "start": "2025-01-01", "end": "2027-01-01"}
    assert run(facts=base_facts(premises=[lease]))[0]["premises_area"]["status"] == "pass"
    other = lease | {"holder": "李四"}
    assert run(facts=base_facts(premises=[other]))[0]["premises_area"]["status"] == "fail"
    expired = lease | {"end": "2026-06-29"}
    assert run(facts=base_facts(premises=[expired]))[0]["premises_area"]["status"] == "fail"


def test_two_premises_add_up():
    a = {"kind": "lease", "holder": NAME, "lessor": "x", "address": "x", "area_m2": 50.0, "start": "2025-01-01", "end": "2027-01-01"}
    b = {"kind": "property", "holder": NAME, "lessor": None, "address": "y", "area_m2": 30.0, "start": None, "end": None}
    assert run(facts=base_facts(premises=[a, b]))[0]["premises_area"]["status"] == "pass"


def test_two_years_on_a_29_february_registration_end_on_28_february():
    facts = base_facts(registration_date="2024-02-29")
    assert run(as_of=date(2026, 2, 28), facts=facts)[0]["operating_years"]["status"] == "pass"
    assert run(as_of=date(2026, 2, 27), facts=facts)[0]["operating_years"]["status"] == "fail"


def test_penalty_exactly_three_years_before_as_of_fails_an_older_one_does_not():
    def with_penalty(day):
        return base_facts(credit_penalties=[{"date": day, "authority": "某局", "decision_no": "罚〔2023〕1号"}])
    assert run(facts=with_penalty("2023-06-30"))[0]["credit_record"]["status"] == "fail"
    assert run(facts=with_penalty("2023-06-29"))[0]["credit_record"]["status"] == "pass"


def test_another_companys_screenshot_fails_credit_evidence_and_makes_credit_record_review():
    rules, _ = run(facts=base_facts(credit_subject_name="别的公司"))
    assert rules["credit_evidence"]["status"] == "fail"
    assert rules["credit_record"]["status"] == "review"


def test_individual_business_fails_legal_entity_partnership_only_in_changzhi():
    individual = base_facts(credit_code="92420100MA4K0000XX", entity_type="个体工商户")
    assert run(facts=individual)[0]["legal_entity"]["status"] == "fail"
    partnership = base_facts(entity_type="有限合伙企业")
    assert run(HB, facts=partnership)[0]["legal_entity"]["status"] == "pass"
    assert run(CZ, facts=partnership)[0]["legal_entity"]["status"] == "fail"


def test_claim_only_conditions_pass_on_the_claim_unless_a_document_contradicts_it():
    rules, _ = run(claims=base_claims(smes_served_per_year=50))
    assert (rules["smes_served"]["status"], rules["smes_served"]["basis"]) == ("pass", "claim")
    rules, _ = run(facts=base_facts(service_smes_served=30), claims=base_claims(smes_served_per_year=120))
    assert (rules["smes_served"]["status"], rules["smes_served"]["basis"]) == ("review", "evidence")


def test_missing_document_gives_review_on_a_good_claim_and_fail_on_a_bad_one():
    facts = base_facts()
    del facts["staff"]
    assert run(facts=facts, claims=base_claims(staff_fulltime_count=9))[0]["fulltime_staff"]["status"] == "review"
    assert run(facts=facts, claims=base_claims(staff_fulltime_count=6))[0]["fulltime_staff"]["status"] == "fail"


def test_relief_needs_a_county_level_recognition_and_only_quantitative_failures():
    failed = [{"id": "partner_institutions", "status": "fail"}, {"id": "credit_record", "status": "pass"}]
    assert decide(HB, failed, ["区级中小企业公共服务示范平台"]) == "needs_review"
    assert decide(HB, failed, ["街道优秀服务单位"]) == "ineligible"
    assert decide(HB, failed + [{"id": "legal_entity", "status": "fail"}], ["市级众创空间"]) == "ineligible"
    assert decide(CZ, failed, ["市级众创空间"]) == "ineligible"


def test_missing_material_fails_unless_an_unreadable_file_might_be_it():
    present = PRESENT - {"authenticity_declaration"}
    assert run(present=present)[0]["materials_complete"]["status"] == "fail"
    assert run(present=present, unreadable=1)[0]["materials_complete"]["status"] == "review"


def test_changzhi_growth_must_be_strict_and_assets_use_year_end():
    assert run(CZ, claims=base_claims(smes_served_prev_year=120))[0]["smes_served_growth"]["status"] == "fail"
    assert run(CZ, facts=base_facts(total_assets_cny=1000000))[0]["total_assets"]["status"] == "pass"
    assert run(CZ, facts=base_facts(total_assets_cny=999999))[0]["total_assets"]["status"] == "fail"
