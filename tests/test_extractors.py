"""Value parsers, the label/value finder and the per-type extractors on hand-made pages."""

from __future__ import annotations

import csv
import json
from datetime import date

import pytest

from extractors import DocumentText, extract
from extractors.staff_roster import is_fulltime, normalise_degree, normalise_title
from extractors.values import (
    find_credit_codes,
    is_stamp_scrap,
    mask_id_numbers,
    parse_area,
    parse_count,
    parse_date,
    parse_money,
    parse_ratio,
    repair_credit_code,
)
from models.pages import PageText, TextLine

CURRENCY = {"元": "CNY", "港元": "HKD", "美元": "USD", "欧元": "EUR", "日元": "JPY", "新台币": "TWD", "泰铢": "THB",
            "卢布": "RUB", "澳元": "AUD", "韩元": "KRW"}


def test_money_vectors_with_an_exact_amount_parse(dev_set):
    cases = json.loads((dev_set / "money-vectors.json").read_text(encoding="utf-8"))["cases"]
    exact = [(text, want) for text, want in cases if want["definition"] == "accurate"]
    assert len(exact) >= 20
    for text, want in exact:
        money = parse_money(text)
        assert money is not None, text
        assert money.amount == pytest.approx(float(want["num"]), abs=0.006), text
        assert money.currency == CURRENCY[want["case"]], text


@pytest.mark.parametrize("text, amount, currency", [
    ("人民币壹佰万元整", 1_000_000, "CNY"), ("1000万元整", 10_000_000, "CNY"), ("人民币30.0000万元整", 300_000, "CNY"),
    ("叁仟零叁拾万元整", 30_300_000, "CNY"), ("港币100万元", 1_000_000, "HKD"), ("500万美元", 5_000_000, "USD"),
    ("12,500,000.00元", 12_500_000, "CNY"),
])
def test_capital_as_licences_print_it(text, amount, currency):
    money = parse_money(text)
    assert (money.amount, money.currency) == (amount, currency)


def test_uscc_vectors_agree_with_the_check_digit(dev_set):
    with (dev_set / "uscc-vectors.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    for row in rows:
        repaired = repair_credit_code(row["code"])
        accepted = repaired is not None and repaired[0] == row["code"].upper()
        assert accepted == (row["gb32100_checksum"] == "pass"), row
    codes = (dev_set / "uscc-valid-codes.txt").read_text(encoding="utf-8").split()
    assert all(repair_credit_code(code)[0] == code for code in codes)


def test_credit_code_ocr_confusions_are_repaired_only_when_the_check_digit_agrees():
    assert repair_credit_code("9142I0O52522032504") == ("914210052522032504", 0.95)  # I→1, O→0
    assert repair_credit_code("91420605629447280D")[0] == "91420605629447280D"
    assert repair_credit_code("914210052522032505") is None  # wrong check digit: never accepted
    assert find_credit_codes("统一社会信用代码：9142 1005 2522 0325 04") == [("914210052522032504", 0.99)]


def test_dates_areas_counts_ratios():
    assert parse_date("成立日期 2021年12月14日") == date(2021, 12, 14)
    assert parse_date("二〇二一年十二月十四日") == date(2021, 12, 14)
    assert parse_date("月2015年06月08日") == date(2015, 6, 8)
    assert parse_date("2021年02月30日") is None
    assert parse_area("建筑面积壹佰贰拾陆点伍平方米（126.5㎡）") == 126.5
    assert parse_area("150m²") == 150 and parse_area("80平米") == 80
    assert parse_count("现有专职人员十二人") == 12 and parse_count("384人次") == 384
    assert parse_ratio("满意度达到98%") == 0.98 and parse_ratio("百分之七十") == 0.7


@pytest.mark.parametrize("raw, degree", [("全日制本科", "本科"), ("研究生", "硕士"), ("博士研究生", "博士"),
                                         ("中等专科", "中专"), ("大学专科", "大专"), ("初中", "其他")])
def test_degrees_normalise(raw, degree):
    assert normalise_degree(raw) == degree


@pytest.mark.parametrize("raw, title", [("高级工程师", "副高级"), ("工程师", "中级"), ("助理工程师", "初级"),
                                        ("正高级工程师", "高级"), ("教授", "高级"), ("副研究员", "副高级"),
                                        ("中级经济师", "中级"), ("—", "无"), ("一", "无"),  # a dash read as 一
                                        # OCR slips on blurred photos (seed-1 2026-CZ022): 副 read as 刷
                                        ("刷研究员", "副高级"), ("工程帅", "中级")])
def test_titles_normalise(raw, title):
    assert normalise_title(raw) == title


def test_fulltime_words():
    assert is_fulltime("专职") is True and is_fulltime("否") is False and is_fulltime("?") is None


def test_identity_numbers_are_masked_but_credit_codes_are_not():
    text = "421005196601276087 42060519941201725X 914210052522032504"
    assert mask_id_numbers(text) == "421005********6087 420605********725X 914210052522032504"


def _ocr_page(lines: list[tuple[str, tuple[float, float, float, float]]], rotation: int = 0) -> PageText:
    return PageText(page_no=1, width=1400, height=1000, source="ocr", rotation=rotation,
                    lines=[TextLine(text=t, bbox=b, confidence=0.98) for t, b in lines])


def test_licence_labels_spaced_split_and_beside_their_values():
    page = _ocr_page([
        ("统一社会信用代码", (100, 100, 400, 140)), ("9142I0052522032504", (100, 150, 420, 190)),
        ("名", (100, 300, 140, 340)), ("称", (250, 300, 290, 340)), ("荆州市鼎信数字科技有限公司", (320, 295, 760, 345)),
        ("注册资本 人民币壹佰万元整", (800, 300, 1200, 340)),
        ("类 型", (100, 360, 290, 400)), ("有限责任公司（自然人独资）成立日期2021年12月14日", (320, 360, 1200, 400)),
        ("营业期限2021年12月14日至长期", (800, 420, 1200, 460)),
        ("住所湖北省荆州市荆州区紫金大道65号", (800, 480, 1300, 520)), ("众创空间28层10室", (870, 525, 1100, 565)),
        ("登记机关", (900, 700, 1100, 740)), ("2025年07月27日", (900, 760, 1150, 800)),
    ])
    facts = extract(DocumentText("营业执照.jpg", "business_license", [page])).facts
    assert facts["credit_code"].value == "914210052522032504"
    assert facts["org_name"].value == "荆州市鼎信数字科技有限公司"
    assert facts["registered_capital_cny"].value == 1_000_000
    assert facts["entity_type"].value == "有限责任公司（自然人独资）"
    assert facts["registration_date"].value == "2021-12-14"  # not the issue date under the seal
    assert facts["business_term"].value == {"start": "2021-12-14", "end": None}
    assert facts["address"].value == "湖北省荆州市荆州区紫金大道65号众创空间28层10室"
    evidence = facts["org_name"].evidence[0]
    assert evidence.page == 1 and evidence.bbox[0] <= 100 and evidence.bbox[2] >= 760


def test_scraps_of_a_copy_stamp_across_the_page_join_no_value():
    # Boxes as PP-OCR gave them on 2026-CZ028's photographed licence, stamped 此件与原件一致 all over.
    page = _ocr_page([
        ("此件与原", (883, 159, 1154, 402)), ("统一社会信用代码91140411MA9MBBM2X6", (598, 532, 1122, 596)),
        ("名", (236, 660, 278, 707)), ("称 长治市卓越投资咨询有限公司", (354, 632, 780, 700)),
        ("法定代表人 林超庆", (237, 818, 516, 883)), ("与原", (611, 778, 792, 941)),
        ("注册资本壹佰万元整", (235, 873, 572, 940)), ("与原件一", (120, 1118, 390, 1363)),
    ])
    facts = extract(DocumentText("营业执照.jpg", "business_license", [page])).facts
    assert facts["legal_representative"].value == "林超庆"
    assert facts["org_name"].value == "长治市卓越投资咨询有限公司"
    assert [is_stamp_scrap(t) for t in ("与原", "件与原", "此件与原", "原件", "一致", "林超庆与原")] == [
        True, True, True, False, False, False]


def test_no_capital_is_reported_where_none_is_printed():
    page = _ocr_page([("名称深圳市福田区铭泰隆电子销售部", (100, 100, 700, 140)),
                      ("类型个体工商户", (100, 160, 400, 200)), ("成立日期2006年08月01日", (100, 220, 500, 260))])
    facts = extract(DocumentText("执照.jpg", "business_license", [page])).facts
    assert "registered_capital_cny" not in facts and "registered_capital" not in facts
    assert facts["registration_date"].value == "2006-08-01"


def test_lease_prefers_building_area_and_reads_the_term():
    lines = ["房屋租赁合同", "出租方（甲方）：荆州市宏图投资发展有限公司", "承租方（乙方）：荆州市鼎信数字科技有限公司",
             "甲方将坐落于湖北省荆州市荆州区紫金大道65号众创空间28层10室的房屋（以下简称该",
             "房屋）出租给乙方使用，该房屋建筑面积壹佰伍拾平方米（150㎡），其中使用面积120平方米。",
             "租赁期限自2025年9月27日起至2028年9月26日止。"]
    page = _ocr_page([(t, (100, 100 + 50 * i, 1300, 140 + 50 * i)) for i, t in enumerate(lines)])
    facts = extract(DocumentText("租赁合同.pdf", "lease_contract", [page])).facts
    assert facts["premises_lessee"].value == "荆州市鼎信数字科技有限公司"
    assert facts["premises_lessor"].value == "荆州市宏图投资发展有限公司"
    assert facts["premises_address"].value == "湖北省荆州市荆州区紫金大道65号众创空间28层10室"
    assert facts["premises_area_m2"].value == 150 and facts["premises_area_m2"].area_kind == "建筑面积"
    assert (facts["premises_lease_start"].value, facts["premises_lease_end"].value) == ("2025-09-27", "2028-09-26")


def test_roster_from_docx_table_normalises_and_masks():
    table = [["序号", "姓名", "身份证号码", "学历", "职称", "是否专职"],
             ["1", "曾锦丰", "421005********6087", "硕士研究生", "高级会计师", "专职"],
             ["2", "周洋博", "421005********7975", "全日制本科", "—", "兼职"]]
    page = PageText(page_no=1, source="docx", tables=[table],
                    lines=[TextLine(text="\t".join(row)) for row in table])
    staff = extract(DocumentText("名册.docx", "staff_roster", [page])).facts["staff"].value
    assert [(p["name"], p["degree"], p["title"], p["fulltime"]) for p in staff] == [
        ("曾锦丰", "硕士", "副高级", True), ("周洋博", "本科", "无", False)]
    assert staff[0]["id_masked"] == "421005********6087"


def test_report_claims_from_table_and_prose():
    rows = [["项目", "内容"], ["申报单位名称", "荆州市鼎信数字科技有限公司"], ["服务场所面积", "200平方米"],
            ["2024年服务中小企业数", "213家"], ["公益性服务占比", "15%"]]
    prose = ["我单位现有专职人员十二人，其中具有本科以上学历或中级以上职称的专业人员8人。",
             "2025年共服务中小企业236家，较上年增长明显。", "经第三方回访调查，用户满意度达到98%。"]
    page = PageText(page_no=1, source="docx", tables=[rows],
                    lines=[TextLine(text="\t".join(r)) for r in rows] + [TextLine(text=t) for t in prose])
    claims = extract(DocumentText("申请报告.docx", "application_report", [page])).claims
    values = {key: fact.value for key, fact in claims.items()}
    assert values == {"org_name": "荆州市鼎信数字科技有限公司", "premises_area_m2": 200.0, "public_service_ratio": 0.15,
                      "smes_served_per_year": 236, "smes_served_prev_year": 213, "staff_fulltime_count": 12,
                      "staff_qualified_count": 8, "satisfaction_rate": 0.98}


def test_an_extractor_crash_is_noted_not_raised(monkeypatch):
    import extractors

    def broken(doc):
        raise ValueError("boom")

    monkeypatch.setitem(extractors.EXTRACTORS, "audit_report", broken)
    result = extract(DocumentText("审计报告.pdf", "audit_report", []))
    assert result.facts == {} and "审计报告.pdf" in result.notes[0]


# The truth's `uncertain` column names fields in Chinese; a field named there is not scored.
UNCERTAIN_NAMES = {"credit_code": "uscc", "registration_date": "成立日期", "registered_capital_cny": "注册资本",
                   "org_name": "名称"}
REAL_LICENCE_TARGETS = {"credit_code": 0.97, "registration_date": 0.95, "registered_capital_cny": 0.95,
                        "org_name": 0.93}


def real_licence_expected(truth: dict[str, str], key: str) -> object:
    """The truth's value for a fact key, in the fact's own form."""
    if key == "registered_capital_cny":
        return int(truth["registered_capital"]) if truth["registered_capital"] else None
    return truth[key] or None


def test_real_licences_meet_the_exact_match_targets_and_invent_no_capital(real_licences):
    scored = {key: [] for key in REAL_LICENCE_TARGETS}
    invented_capital = []
    for name, (truth, read) in real_licences.items():
        facts = extract(DocumentText(name, "business_license", read.pages)).facts
        if not truth["registered_capital_raw"] and ("registered_capital_cny" in facts or "registered_capital" in facts):
            invented_capital.append(name)
        for key in REAL_LICENCE_TARGETS:
            if UNCERTAIN_NAMES[key] in truth["uncertain"]:
                continue
            if key == "registered_capital_cny" and truth["capital_currency"] not in ("", "CNY"):
                continue
            expected = real_licence_expected(truth, key)
            got = facts[key].value if key in facts else None
            if expected is None and got is None:
                continue  # nothing printed, nothing reported
            scored[key].append((name, expected, got))
    assert invented_capital == []
    for key, target in REAL_LICENCE_TARGETS.items():
        right = sum(expected == got for _name, expected, got in scored[key])
        wrong = [row for row in scored[key] if row[1] != row[2]]
        assert len(scored[key]) >= 18, key
        assert right / len(scored[key]) >= target, (key, wrong)


def test_licence_repairs_use_what_the_licence_itself_confirms():
    from extractors.business_license import (
        capital_amount,
        closed_brackets,
        name_with_region_from_code,
        registration_date_against_term,
        without_leading_symbols,
    )
    from extractors.layout import trim_value
    from extractors.validate import org_name

    assert without_leading_symbols("☑其他有限责任公司") == "其他有限责任公司"
    assert closed_brackets("有限责任公司（非自然人投资或控股的法人独资") == "有限责任公司（非自然人投资或控股的法人独资）"
    assert closed_brackets("个人独资企业") == "个人独资企业"
    assert trim_value("：技术开发、技术推广；") == "技术开发、技术推广；"  # the list goes on below

    assert org_name("中通服网盈科技有限公司仅用于中国电信网上营业").value == "中通服网盈科技有限公司"
    assert org_name("武汉某某科技有限公司洪山分公司").value == "武汉某某科技有限公司洪山分公司"
    # 91330604… is registered in 绍兴市上虞区: one misread character of the place is restored, two are not.
    assert name_with_region_from_code("招兴舜晟新材料有限公司", "91330604MA2D888M9L")[0] == "绍兴舜晟新材料有限公司"
    assert name_with_region_from_code("招商舜晟新材料有限公司", "91330604MA2D888M9L") == ("招商舜晟新材料有限公司", 1.0)
    assert name_with_region_from_code("上虞舜晟新材料有限公司", "91330604MA2D888M9L") == ("上虞舜晟新材料有限公司", 1.0)
    # a trade name first and the place in brackets: the trade name is no misread place
    assert name_with_region_from_code("长盛（长治）投资咨询有限公司", "91140402MAQDMM9972") == ("长盛（长治）投资咨询有限公司", 1.0)
    # 100000.0000万元 read without its point is beyond any registered capital: the point is restored.
    assert capital_amount("人民币1000000000万元整")[:2] == (1000000000, "CNY")  # 100000.0000万元
    assert capital_amount("人民币26000万元整") == (260000000, "CNY", 1.0)
    # 营业期限 starts on 成立日期; its start wins a one-character disagreement only when its end confirms it.
    term = {"start": "2015-03-04", "end": "2035-03-03"}
    assert registration_date_against_term("2015-05-04", term) == ("2015-03-04", 0.85)
    assert registration_date_against_term("2015-05-04", {"start": "2015-03-04", "end": "2035-03-09"})[1] == 0.5
    assert registration_date_against_term("2012-01-10", {"start": None, "end": None}) == ("2012-01-10", 1.0)


def test_a_misread_long_label_and_the_scope_closing_sentence_are_recognised():
    page = _ocr_page([("事业单位法人证书", (400, 100, 880, 170)), ("名", (120, 300, 150, 340)),
                      ("称·黄石市中小企业服务中心", (210, 300, 520, 340)),
                      ("宗音和务范围", (120, 460, 250, 500)),
                      ("创业空间服务；孵化器服务；物业管理。（依法须经批准的项目；经相关部门", (260, 460, 700, 500)),
                      ("批准后方可开展经营活动)", (260, 505, 480, 545))])
    facts = extract(DocumentText("法人证书.png", "legal_person_certificate", [page])).facts
    assert facts["org_name"].value == "黄石市中小企业服务中心"  # the stray dot before the name dropped
    assert facts["business_scope"].value == ("创业空间服务;孵化器服务;物业管理。"
                                             "（依法须经批准的项目，经相关部门批准后方可开展经营活动）")
    from extractors.business_license import SCOPE_CLOSING, scope_with_printed_closing

    read_twice = "知识产权服务。（依法须经批准的项目,经相关部门批准后方可开展经营活动）务。（依法须经批准的项目，经相关部门批"
    assert scope_with_printed_closing(read_twice) == "知识产权服务。（依法须经批准的项目，经相关部门批准后方可开展经营活动）"
    cut_short = "知识产权服务。（依法须经批准的项目,经"
    assert scope_with_printed_closing(cut_short) == cut_short  # what was not read is not made up
    last_words_lost = "数据处理服务;互联网信息服务。（依法须经批准的项目,经相关部门批准后方可开"  # 2026-CZ024, seed 1
    assert scope_with_printed_closing(last_words_lost) == "数据处理服务;互联网信息服务。" + SCOPE_CLOSING
    # two characters lost, and the label run into its value
    page = _ocr_page([("宗和务范围融资咨询服务；投资咨询。", (120, 460, 700, 500))])
    facts = extract(DocumentText("法人证书.png", "legal_person_certificate", [page])).facts
    assert facts["business_scope"].value == "融资咨询服务;投资咨询。"
    # a label that merely resembles nothing long enough is not taken for one
    page = _ocr_page([("经营", (120, 460, 200, 500)), ("创业空间服务", (260, 460, 700, 500))])
    assert "business_scope" not in extract(DocumentText("执照.png", "business_license", [page])).facts


def test_lease_area_whose_square_sign_was_lost_and_parties_without_watermark_words():
    lines = ["房屋租赁合同", "出租方（甲方）：宜昌市嘉禾资产经营管理有限公司报使用", "承租方（乙方）：张三",
             "甲方将坐落于湖北省宜昌市夷陵区光谷路54号的房屋出租给乙方使用，该房屋建筑面积126.5m。"]
    page = _ocr_page([(t, (100, 100 + 50 * i, 1300, 140 + 50 * i)) for i, t in enumerate(lines)])
    facts = extract(DocumentText("租赁合同.jpg", "lease_contract", [page])).facts
    assert facts["premises_lessor"].value == "宜昌市嘉禾资产经营管理有限公司"
    assert facts["premises_lessee"].value == "张三"
    assert facts["premises_area_m2"].value == 126.5 and facts["premises_area_m2"].confidence < 0.98  # less than its line
    page = _ocr_page([("该房屋建筑面积为5m宽的走廊旁", (100, 100, 1300, 140))])
    assert "premises_area_m2" not in extract(DocumentText("租赁合同.jpg", "lease_contract", [page])).facts


def test_qualification_kinds_from_the_title():
    for title in ("ICP备案", "人力资源服务许可证", "培训机构备案证明", "检验检测机构资质认定证书"):
        page = _ocr_page([("仅供申报使用" + title, (500, 100, 900, 160)), ("编号：1234567890", (550, 200, 850, 240)),
                          ("有效期至 2028年5月1日", (300, 300, 800, 340))])
        facts = extract(DocumentText("资质.jpg", "qualification_certificate", [page])).facts
        assert facts["qualification_kind"].value == title
        assert facts["qualification_valid_until"].value == "2028-05-01"
    # A watermark's scraps above the title and a stray letter beside it (2026-CZ028, fixtures seed 1).
    scraps = [("仅份", (1276, 51, 1452, 219)), ("使用", (474, 290, 668, 472)), ("仅供申", (265, 436, 477, 649))]
    page = _ocr_page([*scraps[:2], ("检验检测机构资质认定证书", (424, 419, 1082, 518)), ("A", (1352, 444, 1415, 520)),
                      scraps[2], ("编号：6893735726", (640, 597, 871, 633))])
    kind = extract(DocumentText("资质.jpg", "qualification_certificate", [page])).facts["qualification_kind"]
    assert kind.value == "检验检测机构资质认定证书" and kind.evidence[0].bbox == [424, 419, 1082, 518]


def test_overprints_footers_and_misread_brackets_do_not_reach_values():
    from extractors.credit import decision_number
    from extractors.layout import trim_value

    assert trim_value("个体工商户复印无效") == "个体工商户"
    assert trim_value("事业单位印无效") == "事业单位"  # the part of 复印无效 that ran into the value
    assert trim_value("此件与原件荆州市鼎信数字科技有限公司") == "荆州市鼎信数字科技有限公司"
    assert trim_value("：仅供申报使用荆州市鼎信数字科技有限公司") == "荆州市鼎信数字科技有限公司"
    assert decision_number("襄阳市罚〔2021）537号") == "襄阳市罚〔2021〕537号"
    assert decision_number("鄂应急罚（2022）12号") == "鄂应急罚（2022）12号"  # a consistent pair is left as printed
    # the roster's footer line sits in the 姓名 column under the last row: it ends the table, it is no wrap
    lines = [("序号", (200, 100, 260, 140)), ("姓名", (300, 100, 360, 140)), ("学历", (500, 100, 560, 140)),
             ("职称", (700, 100, 760, 140)), ("职务", (900, 100, 960, 140)),
             ("1", (200, 160, 220, 200)), ("林浩霞", (300, 160, 390, 200)), ("中等专科", (500, 160, 620, 200)),
             ("教授", (700, 160, 760, 200)), ("法务专员兼职", (900, 160, 1070, 200)),
             ("专职人员合计1人。", (300, 215, 560, 255))]
    staff = extract(DocumentText("名册.jpg", "staff_roster", [_ocr_page(lines)])).facts["staff"]
    assert [(p["name"], p["degree"], p["title"], p["fulltime"]) for p in staff.value] == [("林浩霞", "中专", "高级", False)]
    assert staff.confidence < 0.5  # the roster says one full-time person and none was read as full-time


def test_the_rented_premises_come_before_an_owned_one():
    from pipeline.facts import merge_extractions

    def premises(address: str, area: float) -> dict:
        return {"facts": {"premises_address": {"value": address, "confidence": 1.0, "evidence": []},
                          "premises_area_m2": {"value": area, "confidence": 1.0, "evidence": []}}}

    facts, _ = merge_extractions([("不动产权证书.pdf", "property_certificate", premises("商务楼23层（副楼）10室", 35.0)),
                                  ("附件3 房屋租赁合同.pdf", "lease_contract", premises("商务楼23层10室", 50.0))])
    assert facts["premises_address"].value == "商务楼23层10室"
    assert facts["premises_area_m2"].value == 85.0  # several premises add up
    assert [p["kind"] for p in facts["premises"].value] == ["lease", "property"]


ROSTER_HEADER = ("序号", "姓名", "性别", "身份证号码", "学历", "毕业院校", "专业", "职称", "职务", "是否", "专职")


@pytest.mark.parametrize("header_boxes, rows, skew_deg, expected", [
    # A skewed, blurred scan (fixtures seed 1, 2026-HB023): the first row's top is above the header's
    # bottom, 是否/专职, 全日制本/科 and 计算机科学与/技术 wrap, and the tick reads as V.
    ([(197, 233, 270, 281), (268, 239, 344, 285), (394, 242, 468, 288), (472, 246, 605, 290), (731, 251, 800, 297),
      (843, 248, 966, 305), (1016, 258, 1085, 306), (1174, 263, 1243, 312), (1302, 268, 1371, 315),
      (1420, 270, 1490, 317), (1423, 299, 1487, 349)],
     [("1", (200, 322, 229, 354)), ("邱波涛", (275, 311, 365, 364)), ("男", (391, 320, 436, 363)),
      ("420611********839X", (472, 321, 719, 371)), ("全日制本", (731, 325, 842, 376)),
      ("中南财经政法", (843, 329, 1004, 378)), ("计算机科学与", (1014, 334, 1172, 383)),
      ("助理工程师", (1174, 341, 1302, 386)), ("法务专员", (1302, 341, 1413, 390)), ("V", (1425, 351, 1457, 388)),
      ("科", (731, 358, 773, 400)), ("大学", (849, 366, 910, 404)), ("技术", (1014, 366, 1083, 411)),
      ("2", (197, 395, 229, 434)), ("于子", (274, 393, 340, 441)), ("男", (391, 397, 434, 441)),
      ("420611********267X", (470, 396, 717, 447)), ("博士", (728, 404, 795, 450)),
      ("华中科技大学", (841, 401, 1003, 459)), ("汉语言文学", (1016, 414, 1146, 459)),
      ("中级经济师", (1169, 411, 1303, 466)), ("项目经理", (1302, 422, 1411, 466)), ("兼职", (1423, 429, 1484, 466))],
     1.92,  # as measured on that page: rows are grouped along the tilt
     [("邱波涛", "本科", "初级", True), ("于子", "博士", "中级", False)]),
    # A phone photo (2026-CZ022): 是否/专职 wraps and the header slants up to the right, so 专职 lies
    # lower than the header's middle only locally; no tilt was measured.
    ([(246, 314, 297, 345), (299, 312, 351, 345), (384, 310, 436, 343), (442, 305, 539, 341), (632, 303, 679, 337),
      (714, 298, 799, 335), (843, 298, 890, 332), (956, 294, 1008, 328), (1051, 290, 1105, 330),
      (1142, 290, 1192, 324), (1146, 312, 1196, 349)],
     [("孔吴", (303, 367, 353, 405)), ("女", (390, 369, 419, 399)), ("140411********4881", (442, 360, 618, 399)),
      ("全日制本", (634, 358, 714, 394)), ("武汉理工大学", (714, 352, 835, 392)), ("电子信息工程", (845, 352, 962, 387)),
      ("教授", (960, 352, 1008, 385)), ("财务主管", (1052, 342, 1141, 386)), ("√", (1150, 352, 1169, 377)),
      ("科", (634, 383, 665, 413)),
      ("郝杰思", (307, 629, 372, 661)), ("女", (392, 629, 424, 659)), ("140411********7741", (450, 627, 624, 657)),
      ("中等专科", (640, 623, 725, 659)), ("华中科技大学", (729, 623, 841, 653)), ("计算机科学与", (855, 621, 966, 650)),
      ("助理经济师", (970, 618, 1065, 648)), ("技术工程", (1067, 618, 1150, 648))],
     0.0,
     [("孔吴", "本科", "高级", True), ("郝杰思", "中专", "初级", False)]),
    # A blurred phone photo (seed 2, 2026-HB021): the detector cut 龙娟's name box short. The row keeps
    # its person (an ID and a degree say it is one), so the full-time count stays right; a lone 3 does not.
    ([(303, 347, 324, 372), (359, 347, 400, 372), (441, 347, 470, 372), (502, 347, 600, 372), (685, 347, 730, 372),
      (768, 347, 849, 372), (890, 347, 930, 372), (1003, 347, 1040, 372), (1100, 347, 1140, 372),
      (1179, 340, 1207, 360), (1179, 362, 1207, 382)],
     [("13", (299, 935, 330, 965)), ("黎雨", (352, 935, 400, 967)), ("男", (439, 938, 468, 967)),
      ("421000********5510", (499, 935, 686, 968)), ("专科", (690, 938, 732, 972)), ("太原理工大学", (774, 940, 884, 970)),
      ("汉语言文学", (894, 938, 993, 974)), ("财务主管", (1106, 940, 1189, 976)), ("否", (1195, 944, 1222, 976)),
      ("14", (295, 985, 332, 1022)), ("龙", (352, 987, 400, 1022)), ("女", (437, 990, 466, 1022)),
      ("421000********6900", (499, 985, 686, 1024)), ("中等专科", (687, 990, 768, 1026)),
      ("武汉理工大学", (772, 994, 884, 1024)), ("工商管理", (894, 992, 979, 1028)), ("初级会计师", (1011, 994, 1108, 1030)),
      ("总经理", (1110, 996, 1173, 1028)), ("是", (1195, 998, 1224, 1030)),
      ("3", (359, 1040, 372, 1070))],
     0.0,
     [("黎雨", "大专", "无", False), ("龙", "中专", "初级", True)]),
])
def test_scanned_roster_rows_as_pp_ocr_boxed_them(header_boxes, rows, skew_deg, expected):
    page = _ocr_page(list(zip(ROSTER_HEADER, header_boxes, strict=True)) + rows)
    page.skew_deg = skew_deg
    staff = extract(DocumentText("名册.jpg", "staff_roster", [page])).facts["staff"].value
    assert [(p["name"], p["degree"], p["title"], p["fulltime"]) for p in staff] == expected


def test_activity_dates_take_the_columns_year_for_a_year_misread_in_one_digit():
    from extractors.service_evidence import column_dates

    assert column_dates(["2925年6月10日", "2025年6月24日", "2026年1月3日", "", "2927年1月1日"]) == [
        ("2025-06-10", 0.8), ("2025-06-24", 1.0), ("2026-01-03", 1.0), None, None]  # 2927 is two digits from both
    assert column_dates(["2925年6月10日"]) == [None]  # no year of its own column to go by


def test_columns_that_drift_down_a_photographed_roster_are_followed():
    # A phone photo's perspective (as on 2026-CZ022): lower rows start further right, the more so the
    # further right the column; by the last row 职称 starts where 职务's header does.
    header_boxes = [(246, 314, 297, 345), (299, 312, 351, 345), (384, 310, 436, 343), (442, 305, 539, 341),
                    (632, 303, 679, 337), (714, 298, 799, 335), (843, 298, 890, 332), (956, 294, 1008, 328),
                    (1051, 290, 1105, 330), (1142, 290, 1192, 324), (1146, 312, 1196, 349)]
    cells = [("1", 254, 20), ("姓名", 305, 65), ("男", 390, 30), ("140411********5678", 450, 170), ("大学本科", 636, 85),
             ("长江大学", 720, 85), ("软件工程", 850, 85), ("初级会计师", 962, 100), ("培训讲师", 1058, 85), ("√", 1152, 20)]
    lines = []
    for number in range(1, 19):
        top = 300 + 56 * number
        for text, left, width in cells:
            moved = left + number * 0.0035 * (left - 246)
            text = {"1": str(number), "姓名": f"张{'一二三四五六七八九十'[number % 10]}{'甲乙丙'[number % 3]}"}.get(text, text)
            lines.append((text, (moved, top, moved + width, top + 34)))
    page = _ocr_page(list(zip(ROSTER_HEADER, header_boxes, strict=True)) + lines)
    staff = extract(DocumentText("名册.jpg", "staff_roster", [page])).facts["staff"].value
    assert len(staff) == 18
    assert all((p["title"], p["fulltime"], p["degree"]) == ("初级", True, "本科") for p in staff), staff[-3:]


def test_a_roster_whose_fulltime_header_went_unread_takes_a_bare_no_at_the_row_end_as_part_time():
    # Boxes as PP-OCR gave them on seed-2 2026-CZ035's clean scan: the 是否专职 header was not detected.
    header = [("序号", (172, 253, 243, 297)), ("姓名", (246, 253, 319, 299)), ("性别", (368, 253, 438, 299)),
              ("身份证号码", (447, 255, 580, 297)), ("学历", (708, 253, 777, 299)), ("毕业院校", (824, 255, 937, 297)),
              ("专业", (993, 253, 1060, 299)), ("职称", (1146, 253, 1218, 299)), ("职务", (1276, 253, 1348, 299))]
    rows = [[("1", (179, 338, 202, 367)), ("孟英", (256, 328, 319, 377)), ("男", (371, 333, 413, 377)),
             ("本科", (708, 331, 775, 377)), ("长江大学", (824, 328, 937, 379)), ("工商管理", (997, 331, 1105, 374)),
             ("法务专员", (1280, 331, 1390, 374)), ("是", (1397, 333, 1440, 377))],
            [("3", (177, 429, 209, 465)), ("彭然", (249, 417, 321, 473)), ("女", (371, 424, 413, 470)),
             ("中等专科", (708, 424, 820, 468)), ("中南财经政法", (823, 420, 979, 470)), ("人力资源管理", (999, 424, 1148, 465)),
             ("无", (1152, 426, 1193, 468)), ("培训讲师", (1282, 424, 1393, 468)), ("否", (1390, 419, 1444, 472))]]
    page = PageText(page_no=1, width=1654, height=2339, source="ocr",
                    lines=[TextLine(text=t, bbox=b, confidence=0.99) for t, b in header + rows[0] + rows[1]])
    staff = extract(DocumentText("名册.pdf", "staff_roster", [page])).facts["staff"].value
    assert [(p["name"], p["fulltime"]) for p in staff] == [("孟英", True), ("彭然", False)]


@pytest.mark.parametrize("read, printed", [
    ("有限责任公司（非自然人投资或控股的法人独）", "有限责任公司（非自然人投资或控股的法人独资）"),  # 资 lost (seen 4 times)
    ("股份有限公司（非上市、自然人投资或控股））", "股份有限公司（非上市、自然人投资或控股）"),  # a bracket read twice
    ("有限责任公司(自然人独资)", "有限责任公司（自然人独资）"),
    ("有限责任公司（国有独股）", None),  # as near 国有独资 as 国有控股: left as read
    # The 成立日期 column's date run on, its label lost under a blur or a seal.
    ("有限责任公司（自然人独资）2016年09月22日", "有限责任公司（自然人独资）"),
    ("有限责任公司（自然人投资或控股的法人独资）月2018年03月05日", "有限责任公司（自然人投资或控股的法人独资）"),
    ("某某信息咨询部", None),
])
def test_an_entity_type_a_slip_from_one_printed_type_is_that_type(read, printed):
    from extractors.business_license import known_entity_type

    assert known_entity_type(read) == printed


@pytest.mark.parametrize("footer, expected", [
    ("填报单位（盖章）：长治市新锐创业孵化有限公司", "长治市新锐创业孵化有限公司"),
    ("填报单位【章 长治市新锐创业孵化有限公司", "长治市新锐创业孵化有限公司"),  # the label broken by the seal over it
])
def test_the_roster_names_who_filed_it_from_its_footer(footer, expected):
    page = _ocr_page([("长治市新锐创业孵化有限公司服务人员名册", (300, 100, 1000, 140)),
                      ("序号 姓名 性别 学历 职称 是否专职", (100, 200, 1100, 240)),
                      ("1 王明 男 本科 工程师 是", (100, 260, 1100, 300)),
                      (footer, (100, 400, 900, 440))])
    facts = extract(DocumentText("名册.jpg", "staff_roster", [page])).facts
    assert facts["roster_org_name"].value == expected


def test_an_address_carries_on_past_the_next_columns_wrapped_line():
    # Boxes as PP-OCR gave them on seed-2 2026-CZ034's flattened phone photo: 国际中心27层20室 sits a
    # little lower than the 业务范围 column's second line, so rows group them apart.
    page = _ocr_page([
        ("业务范围", (128, 606, 263, 640)), ("信息技术咨询服务；软件开发；信息系统集成服务；", (284, 606, 701, 630)),
        ("住", (744, 605, 783, 642)), ("所", (845, 608, 882, 639)), ("山西省长治市襄垣县太行街285号", (893, 603, 1237, 637)),
        ("数据处理服务；互联网信息服务。(依法须经批准的", (284, 630, 710, 654)),
        ("国际中心27层20室", (897, 645, 1092, 677)),
        ("项目，经相关部门批准后方可开展经营活动)", (284, 656, 645, 680)), ("登记机关", (822, 710, 1040, 752))])
    facts = extract(DocumentText("法人证书.png", "legal_person_certificate", [page])).facts
    assert facts["address"].value == "山西省长治市襄垣县太行街285号国际中心27层20室"


def test_a_signature_blocks_name_wrapped_below_the_other_partys_line_is_joined():
    # Two signature columns set a little apart in height: the lessee's name wraps in its column, and the
    # lessor's line, lower on the left, comes between the two parts in reading order.
    lines = [("承租人（以下简称“乙方”）：", (178, 300, 700, 332)), ("统一社会信用代码：", (178, 350, 500, 382)),
             ("乙方（盖章）：恒远（荆州）人力资源有限公", (835, 1275, 1446, 1306)),
             ("甲方（盖章）：荆州市融达置业有限公司", (186, 1296, 736, 1327)),
             ("司", (835, 1317, 866, 1347)),
             ("法定代表人或委托代理人：董晓娟法定代表人或委托代理人：郝涵", (186, 1393, 1263, 1424))]
    page = PageText(page_no=1, width=1654, height=2339, source="text_layer",
                    lines=[TextLine(text=t, bbox=b) for t, b in lines])
    facts = extract(DocumentText("租赁合同.pdf", "lease_contract", [page])).facts
    assert facts["premises_lessee"].value == "恒远（荆州）人力资源有限公司"
    assert facts["premises_lessor"].value == "荆州市融达置业有限公司"


@pytest.mark.parametrize("headers", [
    [("所在层数建筑面积（m）", (802, 891, 1110, 940)), ("套内建筑面积（", (1117, 877, 1314, 918)), ("m²)", (1181, 916, 1240, 959))],
    [("所在层数", (802, 891, 930, 940)), ("建筑面积（m²）", (950, 891, 1110, 940)), ("套内建筑面积（m²）", (1117, 891, 1314, 940))],
])
def test_a_certificates_area_is_the_figure_under_its_column_header(headers):
    # 房屋所有权证's 房屋状况 table: neighbouring headers read as one box, the next header wrapped.
    lines = [("房屋所有权证", (654, 168, 1004, 241)), ("房屋所有权人", (195, 377, 371, 426)),
             ("黄石恒远信息技术有限公司", (386, 377, 716, 424)), ("房屋状况", (765, 808, 894, 860)),
             ("幢号", (240, 888, 319, 947)), ("房号", (411, 886, 489, 945)), ("结构", (539, 886, 620, 945)),
             ("房屋总层数", (647, 888, 800, 938)), *headers, ("其它", (1359, 886, 1442, 943)),
             ("4", (263, 975, 300, 1023)), ("08", (422, 970, 482, 1023)), ("钢混", (539, 970, 620, 1025)),
             ("34", (694, 970, 753, 1023)), ("24", (836, 970, 896, 1023)), ("320", (986, 972, 1056, 1023)),
             ("262.9", (1168, 970, 1265, 1023))]
    page = PageText(page_no=1, width=1654, height=2339, source="ocr",
                    lines=[TextLine(text=t, bbox=b, confidence=0.99) for t, b in lines])
    facts = extract(DocumentText("房产证.jpg", "property_certificate", [page])).facts
    assert facts["premises_area_m2"].value == 320.0
    assert facts["premises_area_m2"].confidence < 0.95  # found by position: a little less sure than by a label


def test_a_reports_credit_code_whose_label_a_table_cell_wrapped_is_still_claimed():
    # A 申报条件对照表 in a text PDF: the cell's wrap cut 统一社会信 / 用代码, the row number before the second part.
    lines = [("序号认定条件本单位情况证明材料", (196, 733, 1385, 761)),
             ("长治汇通创业孵化有限公司，统一社会信", (705, 785, 1180, 811)),
             ("具有独立法人资格，运营两年以上", (277, 803, 672, 829)),
             ("1用代码911404009654446952，成立于2015营业执照副本", (216, 820, 1412, 847)),
             ("（第六条（一））", (277, 838, 488, 865)), ("年06月07日", (705, 856, 837, 882))]
    page = PageText(page_no=1, width=1654, height=2339, source="text_layer",
                    lines=[TextLine(text=t, bbox=b) for t, b in lines])
    claims = extract(DocumentText("申请报告.pdf", "application_report", [page])).claims
    assert claims["credit_code"].value == "911404009654446952"
    assert claims["credit_code"].confidence < 0.95
    # A code that only a clause names (the lessor's, in the premises section) is no claim of the applicant's.
    page = PageText(page_no=1, width=1654, height=2339, source="text_layer",
                    lines=[TextLine(text="出租方长治市华腾物业管理有限公司（911404056021034370）", bbox=(200, 800, 1400, 830))])
    assert "credit_code" not in extract(DocumentText("申请报告.pdf", "application_report", [page])).claims


def test_total_assets_from_a_two_half_balance_sheet_whose_commas_ocr_read_as_points():
    # 资产 | 行次 | 期末余额 | 上年年末余额 ‖ 负债和所有者权益 | 行次 | 期末余额 | 上年年末余额, scanned on a slant:
    # 上年年末余额 is last year's closing balance, not this year's.
    lines = [("资产负债表", (1074, 158, 1316, 239)), ("2025年12月31日", (1334, 309, 1538, 363)),
             ("单位：人民币元", (1979, 333, 2186, 392)), ("资产", (192, 337, 258, 384)), ("行次", (524, 346, 601, 402)),
             ("期末余额", (740, 358, 853, 408)), ("上年年末余额负债和所有者权益", (939, 366, 1285, 426)),
             ("行次", (1503, 391, 1569, 440)), ("期末余额", (1753, 400, 1867, 451)), ("上年年末余额", (1992, 410, 2146, 460)),
             ("资产总计", (167, 991, 278, 1039)), ("34", (511, 1011, 557, 1051)), ("880.000.00", (693, 1012, 826, 1064)),
             ("1,350,000.00", (910, 1023, 1063, 1071)), ("负债和所有者权益（或股东权益）总计", (1058, 1027, 1463, 1089)),
             ("86", (1491, 1053, 1527, 1085)), ("880.000.00", (1702, 1054, 1838, 1106)), ("1,350.000.00", (1960, 1070, 2112, 1110))]
    page = PageText(page_no=3, width=2339, height=1654, source="ocr",
                    lines=[TextLine(text=t, bbox=b, confidence=0.99) for t, b in lines])
    facts = extract(DocumentText("审计报告.pdf", "audit_report", [page])).facts
    assert facts["total_assets_cny"].value == 880000
    assert facts["audit_year"].value == 2025


def test_a_roster_whose_degree_and_title_headings_wrapped_in_their_cells_is_read():
    # 文化程 / 度 and 专业技术 / 职称: narrow header cells of a scanned 员工花名册 under 一、专职人员.
    lines = [("一、专职人员", (172, 301, 384, 351)), ("序号", (177, 382, 246, 433)), ("姓名", (258, 382, 334, 438)),
             ("性别", (352, 382, 418, 431)), ("出生日期", (422, 385, 536, 429)), ("身份证号", (600, 387, 711, 431)),
             ("职务", (782, 379, 858, 436)), ("文化程", (881, 370, 975, 416)), ("度", (901, 402, 959, 450)),
             ("所学专业", (989, 382, 1107, 433)), ("专业技术", (1125, 370, 1240, 413)), ("职称", (1146, 402, 1222, 448)),
             ("联系电话", (1265, 382, 1383, 433)), ("备注", (1400, 385, 1471, 433)),
             ("1", (191, 465, 231, 516)), ("谢平", (260, 465, 334, 514)), ("男", (359, 463, 408, 518)),
             ("1999-06-", (420, 452, 534, 495)), ("4203051999061623", (541, 455, 768, 489)), ("财务主", (775, 450, 866, 497)),
             ("本科", (888, 461, 966, 516)), ("会计学", (1002, 463, 1097, 516)), ("助理经济", (1125, 450, 1240, 495)),
             ("151899668", (1252, 452, 1390, 495)), ("16", (455, 484, 505, 528)), ("38", (629, 486, 674, 525)),
             ("管", (797, 484, 844, 528)), ("师", (1159, 484, 1206, 528)), ("00", (1299, 484, 1346, 525)),
             ("2", (191, 545, 231, 594)), ("白琳远", (251, 543, 346, 596)), ("男", (361, 548, 406, 594)),
             ("1969-06-", (420, 531, 534, 575)), ("4203051969061783", (543, 536, 765, 570)), ("项目经", (773, 531, 869, 575)),
             ("全日制", (881, 531, 975, 577)), ("机械工程", (986, 543, 1107, 594)), ("正高级工", (1125, 531, 1240, 575)),
             ("134154775", (1255, 531, 1393, 575)), ("17", (455, 564, 505, 609)), ("1X", (632, 564, 676, 607)),
             ("理", (795, 564, 844, 609)), ("本科", (890, 562, 966, 611)), ("程师", (1146, 562, 1220, 611)),
             ("61", (1299, 564, 1343, 607))]
    page = PageText(page_no=1, width=1654, height=2339, source="ocr",
                    lines=[TextLine(text=t, bbox=b, confidence=0.99) for t, b in lines])
    staff = extract(DocumentText("人员花名册.pdf", "staff_roster", [page])).facts["staff"].value
    assert [(p["name"], p["degree"], p["title"], p["fulltime"]) for p in staff] == [
        ("谢平", "本科", "初级", True), ("白琳远", "本科", "高级", True)]


def test_a_part_time_section_over_a_three_line_header_makes_its_people_part_time():
    # 一、专职人员 / 二、兼职人员, each table headed 序号 | 基本情况 | 学历情况 … over 姓名 | 性别 …, in a text PDF.
    head = [["序号", "基本情况", "", "", "学历情况", "", "", "职称", "职务", "联系电话"],
            ["", "姓名", "性别", "身份证号码", "学历", "毕业院校", "所学专业", "", "", ""]]
    full = head + [["1", "贺斌磊", "女", "420600********4400", "大学本科", "长江大学", "软件工程", "工程师", "技术工程师", "13192834989"]]
    part = head + [["1", "邱凯", "男", "420600********2894", "专科", "长江大学", "电子信息工程", "会计师", "培训讲师", "19466565746"]]
    texts = ["襄阳市卓越创业孵化有限公司员工花名册", "填报单位（盖章）：襄阳市卓越创业孵化有限公司填报日期：2026年6月5日",
             "一、专职人员", "基本情况学历情况", "序号职称职务联系电话", "姓名性别身份证号码学历毕业院校所学专业",
             "1贺斌磊女420600********4400大学本科长江大学软件工程工程师技术工程师13192834989", "小计：1人",
             "二、兼职人员", "基本情况学历情况", "序号职称职务联系电话", "姓名性别身份证号码学历毕业院校所学专业",
             "1邱凯男420600********2894专科长江大学电子信息工程会计师培训讲师19466565746", "小计：1人"]
    page = PageText(page_no=1, width=1654, height=2339, source="text_layer", tables=[full, part],
                    lines=[TextLine(text=t, bbox=(150, 100 + 60 * i, 1500, 140 + 60 * i)) for i, t in enumerate(texts)])
    staff = extract(DocumentText("人员花名册.pdf", "staff_roster", [page])).facts["staff"].value
    assert [(p["name"], p["fulltime"]) for p in staff] == [("贺斌磊", True), ("邱凯", False)]


def test_a_lease_photographed_one_page_per_file_is_one_contract_and_two_leases_stay_two():
    from pipeline.facts import merge_extractions

    def page(**values) -> dict:
        return {"facts": {key: {"value": value, "confidence": 0.95, "evidence": [{"path": "p", "page": 1}]}
                          for key, value in values.items()}}

    first = page(premises_lessee="湖北领航信息技术股份有限公司", premises_lessor="十堰市嘉禾物业管理有限公司",
                 premises_address="湖北省十堰市茅箭区长兴大道320号智谷22层03室", premises_area_m2=80.0)
    terms = page(premises_lease_start="2025-03-06", premises_lease_end="2028-03-05")
    signatures = page(premises_lessee="湖北领航信息技术股份有限公司", premises_lessor="十堰市嘉禾物业管理有限公")  # 司 lost
    facts, _ = merge_extractions([("场所/IMG_5830.JPG", "lease_contract", first), ("场所/IMG_5831.JPG", "lease_contract", terms),
                                  ("场所/IMG_5832.JPG", "lease_contract", signatures)])
    assert [(p["path"], p["holder"], p["area_m2"], p["start"], p["end"]) for p in facts["premises"].value] == [
        ("场所/IMG_5830.JPG", "湖北领航信息技术股份有限公司", 80.0, "2025-03-06", "2028-03-05")]
    assert facts["premises_area_m2"].value == 80.0
    # Another room in the same building, rented by the same applicant: two premises, their areas added.
    second = page(premises_lessee="湖北领航信息技术股份有限公司", premises_lessor="十堰市嘉禾物业管理有限公司",
                  premises_address="湖北省十堰市茅箭区长兴大道320号智谷22层04室", premises_area_m2=40.0)
    facts, _ = merge_extractions([("场所/IMG_5830.JPG", "lease_contract", first), ("场所/IMG_5840.JPG", "lease_contract", second)])
    assert [p["area_m2"] for p in facts["premises"].value] == [80.0, 40.0] and facts["premises_area_m2"].value == 120.0
    # A page in another folder belongs to another paper.
    facts, _ = merge_extractions([("场所/IMG_5830.JPG", "lease_contract", first), ("其他/IMG_5831.JPG", "lease_contract", terms)])
    assert len(facts["premises"].value) == 2


def test_recognitions_under_the_measures_own_wording_wrapped_in_its_cell_are_claimed():
    # 湖北 第五条's words as a report's table prints them, the label cell wrapped over three lines and the
    # value's end under a reviewer's stamp.
    lines = [("年培训人次", (222, 1403, 384, 1455)), ("548人次", (420, 1403, 546, 1457)),
             ("获得县级以上认定、", (173, 1467, 414, 1508)), ("表彰或资金支持情", (175, 1498, 420, 1547)),
             ("1.区级中小企业公共服务示范平台（茅", (423, 1506, 919, 1547)), ("况", (270, 1537, 330, 1592)),
             ("二、服务能力和服务业绩", (173, 1613, 608, 1661))]
    page = PageText(page_no=2, width=1654, height=2339, source="ocr",
                    lines=[TextLine(text=t, bbox=b, confidence=0.99) for t, b in lines])
    claims = extract(DocumentText("申请报告.pdf", "application_report", [page])).claims
    assert claims["recognitions"].value == ["区级中小企业公共服务示范平台"]


def test_a_misread_birth_date_does_not_make_the_head_count_doubtful():
    # A photocopied roster (2026-HB009 of a family-b batch): 1967.02 read as 1967:02 at 0.51, every name, degree
    # and title at 0.98 or more.
    header = [("序号", (230, 330, 280, 380)), ("姓名", (300, 330, 400, 380)), ("出生年月", (620, 330, 740, 380)),
              ("学历", (900, 330, 980, 380)), ("职称", (1100, 330, 1200, 380))]
    rows = [("1", (230, 400, 260, 450)), ("张洋桂", (300, 400, 400, 450)), ("1977.05", (620, 400, 734, 450)),
            ("硕士", (900, 400, 980, 450)), ("高级经济师", (1100, 400, 1260, 450)),
            ("2", (230, 460, 260, 505)), ("潘涵轩", (300, 460, 400, 505)), ("1967:02", (620, 455, 734, 505)),
            ("博士", (900, 460, 980, 505)), ("中级经济师", (1100, 460, 1260, 505))]
    page = PageText(page_no=1, width=1400, height=1000, source="ocr",
                    lines=[TextLine(text=t, bbox=b, confidence=0.51 if t == "1967:02" else 0.98) for t, b in header + rows])
    staff = extract(DocumentText("名册.pdf", "staff_roster", [page])).facts["staff"]
    assert [p["name"] for p in staff.value] == ["张洋桂", "潘涵轩"]
    assert staff.confidence >= 0.9


@pytest.mark.parametrize("line, area", [
    ("房屋面积：建筑面积126.5m；套内建筑面积103.73m²", 126.5),  # the ² of the first figure lost on a photo
    ("房屋面积：建筑面积（以产权证为准）；套内建筑面积103.73m²", 103.73),  # only the 套内 figure printed
])
def test_a_leases_building_area_is_not_taken_from_the_套内_figure_after_it(line, area):
    page = PageText(page_no=1, width=1654, height=2339, source="ocr",
                    lines=[TextLine(text="甲方：长治市某某物业管理有限公司", bbox=(135, 700, 753, 740), confidence=0.99),
                           TextLine(text=line, bbox=(135, 877, 753, 908), confidence=0.99)])
    found = extract(DocumentText("租赁合同.jpg", "lease_contract", [page])).facts["premises_area_m2"]
    assert found.value == area


def test_a_reports_area_beside_its_场所性质_cell_and_a_service_class_whose_tick_was_lost_at_the_cells_start():
    # A scanned 申报书's 基本情况 table: the area's ² lost and 场所性质 in the next cell; the ticked 信息服务 opens
    # its cell with its ■ unread, the other options keep their □.
    lines = [("单位名称", (234, 251, 369, 304)), ("长治市嘉禾信息技术有限公司", (429, 256, 800, 297)),
             ("服务类别", (234, 852, 366, 904)), ("信息服务 □技术服务 □创业服务 □培训服务", (431, 857, 1085, 900)),
             ("□融资服务", (1088, 855, 1250, 897)),
             ("服务场所面积", (207, 1113, 396, 1162)), ("126m", (420, 1108, 519, 1162)), ("场所性质", (881, 1111, 1016, 1162)),
             ("□自有租赁", (1076, 1111, 1290, 1162))]
    page = PageText(page_no=2, width=1654, height=2339, source="ocr",
                    lines=[TextLine(text=t, bbox=b, confidence=0.99) for t, b in lines])
    claims = extract(DocumentText("申报书.pdf", "application_report", [page])).claims
    assert claims["premises_area_m2"].value == 126.0 and 0.9 <= claims["premises_area_m2"].confidence < 0.99
    assert claims["service_category"].value == "信息"


def test_a_gender_in_its_own_box_under_an_unread_heading_is_not_part_of_the_name():
    # A phone photo of a roster (2026-CZ012 of a family-b batch): the 性别 heading was not read, so each gender
    # box falls in the name's column; a name that ends in 男 in one box (李胜男) keeps it.
    header = [("序号", (113, 243, 157, 309)), ("姓名", (168, 250, 225, 296)), ("出生年月", (280, 248, 371, 289)),
              ("学历", (376, 245, 435, 287)), ("职称", (672, 248, 731, 290))]
    rows = [("1", (124, 316, 153, 354)), ("胡琪", (173, 314, 229, 351)), ("女", (244, 314, 279, 349)),
            ("1992.06", (283, 306, 372, 349)), ("本科", (382, 320, 439, 356)), ("经济师", (679, 298, 740, 336)),
            ("2", (124, 376, 153, 414)), ("李胜男", (173, 374, 239, 411)), ("1990.01", (283, 366, 372, 409)),
            ("硕士", (382, 380, 439, 416)), ("无", (679, 358, 721, 396))]
    staff = extract(DocumentText("名册.jpg", "staff_roster", [_ocr_page(header + rows)])).facts["staff"].value
    assert [p["name"] for p in staff] == ["胡琪", "李胜男"]


def test_a_leases_area_under_its_wrapped_column_header():
    # 一、租赁房屋明细 as a table photographed with a phone (2026-HB027 of a family-b batch): the header 计租面积（建筑
    # 面积）(m²) wraps over three lines beside 其中公摊面积(m²), the figure alone under it.
    lines = [("出租人（以下简称“甲方”）：荆州市卓越物业管理有限公司", (144, 280, 900, 316)),
             ("承租人（以下简称“乙方”）：", (144, 325, 527, 355)), ("一、租赁房屋明细", (144, 452, 371, 488)),
             ("计租面积（", (543, 504, 673, 540)), ("其中公摊面", (691, 515, 820, 553)), ("房屋地址", (146, 530, 253, 568)),
             ("建筑面积)", (539, 529, 660, 572)), ("积(m²)", (700, 546, 798, 586)), ("租赁期限", (892, 527, 1004, 572)),
             ("月租金(元)", (1066, 533, 1205, 571)), ("(m)", (575, 559, 639, 598)),
             ("湖北省荆州市沙市区黄河路323号众", (148, 602, 514, 633)), ("创空间11层14室", (144, 626, 320, 662)),
             ("210", (578, 615, 632, 649)), ("37.8", (721, 613, 789, 653)), ("2025.02.11—2028.02", (833, 604, 1066, 635)),
             ("5,880", (1101, 615, 1181, 653)), (".10", (926, 631, 976, 666)),
             ("2.1租金按建筑面积计算，月租金为人民币5880元（大写：伍仟捌佰捌拾元整），每三", (187, 725, 1205, 764))]
    page = PageText(page_no=1, width=1654, height=2339, source="ocr",
                    lines=[TextLine(text=t, bbox=b, confidence=0.99) for t, b in lines])
    found = extract(DocumentText("IMG_2837.JPG", "lease_contract", [page])).facts["premises_area_m2"]
    assert found.value == 210.0 and found.confidence < 0.9


@pytest.mark.parametrize("join", ["–", "—", "-", "―", "－", "～", "〜", "至"])
def test_a_lease_term_joined_by_any_dash_ocr_reads(join):
    from extractors.premises import lease_term

    assert lease_term(f"2024.06.08{join}2026.06.07")[:2] == ("2024-06-08", "2026-06-07")


def test_a_roster_in_two_sections_each_under_its_own_header_lists_each_person_once():
    # 一、专职人员 and 二、兼职人员, each with its own 序号 | 姓名 … header (2026-CZ011 of a family-b batch, scanned).
    def header(top):
        return [("序号", (236, top, 288, top + 46)), ("姓名", (400, top, 448, top + 46)), ("性别", (560, top, 600, top + 46)),
                ("文化程度", (700, top, 780, top + 46)), ("技术职称", (1160, top, 1238, top + 46))]

    def person(top, name, degree, title):
        return [(str(top), (240, top, 263, top + 36)), (name, (400, top, 453, top + 40)), ("男", (560, top, 586, top + 40)),
                (degree, (700, top, 787, top + 40)), (title, (1160, top, 1240, top + 40))]

    lines = [("一、专职人员", (236, 292, 402, 343)), *header(361), *person(414, "袁琪雨", "博士研究生", "无"),
             *person(461, "袁兰学", "本科", "经济师"), ("二、兼职人员", (236, 806, 395, 870)), *header(882),
             *person(940, "杜轩建", "全日制本科", "正高级工程师")]
    staff = extract(DocumentText("花名册.pdf", "staff_roster", [_ocr_page(lines)])).facts["staff"].value
    assert [(p["name"], p["fulltime"]) for p in staff] == [("袁琪雨", True), ("袁兰学", True), ("杜轩建", False)]


def test_a_scrap_of_a_此件与原件相符_stamp_is_no_partners_name():
    # A partnership's licence copy stamped 此件与原件相符 (2026-CZ006 of a family-b batch): 相符 beside the label.
    page = _ocr_page([("名", (148, 500, 190, 540)), ("称 长治市智联投资咨询中心（有限合伙）", (260, 495, 900, 545)),
                      ("执行事务合伙人", (148, 650, 420, 700)), ("相符", (700, 640, 933, 785)),
                      ("严军宇", (430, 652, 540, 700))])
    facts = extract(DocumentText("营业执照.png", "business_license", [page])).facts
    assert facts["legal_representative"].value == "严军宇"
    assert is_stamp_scrap("相符") and is_stamp_scrap("与原件相符")


def test_total_assets_misread_on_the_assets_half_is_the_equity_halfs_total():
    # 资产总计 = 负债和所有者权益总计 (a scanned two-half sheet, 2026-CZ011 of a family-b batch): the assets' 期末
    # figure read 5,200,00.00, its opening balance beside it; the other half's total balances the sheet.
    lines = [("资产负债表", (1074, 158, 1316, 239)), ("2025年12月31日", (1334, 309, 1538, 363)),
             ("资产", (192, 337, 258, 384)), ("行次", (524, 346, 601, 402)), ("期末余额", (740, 358, 853, 408)),
             ("年初余额", (939, 366, 1060, 426)), ("负债和所有者权益", (1100, 366, 1285, 426)), ("行次", (1503, 391, 1569, 440)),
             ("期末余额", (1753, 400, 1867, 451)), ("年初余额", (1992, 410, 2146, 460)),
             ("资产总计", (167, 991, 278, 1039)), ("34", (511, 1011, 557, 1051)), ("5,200,00.00", (693, 1012, 826, 1064)),
             ("4,160,000.00", (910, 1023, 1063, 1071)), ("负债和所有者权益(或股东权益)总计", (1100, 1027, 1463, 1089)),
             ("86", (1491, 1053, 1527, 1085)), ("5,200,000.00", (1702, 1054, 1838, 1106)), ("4,160,000.00", (1960, 1070, 2112, 1110))]
    page = PageText(page_no=3, width=2339, height=1654, source="ocr",
                    lines=[TextLine(text=t, bbox=b, confidence=0.99) for t, b in lines])
    found = extract(DocumentText("审计报告.pdf", "audit_report", [page])).facts["total_assets_cny"]
    assert found.value == 5_200_000 and found.confidence < 0.9


def test_the_forms_own_wording_of_recognitions_is_no_recognition():
    # A report's row 获得县级以上认定、表彰或资金支持情况 | 无: the applicant has none, and the label's 县级以上认定 is none.
    page = PageText(page_no=1, width=1654, height=2339, source="text_layer",
                    lines=[TextLine(text="单位名称 襄阳市嘉禾科技服务有限公司", bbox=(200, 300, 1400, 330)),
                           TextLine(text="获得县级以上认定、表彰或资金支持情况 无", bbox=(200, 800, 1400, 830))])
    claims = extract(DocumentText("申请报告.docx", "application_report", [page])).claims
    assert not (claims.get("recognitions") and claims["recognitions"].value)


@pytest.mark.parametrize("badge", [("存", None), ("mi", 0.56), ("下数信用报告", 0.59)])
def test_a_credit_detail_pages_name_beside_a_badge_or_button_read_poorly(badge):
    # 信用中国's detail page photographed off a screen (family-b batches): the 存续 badge read as 存 or as Latin letters,
    # the 下载信用报告 button as 下数信用报告, on the name's line.
    text, confidence = badge
    lines = [TextLine(text="信用中国", bbox=(469, 245, 612, 302), confidence=1.0),
             TextLine(text="十堰市众创投资咨询有限公司" + (text if confidence is None else ""), bbox=(434, 327, 686, 364),
                      confidence=0.99),
             TextLine(text="统一社会信用代码：91420303MADX3D0106", bbox=(433, 372, 668, 401), confidence=0.97),
             TextLine(text="行政处罚（0）", bbox=(583, 683, 665, 706), confidence=0.97)]
    if confidence is not None:
        lines.insert(2, TextLine(text=text, bbox=(690, 333, 760, 360), confidence=confidence))
    page = PageText(page_no=1, width=1600, height=900, source="ocr", lines=lines)
    found = extract(DocumentText("IMG_20260626_152744.jpg", "creditchina_report", [page])).facts["credit_subject_name"]
    assert found.value == "十堰市众创投资咨询有限公司" and found.confidence >= 0.9


def test_a_penalty_card_whose_date_was_misread_is_still_a_penalty():
    # 信用中国 photographed off a monitor (2026-HB040 of a family-b batch): 处罚决定日期 read 2023-06-36, its label 处决定日期.
    lines = [TextLine(text="十堰鼎信信息技术有限公司", bbox=(257, 332, 472, 360), confidence=1.0),
             TextLine(text="统一社会信用代码：91420302MAWTBWBW0N", bbox=(256, 364, 486, 386), confidence=0.9),
             TextLine(text="行政处罚决定书文号：十堰应罚（2023）790号", bbox=(250, 578, 481, 600), confidence=0.65),
             TextLine(text="处决定日期：2023-06-36", bbox=(666, 600, 795, 627), confidence=0.68),
             TextLine(text="处罚内容：未按规定建立劳动者名册，责令改正。", bbox=(249, 627, 476, 649), confidence=0.58)]
    page = PageText(page_no=1, width=1280, height=800, source="ocr", lines=lines)
    penalties = extract(DocumentText("IMG_20260619_140500.jpg", "creditchina_report", [page])).facts["credit_penalties"]
    assert [(p["date"], p["decision_no"] is not None) for p in penalties.value] == [(None, True)]
