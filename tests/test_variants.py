"""The real-world variations of issue 20, each rendered by fixtures/variants.py and read back through
the page reader and the extractors: the value read must be the one the variation printed."""

from __future__ import annotations

import pytest

from extractors import DocumentText, extract
from fixtures import variants
from pipeline.intake import sniff
from pipeline.ocr import make_engine
from pipeline.pages import PageReader

READER = PageReader(lambda: make_engine("rapidocr"))


def read(data: bytes, name: str, doc_type: str):
    pages = READER(sniff(data), data).pages
    return extract(DocumentText(name, doc_type, pages)).facts


def lease_facts(p, fmt: str = "pdf", **style):
    blocks = variants.lease_blocks(p, **style)
    if fmt == "pdf":
        return read(variants.render_pdf(blocks), "租赁合同.pdf", "lease_contract")
    if fmt == "docx":
        return read(variants.render_docx(blocks), "租赁合同.docx", "lease_contract")
    pages = [READER(sniff(data), data).pages for data in variants.render_scan(blocks)]
    return extract(DocumentText("租赁合同.jpg", "lease_contract", [page for file in pages for page in file])).facts


@pytest.mark.parametrize("party", variants.LEASE_PARTY_STYLES)
def test_lease_parties_in_every_model_contract_wording(party):
    p = variants.premises_of()
    facts = lease_facts(p, party=party)
    assert facts["premises_lessor"].value == p.lessor
    assert facts["premises_lessee"].value == p.holder


def test_a_private_landlord_and_a_party_named_after_its_definition():
    p = variants.premises_of(lessor="张建国")
    facts = lease_facts(p, party="defined")
    assert facts["premises_lessor"].value == "张建国"
    assert facts["premises_lessee"].value == p.holder


@pytest.mark.parametrize("premises", variants.LEASE_PREMISES_STYLES)
def test_lease_premises_wherever_the_clause_names_them(premises):
    p = variants.premises_of()
    facts = lease_facts(p, premises=premises)
    assert facts["premises_address"].value == p.address
    assert facts["premises_area_m2"].value == p.area_m2


@pytest.mark.parametrize("area, kind", [("building", "建筑面积"), ("usable_beside_building", "建筑面积"),
                                        ("rent_basis", "计租面积"), ("usable_only", "使用面积")])
def test_lease_area_takes_the_building_area_before_the_others(area, kind):
    p = variants.premises_of(area=180.25)
    facts = lease_facts(p, area=area)
    assert facts["premises_area_m2"].value == 180.25
    assert facts["premises_area_m2"].area_kind == kind


@pytest.mark.parametrize("term", variants.LEASE_TERM_STYLES)
@pytest.mark.parametrize("on_page_2", [False, True])
def test_lease_term_in_each_wording_and_on_the_second_page(term, on_page_2):
    p = variants.premises_of()
    facts = lease_facts(p, term=term, term_on_page_2=on_page_2)
    assert (facts["premises_lease_start"].value, facts["premises_lease_end"].value) == ("2024-03-01", "2027-02-28")
    if term == "years_from":
        assert facts["premises_lease_end"].confidence < 0.9  # counted, not printed


def test_a_lease_in_word_and_a_scanned_lease_read_the_same():
    p = variants.premises_of()
    for fmt in ("docx", "scan"):
        facts = lease_facts(p, fmt, party="role_first", premises="located_at", term="dotted_dash")
        got = {k: facts[k].value for k in ("premises_lessor", "premises_lessee", "premises_address", "premises_area_m2",
                                          "premises_lease_start", "premises_lease_end") if k in facts}
        assert got == {"premises_lessor": p.lessor, "premises_lessee": p.holder, "premises_address": p.address,
                       "premises_area_m2": p.area_m2, "premises_lease_start": "2024-03-01",
                       "premises_lease_end": "2027-02-28"}, fmt


@pytest.mark.parametrize("style", variants.ROSTER_STYLES)
@pytest.mark.parametrize("fmt", ["xlsx", "docx", "pdf"])
def test_rosters_count_full_time_staff_exactly_in_every_layout(style, fmt):
    if fmt == "xlsx":
        facts = read(variants.roster_xlsx(style), "人员名册.xlsx", "staff_roster")
    elif fmt == "docx":
        facts = read(variants.render_docx(variants.roster_blocks(style)), "人员名册.docx", "staff_roster")
    else:
        facts = read(variants.render_pdf(variants.roster_blocks(style)), "人员名册.pdf", "staff_roster")
    got = [{k: p[k] for k in ("name", "degree", "title", "fulltime")} for p in facts["staff"].value]
    assert sorted(got, key=lambda p: p["name"]) == sorted(variants.roster_truth(), key=lambda p: p["name"])


@pytest.mark.parametrize("style", variants.REPORT_STYLES)
@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_report_claims_in_every_table_shape_and_in_prose(style, fmt):
    blocks = variants.report_blocks(style)
    data = variants.render_docx(blocks) if fmt == "docx" else variants.render_pdf(blocks)
    pages = READER(sniff(data), data).pages
    claims = extract(DocumentText(f"申请报告.{fmt}", "application_report", pages)).claims
    got = {key: claims[key].value for key in claims}
    for key, value in variants.report_claims().items():
        assert got.get(key) == value, (key, got.get(key))


@pytest.mark.parametrize("style", variants.RECOGNITION_STYLES)
def test_recognitions_as_a_list_a_table_or_prose_keep_their_level(style):
    data = variants.render_docx(variants.report_blocks("two_column", recognitions=style))
    claims = extract(DocumentText("申请报告.docx", "application_report", READER(sniff(data), data).pages)).claims
    assert claims["recognitions"].value == ["市级中小企业公共服务示范平台", "省级专精特新服务机构"]


def test_a_lessee_named_otherwise_at_the_head_takes_the_reading_that_agrees_with_the_licence():
    from pipeline.facts import merge_extractions

    p = variants.premises_of()
    blocks = variants.lease_blocks(p, party="role_first", lessee_at_head="武汉博瑞数字科技有限公司")  # 睿 typed as 瑞
    data = variants.render_pdf(blocks)
    lease = extract(DocumentText("租赁合同.pdf", "lease_contract", READER(sniff(data), data).pages))
    assert lease.facts["premises_lessee"].value == "武汉博瑞数字科技有限公司"  # the head, read first
    assert lease.facts["premises_lessee"].confidence < 0.9  # the two places disagree
    licence = {"facts": {"org_name": {"value": p.holder, "confidence": 0.99, "evidence": []}}}
    facts, _claims = merge_extractions([("营业执照.jpg", "business_license", licence),
                                        ("租赁合同.pdf", "lease_contract", lease.model_dump(mode="json"))])
    assert facts["premises_lessee"].value == p.holder
    assert facts["premises"].value[0]["holder"] == p.holder
    other = variants.lease_blocks(p, party="role_first")
    data = variants.render_pdf(other)
    assert extract(DocumentText("租赁合同.pdf", "lease_contract", READER(sniff(data), data).pages)).alternatives == {}


@pytest.mark.parametrize("style", ["grouped_header", "contract_form", "section_rows"])
def test_a_scanned_roster_counts_the_same(style):
    pages = [page for data in variants.render_scan(variants.roster_blocks(style)) for page in READER(sniff(data), data).pages]
    staff = extract(DocumentText("人员名册.jpg", "staff_roster", pages)).facts["staff"].value
    got = sorted(({k: p[k] for k in ("name", "degree", "title", "fulltime")} for p in staff), key=lambda p: p["name"])
    assert got == sorted(variants.roster_truth(), key=lambda p: p["name"])


@pytest.mark.parametrize("fmt", ["pdf", "docx", "scan"])
def test_premises_given_in_a_schedule_table_are_read_from_its_cells(fmt):
    # Office-tower leases give address, area and term as one row of a 租赁房屋明细 table; on a scan the
    # address and the term wrap inside their cells.
    p = variants.premises_of()
    facts = lease_facts(p, fmt, premises="schedule_table")
    got = {k: facts[k].value for k in ("premises_address", "premises_area_m2", "premises_lease_start",
                                      "premises_lease_end") if k in facts}
    assert got == {"premises_address": p.address, "premises_area_m2": p.area_m2, "premises_lease_start": "2024-03-01",
                   "premises_lease_end": "2027-02-28"}


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_a_conditions_table_gives_the_applicants_figures_not_the_thresholds(fmt):
    # A 申报条件对照表 quotes each condition of the measure beside what the applicant has.
    from fixtures.render.layout import Heading, Table

    blocks = [Heading("申报条件对照表", 16),
              Table([["序号", "申报条件", "本单位情况", "证明材料"],
                     ["1", "资产总额不低于100万元（第六条（一））", "2025年末资产总额380万元", "2025年度审计报告"],
                     ["2", "集聚服务机构2家以上", "与7家服务机构签订合作协议", "合作协议"]], [0.08, 0.4, 0.32, 0.2], 10.5)]
    data = variants.render_docx(blocks) if fmt == "docx" else variants.render_pdf(blocks)
    claims = extract(DocumentText(f"申请报告.{fmt}", "application_report", READER(sniff(data), data).pages)).claims
    assert claims["total_assets_cny"].value == 3_800_000
    assert claims.get("partner_institutions_count") is None or claims["partner_institutions_count"].value == 7


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_a_recommendation_as_a_form_or_as_a_letter(fmt):
    from fixtures.render.layout import Heading, Para, Table

    form = [Heading("中小企业公共服务示范平台推荐表", 16),
            Table([["被推荐机构名称", "长治市鼎信信息技术有限公司"], ["推荐单位", "上党区工业和信息化局"],
                   ["推荐单位意见", "同意推荐。推荐单位（盖章） 2026年5月25日"]], [0.3, 0.7], 10.5, header_rows=0)]
    letter = [Heading("关于推荐山西诚信创业孵化股份有限公司申报示范平台的函", 14),
              Para("长治市中小企业服务中心：", indent=False),
              Para("经审核，该单位服务业绩突出，符合申报条件，同意推荐。"),
              Para("长治高新区经济发展局", indent=False, align="right"), Para("2026年5月28日", indent=False, align="right")]
    for blocks, unit in ((form, "上党区工业和信息化局"), (letter, "长治高新区经济发展局")):
        data = variants.render_docx(blocks) if fmt == "docx" else variants.render_pdf(blocks)
        facts = extract(DocumentText(f"推荐表.{fmt}", "recommendation_form", READER(sniff(data), data).pages)).facts
        assert (facts["recommender"].value, facts["recommender_opinion"].value) == (unit, "同意推荐")


def test_a_search_list_screenshot_takes_the_applicants_entry_with_its_own_code():
    # Applicants often capture 信用中国's search results: several entities, each with its code under it.
    from fixtures.render.layout import Para
    from pipeline.facts import merge_extractions

    entries = [("宜昌市智联建材经营部", "91420502283548294X"), ("宜昌市智联投资咨询有限公司", "91420502MAAB20C29C"),
               ("宜昌市智联法律咨询有限公司", "91420502854102166T")]
    blocks = [Para("信用中国", indent=False), Para("共找到42条与“智联”相关的结果", indent=False)]
    for name, code in entries:
        blocks += [Para(name, indent=False), Para(f"统一社会信用代码：{code}", indent=False),
                   Para("主体类型：法人及非法人组织", indent=False)]
    data = variants.render_pdf(blocks)
    screen = extract(DocumentText("信用中国查询截图.pdf", "creditchina_report", READER(sniff(data), data).pages))
    licence = {"facts": {"org_name": {"value": entries[1][0], "confidence": 0.99, "evidence": []}}}
    facts, _claims = merge_extractions([("营业执照.jpg", "business_license", licence),
                                        ("信用中国查询截图.pdf", "creditchina_report", screen.model_dump(mode="json"))])
    assert (facts["credit_subject_name"].value, facts["credit_subject_code"].value) == entries[1]


def test_a_work_summary_gives_its_figures_in_an_indicator_table_or_in_prose_and_lists_its_activities():
    from fixtures.render.layout import Heading, Para, Table

    table = [Heading("2025年7月至2026年3月工作总结", 16), Para("主要数据如下："),
             Table([["指标", "本年度", "上年度"], ["服务中小企业数（家）", "163", "140"], ["服务活动场次（场）", "8", "6"],
                    ["用户满意度", "百分之九十二", "百分之九十"], ["培训人次（人次）", "756", "716"]], [0.4, 0.3, 0.3], 10.5)]
    prose = [Heading("服务情况说明（2025年9月至2026年5月）", 16),
             Para("2025年9月至2026年5月，我公司共为159户中小企业提供服务，组织开展政策宣讲、专题培训等服务活动8场，累计培训677人次，"
                  "企业满意率百分之八十六。"),
             Para("主要活动如下：1.2025-11-30创业辅导沙龙；2.2025年12月8日知识产权保护与运用沙龙。"),
             Para("请于2025年11月25日前报名。")]
    for blocks, want in ((table, (163, 8, 756, 0.92)), (prose, (159, 8, 677, 0.86))):
        data = variants.render_docx(blocks)
        facts = extract(DocumentText("工作总结.docx", "service_evidence", READER(sniff(data), data).pages)).facts
        assert tuple(facts[k].value for k in ("service_smes_served", "service_activities_count", "service_trainees",
                                              "service_satisfaction_rate")) == want
    # The listed activities' dates, not the registration deadline.
    assert facts["service_activity_dates"].value == ["2025-11-30", "2025-12-08"]


def test_a_scene_photo_without_exif_takes_the_time_its_camera_app_printed():
    from models.pages import PageText, TextLine

    for printed, want in (("2026-01-29 14:41", "2026-01-29T14:41:00"), ("2025/06/1411:07", "2025-06-14T11:07:00"),
                          ("2026.05.05 16:51", "2026-05-05T16:51:00")):
        page = PageText(page_no=1, width=1280, height=960, source="ocr",
                        lines=[TextLine(text=printed, bbox=(1000, 900, 1260, 940))])
        facts = extract(DocumentText("活动照片1.jpg", "service_photo", [page])).facts
        assert facts["photo_taken_at"].value == want
        assert facts["photo_taken_at"].confidence < 1.0  # printed on the picture, not recorded by the camera


def test_a_forwarded_photo_whose_file_time_differs_from_its_printed_time_takes_the_printed_one_with_doubt():
    from models.pages import PageText, TextLine

    page = PageText(page_no=1, width=1280, height=960, source="ocr", image_meta={"taken_at": "2026-06-16T14:26:00"},
                    lines=[TextLine(text="2026.05.01 10:49", bbox=(1000, 900, 1260, 940))])
    out = extract(DocumentText("创业辅导活动1.jpg", "service_photo", [page]))
    assert out.facts["photo_taken_at"].value == "2026-05-01T10:49:00"
    assert out.facts["photo_taken_at"].confidence < 0.8 and any("不一致" in note for note in out.notes)


def test_a_permit_card_on_a_credit_page_is_no_penalty():
    # 信用中国's detail page lists 行政许可 cards with the same kind of labels as 行政处罚 ones.
    from fixtures.render.layout import Para

    lines = ["信用中国", "宜昌市楚天创业孵化中心（有限合伙）", "统一社会信用代码：91420503MA4F5TXX0Q", "行政许可（1）",
             "行政处罚(0)", "行政许可决定文书号：宜昌5394530", "许可证书名称：食品经营许可证", "许可决定日期：2025-02-01",
             "有效期至：2030-02-01", "许可机关：宜昌市市场监督管理局"]
    data = variants.render_pdf([Para(line, indent=False) for line in lines])
    facts = extract(DocumentText("信用中国查询截图.pdf", "creditchina_report", READER(sniff(data), data).pages)).facts
    assert facts["credit_penalties"].value == []


def test_an_icp_filing_query_page_gives_the_sites_filing_number():
    from fixtures.render.layout import Para

    lines = ["ICP/IP地址/域名信息备案管理系统", "ICP备案主体信息", "备案号", "晋ICP备95062887号", "主办单位名称",
             "宏图（长治）科技服务有限公司", "ICP备案服务信息", "网站备案号", "晋ICP备95062887号-3", "网站名称", "宏图服务平台"]
    data = variants.render_pdf([Para(line, indent=False) for line in lines])
    facts = extract(DocumentText("ICP备案.pdf", "qualification_certificate", READER(sniff(data), data).pages)).facts
    assert (facts["qualification_kind"].value, facts["qualification_number"].value) == ("ICP备案", "晋ICP备95062887号-3")


def test_a_watermark_cameras_stamp_stacked_on_lines_of_its_own_gives_the_time():
    from models.pages import PageText, TextLine

    lines = [TextLine(text="“专精特新”创业辅导活动", bbox=(300, 100, 980, 160)), TextLine(text="16:581", bbox=(60, 760, 200, 820)),
             TextLine(text="2026.02.20", bbox=(60, 830, 260, 860)), TextLine(text="星期五", bbox=(60, 870, 160, 900))]
    page = PageText(page_no=1, width=1280, height=960, source="ocr", lines=lines)
    facts = extract(DocumentText("创业辅导活动1.jpg", "service_photo", [page])).facts
    assert facts["photo_taken_at"].value == "2026-02-20T16:58:00"


def test_the_financing_a_report_states_in_prose():
    from fixtures.render.layout import Para

    blocks = [Para("全年组织开展政策宣讲、专题培训、对接交流等服务活动9场次，培训468人次，帮助中小企业实现融资8.3亿元。")]
    data = variants.render_docx(blocks)
    claims = extract(DocumentText("申请报告.docx", "application_report", READER(sniff(data), data).pages)).claims
    assert (claims["financing_total_cny"].value, claims["activities_per_year"].value) == (830_000_000, 9)


def test_the_service_class_a_report_names_in_its_overview():
    from fixtures.render.layout import Para

    for sentence, want in (("主要为中小企业提供管理咨询及财税服务。", "管理咨询"), ("本公司定位为投融资服务机构，围绕中小企业需求提供专业服务。", "融资"),
                           ("我公司定位为人才和培训服务机构。", "培训")):
        data = variants.render_docx([Para("武汉博睿数字科技有限公司位于武汉市洪山区珞喻路1号，" + sentence)])
        claims = extract(DocumentText("申请报告.docx", "application_report", READER(sniff(data), data).pages)).claims
        assert claims["service_category"].value == want, sentence


@pytest.mark.parametrize("unticked", [5, 1])  # 赵建国 (part-time) or 王海涛 (full-time)
def test_a_scanned_roster_whose_tick_was_not_read_is_settled_by_its_stated_total(unticked):
    # 专职 | 兼职 ticked in two columns; one row's tick is missing and 合计：…其中专职5人 says which it was.
    blocks = variants.roster_blocks("tick_columns_total", unticked=unticked)
    pages = [page for data in variants.render_scan(blocks) for page in READER(sniff(data), data).pages]
    staff = extract(DocumentText("人员名册.jpg", "staff_roster", pages)).facts["staff"]
    got = sorted(({k: p[k] for k in ("name", "degree", "title", "fulltime")} for p in staff.value), key=lambda p: p["name"])
    assert got == sorted(variants.roster_truth(), key=lambda p: p["name"])
    assert staff.confidence < 0.95  # a tick settled by the total is not a tick read


@pytest.mark.parametrize("fmt, headings", [("docx", ("认定条件", "本单位情况")), ("pdf", ("申报条件", "实际情况")),
                                           ("scan", ("认定条件", "本单位情况"))])
def test_a_conditions_table_states_each_claim_in_its_answer_cell(fmt, headings):
    # Several claims in one answer (专职人员十二名，其中…10名), a bare figure (占20%) its condition names.
    blocks = variants.conditions_table_blocks(*headings)
    if fmt == "scan":
        pages = [page for data in variants.render_scan(blocks) for page in READER(sniff(data), data).pages]
    else:
        data = variants.render_docx(blocks) if fmt == "docx" else variants.render_pdf(blocks)
        pages = READER(sniff(data), data).pages
    claims = extract(DocumentText(f"申请报告.{fmt}", "application_report", pages)).claims
    got = {key: claims[key].value if key in claims else None for key in variants.CONDITIONS_TABLE_CLAIMS}
    assert got == variants.CONDITIONS_TABLE_CLAIMS


def test_a_signature_block_without_a_colon_and_a_partnership_name_wrapped_in_its_cell():
    # 乙方（盖章）长治市…（有限合伙）: the seal place straight before the name, the name running onto a second line.
    p = variants.premises_of(lessee="长治市瑞丰人力资源开发服务中心（有限合伙）")
    facts = lease_facts(p, party="signature_only", signed_without_colon=True)
    assert facts["premises_lessee"].value == p.holder


def test_an_edited_photos_save_time_is_no_capture_time():
    taken = variants.photo_jpeg(original="2025:07:10 14:28:37", saved="2025:07:10 14:28:37")
    edited = variants.photo_jpeg(saved="2026:05:27 14:07:00", software="Adobe Photoshop 24.0 (Windows)", make=None)
    pages = READER(sniff(taken), taken).pages
    assert extract(DocumentText("IMG_1.jpg", "service_photo", pages)).facts["photo_taken_at"].value == "2025-07-10T14:28:37"
    out = extract(DocumentText("讲座2.jpg", "service_photo", READER(sniff(edited), edited).pages))
    assert "photo_taken_at" not in out.facts and any("编辑保存时间" in note for note in out.notes)


def test_a_scanned_work_summarys_indicator_table_gives_this_periods_figures():
    from fixtures.render.layout import Heading, Para, Table

    blocks = [Heading("2025年9月至2026年4月工作总结", 16), Para("主要数据如下："),
              Table([["指标", "本年度", "上年度", "备注"], ["服务中小企业数（家）", "115", "77", ""],
                     ["服务活动场次（场）", "4", "3", ""], ["用户满意度", "92%", "90%", "回访统计"],
                     ["培训人次（人次）", "2152", "2121", ""]], [0.4, 0.2, 0.2, 0.2], 10.5)]
    pages = [page for data in variants.render_scan(blocks) for page in READER(sniff(data), data).pages]
    facts = extract(DocumentText("工作总结.pdf", "service_evidence", pages)).facts
    assert tuple(facts[k].value for k in ("service_smes_served", "service_activities_count", "service_trainees",
                                          "service_satisfaction_rate")) == (115, 4, 2152, 0.92)


def test_a_service_class_whose_tick_ocr_dropped_is_the_one_option_without_its_box():
    from fixtures.render.layout import Heading, Para

    for row, want in (("服务类别：□信息服务 □技术服务 创业服务 □培训服务 □融资服务", "创业"),
                      ("服务类别：□信息服务 □技术服务 □创业服务 □培训服务 □融资服务", None)):
        data = variants.render_pdf([Heading("申请报告", 16), Para(row, indent=False)])
        claims = extract(DocumentText("申请报告.pdf", "application_report", READER(sniff(data), data).pages)).claims
        got = claims.get("service_category")
        assert (got.value if got else None) == want
        assert got is None or got.confidence < 0.9  # inferred from the boxes, not a tick read


def ocr_page(lines: list[tuple[str, tuple[float, float, float, float]]]):
    """A scanned page as OCR gives it: one box per line of text, placed as on the real licence it copies."""
    from models.pages import PageText, TextLine

    return PageText(page_no=1, width=1280, height=960, source="ocr",
                    lines=[TextLine(text=text, bbox=box, confidence=0.97) for text, box in lines])


def test_a_landscape_licences_scope_stops_where_the_next_column_begins_and_keeps_its_wrapped_lines():
    # The two-column landscape 营业执照 (2019 layout): 营业期限 beside 经营范围 wraps its year into the scope's
    # line; 住所 beside the scope's second line.
    page = ocr_page([
        ("法定代表人谭轩", (97, 414, 287, 452)), ("营业期限2020年09月20日至2050", (653, 433, 1009, 477)),
        ("经营范围", (94, 459, 227, 494)), ("人力资源服务;职业技能培训;人才中介服务;劳务派遣", (220, 463, 626, 503)),
        ("年09月19日", (788, 463, 902, 499)),
        ("服务;组织文化艺术交流活动。(依法须经批准的项目,", (236, 505, 616, 546)), ("住", (649, 516, 681, 545)),
        ("所湖北省十堰市张湾区英雄", (743, 517, 1013, 555)),
        ("经相关部门批准后方可开展经营活动)", (236, 550, 560, 590)), ("路146号众创空间9层07室", (743, 560, 1000, 598)),
        ("登记机关", (660, 640, 780, 676))])
    facts = extract(DocumentText("营业执照.jpg", "business_license", [page])).facts
    assert facts["business_scope"].value == ("人力资源服务;职业技能培训;人才中介服务;劳务派遣服务;组织文化艺术交流活动。"
                                             "（依法须经批准的项目，经相关部门批准后方可开展经营活动）")


def test_a_licences_type_whose_label_a_seal_covered_is_read_by_content():
    # 类型 printed over two lines, the 型 lost under a seal: the regulator's type stands in a cell of its own.
    page = ocr_page([("名称长治市瑞丰人力资源中心(有限合优)", (120, 300, 700, 340)), ("类", (120, 360, 150, 396)),
                     ("有限合伙企业", (260, 360, 420, 396)), ("合伙期限长期", (700, 360, 900, 396))])
    facts = extract(DocumentText("营业执照.jpg", "business_license", [page])).facts
    assert facts["entity_type"].value == "有限合伙企业" and facts["entity_type"].confidence < 0.9
    assert facts["org_name"].value == "长治市瑞丰人力资源中心（有限合伙）"


def test_the_scopes_closing_sentence_misread_is_printed_as_every_licence_prints_it():
    from extractors.business_license import scope_with_printed_closing

    read = "物业管理。（依法频经批准的项目,经相关部门批准后方可开展经营活动）24年6月12日至2029年6月12日"
    assert scope_with_printed_closing(read) == "物业管理。（依法须经批准的项目，经相关部门批准后方可开展经营活动）"


# 租赁房屋明细 scanned: the address wraps to two lines with the area, term and rent centred beside both (TALL_CELL),
# or every long cell wraps at tight line spacing, the address in the first column (ALL_CELLS_WRAP).
TALL_CELL = ([("一、租赁房屋明细", (120, 620, 420, 660)),
                      ("房屋地址", (167, 699, 303, 751)), ("计租面积(建筑", (713, 674, 933, 729)), ("租赁期限", (1029, 692, 1159, 743)),
                      ("月租金(元)", (1272, 690, 1443, 738)), ("面积)(m2)", (726, 717, 901, 765)),
                      ("山西省长治市潞城区和平路260号产业园13", (172, 772, 714, 822)),
                      ("层18室", (175, 818, 276, 863)), ("120", (791, 790, 856, 838)),
                      ("2024.06.11—2029.06.10", (937, 790, 1256, 831)), ("7,200", (1322, 784, 1413, 831)),
                      ("二、租金、物业费及支付", (167, 880, 544, 934))], "山西省长治市潞城区和平路260号产业园13层18室", 120.0, ("2024-06-11", "2029-06-10"))
ALL_CELLS_WRAP = ([("一、租赁房屋明细", (160, 617, 438, 671)),
                      ("房屋地址", (167, 706, 301, 758)), ("计租面积(", (647, 680, 812, 729)), ("其中公摊面", (829, 674, 989, 724)),
                      ("租赁期限", (1072, 684, 1209, 742)), ("月租金(元)", (1282, 679, 1453, 737)),
                      ("建筑面积)", (645, 714, 787, 765)), ("积(m2)", (836, 708, 961, 769)),
                      ("山西省长治市襄垣县民主路66号产业", (167, 772, 640, 829)), ("180.25平方", (644, 768, 811, 822)),
                      ("32.45", (863, 784, 960, 838)), ("2025.03.24-2030.03", (998, 760, 1290, 815)), ("5,050", (1332, 777, 1427, 831)),
                      ("园25层11室", (167, 814, 338, 874)), ("米", (701, 806, 758, 857)), (".23", (1117, 802, 1179, 850)),
                      ("二、租金、物业费及支付", (164, 882, 542, 938))], "山西省长治市襄垣县民主路66号产业园25层11室", 180.25, ("2025-03-24", "2030-03-23"))


@pytest.mark.parametrize("lines, address, area, term", [TALL_CELL, ALL_CELLS_WRAP], ids=["tall_cell", "all_cells_wrap"])
def test_a_scanned_schedule_tables_wrapped_cells_keep_their_second_lines(lines, address, area, term):
    facts = extract(DocumentText("租赁合同.jpg", "lease_contract", [ocr_page(lines)])).facts
    assert facts["premises_address"].value == address
    assert facts["premises_area_m2"].value == area
    assert (facts["premises_lease_start"].value, facts["premises_lease_end"].value) == term


def test_a_2022_licences_longer_closing_sentence_and_its_items_separators_survive():
    from extractors.business_license import scope_with_item_separators, scope_with_printed_closing

    scope = ("一般项目：技术服务、技术开发（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）。许可项目：职业中介活动"
             "（依法须经批准的项目，经相关部门批准后方可开展经营活动，具体经营项目以相关部门批准文件或许可证件为准）")
    assert scope_with_item_separators(scope_with_printed_closing(scope)) == scope
    # Semicolons OCR read as colons, and the full stop before the closing read as 、.
    read = "人力资源服务:职业技能培训;人才中介服务:组织文化艺术交流活动、(依法须经批准的项目,经相关部门批准后方可开展经营活动)"
    assert scope_with_item_separators(scope_with_printed_closing(read)) == (
        "人力资源服务；职业技能培训;人才中介服务；组织文化艺术交流活动。（依法须经批准的项目，经相关部门批准后方可开展经营活动）")


def test_the_2019_licences_code_under_its_label_and_never_a_window_of_the_certificate_number():
    # 证照编号 (19 digits) printed above; the 统一社会信用代码 label shares its line with the title and the QR caption,
    # the code itself two lines below.
    page = ocr_page([("证照编号:1197992478224786546", (793, 157, 981, 185)), ("扫描二维码登录“国家", (914, 199, 1028, 223)),
                     ("统一社会信用代码", (96, 197, 272, 231)), ("营业执照", (329, 168, 778, 287)),
                     ("企业信用信息公示系", (914, 216, 1017, 238)), ("统”了解更多登记、备", (914, 231, 1026, 255)),
                     ("91140403MA9PXDPG1M", (96, 259, 315, 287)), ("案、许可、监管信息。", (914, 266, 1017, 290))])
    facts = extract(DocumentText("营业执照.jpg", "business_license", [page])).facts
    assert facts["credit_code"].value == "91140403MA9PXDPG1M"
    without_code = ocr_page([("证照编号:1197992478224786546", (793, 157, 981, 185)), ("营业执照", (329, 168, 778, 287))])
    assert "credit_code" not in extract(DocumentText("营业执照.jpg", "business_license", [without_code])).facts


def test_a_property_certificates_bare_building_area_not_the_shared_part():
    # 不动产权证书 (2016 form): 房屋建筑面积 | 96 (the form's unit), 分摊建筑面积 in 权利其他状况.
    page = ocr_page([("权利人", (120, 200, 220, 240)), ("长治博睿创业孵化有限公司", (400, 200, 800, 240)),
                     ("坐落", (120, 260, 200, 300)), ("山西省长治市襄垣县长江街150号商务楼2层08室", (400, 260, 1000, 300)),
                     ("房屋建筑面积", (120, 320, 300, 360)), ("96", (400, 320, 440, 360)),
                     ("权利其他状况", (120, 380, 300, 420)), ("专有建筑面积:81.84m2,分摊建筑面积:14.16m2", (400, 380, 1000, 420))])
    facts = extract(DocumentText("房产证.jpg", "property_certificate", [page])).facts
    assert facts["premises_area_m2"].value == 96.0 and facts["premises_area_m2"].confidence < 1.0


def test_a_recommendation_letter_with_a_long_sentence_title_is_a_recommendation():
    from fixtures.render.layout import Heading, Para
    from pipeline.identify import Identifier

    blocks = [Heading("关于推荐众创（黄石）投资咨询股份有限公司申报湖北省中小企业公共服务严选服务机构的函", 14),
              Para("湖北省中小企业服务中心：", indent=False),
              Para("根据申报工作安排，我单位对该公司的申报材料进行了审核。该单位服务业绩突出，经初审符合申报条件，同意推荐。"),
              Para("湖北省电子商务协会", indent=False, align="right"), Para("2026年6月22日", indent=False, align="right")]
    data = variants.render_docx(blocks)
    pages = READER(sniff(data), data).pages
    assert [d.doc_type for d in Identifier()("11.推荐函.docx", "docx", pages)] == ["recommendation_form"]
    facts = extract(DocumentText("11.推荐函.docx", "recommendation_form", pages)).facts
    assert (facts["recommender"].value, facts["recommender_opinion"].value) == ("湖北省电子商务协会", "同意推荐")


def test_a_summarys_activity_whose_list_number_a_stamp_hid_is_still_dated():
    from fixtures.render.layout import Heading, Para

    blocks = [Heading("2025年7月至2026年3月服务工作总结", 16), Para("（四）主要服务活动", indent=False),
              Para("1.2025年7月27日，我公司举办中小企业融资对接会，39家企业139人参加。", indent=False),
              Para("2025年9月3日，我公司举办中小企业专场招聘会，23家企业145人参加。", indent=False),
              Para("3.2026年3月19日，我公司举办初创企业创业辅导活动，30家企业49人参加。", indent=False),
              Para("长治博睿创业孵化有限公司", indent=False, align="right"), Para("2026年3月28日", indent=False, align="right")]
    data = variants.render_docx(blocks)
    facts = extract(DocumentText("工作总结.docx", "service_evidence", READER(sniff(data), data).pages)).facts
    assert facts["service_activity_dates"].value == ["2025-07-27", "2025-09-03", "2026-03-19"]


def test_a_scanned_conditions_table_whose_rows_ocr_cut_into_lines_still_states_its_claims():
    # 序号 and 认定条件 read as one heading; the date and the satisfaction split over two lines of their cells.
    page = ocr_page([("二、申报条件对照表", (160, 560, 500, 600)),
                     ("序号认定条件", (160, 620, 420, 660)), ("本单位情况", (700, 620, 880, 660)), ("证明材料", (1200, 620, 1340, 660)),
                     ("具有独立法人资格,运营2年以上", (200, 680, 660, 716)), ("十堰市宏图科技服务有限公司,统一社会", (700, 680, 1180, 716)),
                     ("1", (165, 720, 185, 756)), ("(第五条(一))", (200, 720, 420, 756)), ("信用代码91420305441239789K,成立于", (700, 720, 1180, 756)),
                     ("营业执照副本", (1200, 720, 1380, 756)), ("2012年9月15日", (700, 760, 900, 796)),
                     ("5", (165, 820, 185, 856)), ("年服务中小企业50家以上,用户满", (200, 820, 660, 856)),
                     ("2025年服务166户(2024年145户),满", (700, 820, 1180, 856)), ("服务台账、工作总结", (1200, 820, 1400, 856)),
                     ("意度80%以上(第五条(三))", (200, 860, 560, 896)), ("意度97%", (700, 860, 820, 896)),
                     ("8", (165, 920, 185, 956)), ("服务功能(技术创新和质量服务类)", (200, 920, 660, 956)),
                     ("年开展服务活动四场,培训621人次", (700, 920, 1180, 956)), ("三、服务特色", (160, 1000, 400, 1040))])
    claims = extract(DocumentText("申请报告.pdf", "application_report", [page])).claims
    got = {k: claims[k].value for k in ("registration_date", "satisfaction_rate", "service_category", "activities_per_year")
           if k in claims}
    assert got == {"registration_date": "2012-09-15", "satisfaction_rate": 0.97, "service_category": "技术",
                   "activities_per_year": 4}
