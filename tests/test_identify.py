"""Document identification from content, bundle splitting, and the 28 real licences of the dev-set."""

from __future__ import annotations

from models.pages import PageText, TextLine
from pipeline.identify import Identifier, name_hint, normalise


def page(number: int, *texts: str, height: int = 2339) -> PageText:
    """A page whose lines stand 60 px apart from the top."""
    lines = [TextLine(text=t, bbox=(100, 100 + 60 * i, 1500, 140 + 60 * i)) for i, t in enumerate(texts)]
    return PageText(page_no=number, width=1654, height=height, source="ocr", lines=lines)


LICENCE = ("营 业 执 照", "统一社会信用代码 91420100MA4K2XXX0X", "名　　称 武汉某某科技有限公司", "法定代表人 张三",
           "注册资本 壹佰万元整", "成立日期 2018年03月12日", "经营范围 技术服务")
DECLARATION = ("真实性声明", "本单位郑重声明：所提交的全部申报材料均真实、合法、有效，如有不实，愿意承担一切法律责任。")
LEASE_1 = ("房屋租赁合同", "出租方（甲方）：某某投资有限公司", "承租方（乙方）：武汉某某科技有限公司", "租赁期限自2025年1月1日起")
LEASE_2 = ("第五条 其他约定", "本合同一式两份，甲乙双方各执一份。", "甲方（盖章）", "乙方（盖章）")
PHOTO = ("2025年政策宣讲会",)


def test_labels_spaced_out_and_full_width_are_normalised():
    assert normalise("名　　称") == "名称"
    assert normalise("（ＡＢＣ）") == "(abc)"


def test_generic_file_names_are_identified_from_content():
    identify = Identifier()
    assert identify("IMG_2041.JPG", "jpeg", [page(1, *LICENCE)])[0].doc_type == "business_license"
    assert identify("附件4.pdf", "pdf", [page(1, *LEASE_1), page(2, *LEASE_2)])[0].doc_type == "lease_contract"


def test_content_outweighs_a_misleading_file_name():
    assert Identifier()("营业执照.pdf", "pdf", [page(1, *DECLARATION)])[0].doc_type == "authenticity_declaration"


def test_a_photo_with_a_banner_is_a_service_photo_and_an_empty_pdf_page_is_other():
    identify = Identifier()
    assert identify("mmexport1.jpg", "jpeg", [page(1, *PHOTO)])[0].doc_type == "service_photo"
    assert identify("scan.pdf", "pdf", [page(1)])[0].doc_type == "other"


def test_bundle_pdf_is_split_by_page_range():
    pages = [page(1, *LICENCE), page(2, *LEASE_1), page(3, *LEASE_2), page(4, *DECLARATION)]
    found = Identifier()("申报材料.pdf", "pdf", pages)
    assert [(d.doc_type, d.page_start, d.page_end) for d in found] == [
        ("business_license", 1, 1), ("lease_contract", 2, 3), ("authenticity_declaration", 4, 4)]


def test_two_leases_in_one_file_are_two_documents_but_an_audit_report_repeating_its_title_is_one():
    leases = Identifier()("合同.pdf", "pdf", [page(1, *LEASE_1), page(2, *LEASE_2), page(3, *LEASE_1)])
    assert [(d.page_start, d.page_end) for d in leases] == [(1, 2), (3, 3)]
    audit = Identifier()("审计.pdf", "pdf", [
        page(1, "审 计 报 告", "某某会计师事务所"), page(2, "审计报告", "一、审计意见", "我们审计了财务报表，注册会计师"),
        page(3, "资产负债表", "资产总计 1,000,000.00")])
    assert [(d.doc_type, d.page_start, d.page_end) for d in audit] == [("audit_report", 1, 3)]


def test_a_title_low_on_the_page_does_not_open_a_new_document():
    report = page(2, *(["我单位现有专职人员十二人。"] * 25), "营业执照", "统一社会信用代码", "法定代表人")
    found = Identifier()("申请报告.pdf", "pdf", [page(1, "湖北省中小企业公共服务严选服务机构申请报告", "基本情况", "申报单位"), report])
    assert [(d.doc_type, d.page_start, d.page_end) for d in found] == [("application_report", 1, 2)]


def test_name_hints():
    assert name_hint("附件/附件2 营业执照副本.jpg") == "business_license"
    assert name_hint("IMG_2041.JPG") is None


def test_every_real_licence_is_identified_including_rotated_ones(real_licences):
    identify = Identifier()
    wrong, rotated_seen = [], 0
    assert len(real_licences) == 28
    for name, (truth, read) in real_licences.items():
        assert read.error is None, name
        documents = identify(name, read.kind, read.pages)
        if [d.doc_type for d in documents] != ["business_license"]:
            wrong.append((name, [d.clues for d in documents]))
        if truth["rotated_in_file"] == "yes":
            rotated_seen += 1
            assert read.pages[0].rotation in (1, 3), name
    assert wrong == []
    assert rotated_seen >= 1
