"""Document identification from content, bundle splitting, and the 28 real licences of the dev-set."""

from __future__ import annotations

from models.pages import PageText, TextLine
from pipeline.identify import Identifier, Shot, name_hint, normalise, shots_to_continuations


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


CONTENTS = ("申报材料目录", "一、申请报告 ………… 1", "二、营业执照副本 ………… 9", "三、房屋租赁合同 ………… 10",
            "四、人员名册 ………… 14", "五、信用中国查询截图 ………… 16", "六、真实性声明 ………… 18")
NOTICE = ("关于举办2025年中小企业数字化转型培训会的通知", "各会员企业：", "为帮助企业提升数字化水平，定于2025年9月12日在我中心举办培训会。",
          "活动时间：2025年9月12日 9:00", "活动地点：武汉市洪山区关山大道355号", "请于9月10日前报名。")
SIGN_IN = ("企业服务对接会签到表", "时间：2025年10月23日", "序号 单位名称 姓名 联系电话 签到", "1 武汉某某科技有限公司 张三 139****1234")
AGENDA = ("2025年专精特新企业培育沙龙议程", "14:00-14:10 领导致辞", "14:10-15:00 政策解读", "15:00-16:00 企业交流")
LEASE_PAGE_3 = ("第七条 转租", "未经甲方书面同意，乙方不得将该房屋转租、转借他人。", "第八条 违约责任",
                "租赁期间，任何一方违约的，应向守约方支付违约金。", "租赁期满，乙方需续租的，应提前一个月书面提出。")


def test_a_list_of_the_papers_is_other_and_stands_apart_from_what_follows():
    identify = Identifier()
    assert identify("目录.jpg", "jpeg", [page(1, *CONTENTS)])[0].doc_type == "other"
    found = identify("申报材料.pdf", "pdf", [page(1, *CONTENTS), page(2, *LICENCE), page(3, *LEASE_1), page(4, *LEASE_2)])
    assert [(d.doc_type, d.page_start, d.page_end) for d in found] == [
        ("other", 1, 1), ("business_license", 2, 2), ("lease_contract", 3, 4)]


def test_notices_sign_in_sheets_and_agendas_are_service_evidence():
    identify = Identifier()
    for lines in (NOTICE, SIGN_IN, AGENDA):
        assert identify("附件7.pdf", "pdf", [page(1, *lines)])[0].doc_type == "service_evidence", lines[0]


def test_a_photographed_later_page_of_a_lease_is_the_lease():
    assert Identifier()("IMG_3312.JPG", "jpeg", [page(1, *LEASE_PAGE_3)])[0].doc_type == "lease_contract"


def test_a_lease_photographed_page_by_page_is_one_lease_across_consecutive_shots():
    identify = Identifier()
    files = {"三、场所证明/IMG_3606.JPG": LEASE_1, "三、场所证明/IMG_3607.JPG": LEASE_2,
             "三、场所证明/IMG_3608.JPG": LEASE_2, "三、场所证明/IMG_3609.JPG": PHOTO,
             "活动照片/IMG_3610.JPG": LEASE_2}
    shots = []
    for path, texts in files.items():
        found = identify(path, "jpeg", [page(1, *texts)])[0]
        shots.append(Shot(path, found.doc_type, found.clues))
    assert "lease_contract" not in [s.doc_type for s in shots[1:]]  # alone, a signature page is no document
    continued = shots_to_continuations(shots)
    # Pages 2 and 3 continue the lease; the scene photo after them and a shot in another folder do not.
    assert continued == {"三、场所证明/IMG_3607.JPG": "lease_contract", "三、场所证明/IMG_3608.JPG": "lease_contract"}


def test_a_scene_photo_with_a_banner_and_a_watermark_cameras_stamp_is_a_photo():
    identify = Identifier()
    stamp = ("长治市嘉禾科技服务中心（有限合伙）2026年管理诊断服务", "11:57", "2026.03.12", "星期四", "山西省长治市・上党区人民路247号")
    assert identify("IMG_20260312_115744.jpg", "jpeg", [page(1, *stamp)])[0].doc_type == "service_photo"


def test_a_blurred_photo_in_a_folder_named_for_a_paper_is_that_paper_and_a_photo_elsewhere_a_photo():
    identify = Identifier()
    blurred = [page(1, "国家企", "2026")]  # a phone photo of a licence, too blurred to read
    found = identify("二、营业执照/20260502_174118.jpg", "jpeg", blurred)[0]
    assert found.doc_type == "business_license" and found.confidence < 0.5
    assert identify("（二）营业执照（副本）.jpg", "jpeg", blurred)[0].doc_type == "business_license"  # named for it
    # A service-evidence folder holds scene photos: they stay photos.
    assert identify("六、服务证明材料/IMG_2041.JPG", "jpeg", [page(1, *PHOTO)])[0].doc_type == "service_photo"
    assert identify("活动照片/IMG_2042.JPG", "jpeg", [page(1, *PHOTO)])[0].doc_type == "service_photo"
    # A salon on 知识产权 is no 产权证, and a photos folder speaks louder than a file's name.
    assert identify("知识产权沙龙1.jpg", "jpeg", [page(1, *PHOTO)])[0].doc_type == "service_photo"
    assert identify("七、活动照片/营业执照宣讲.jpg", "jpeg", blurred)[0].doc_type == "service_photo"
