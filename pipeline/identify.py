"""Identify: the pages of a file → its documents (doc_type and page range), from content first."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from models.pages import PageText

# Titles a document carries at its head, and words its body uses (with weights). The file
# name only adds a small hint: applicants name files `IMG_2041.JPG` or `附件4.pdf`.
CLUES: dict[str, tuple[tuple[str, ...], dict[str, float]]] = {
    "business_license": (
        ("营业执照", "业执照", "营业执"),
        {"统一社会信用代码": 3, "法定代表人": 2, "经营者": 1, "负责人": 1, "注册资本": 2, "成立日期": 2,
         "注册日期": 1, "营业期限": 2, "经营范围": 2, "登记机关": 3, "经营场所": 1, "营业场所": 1,
         "国家企业信用信息公示系统": 3, "市场主体": 1, "组成形式": 1}),
    "legal_person_certificate": (
        ("事业单位法人证书", "社会团体法人登记证书", "民办非企业单位登记证书", "法人登记证书", "法人证书"),
        {"宗旨和业务范围": 3, "业务主管单位": 3, "开办资金": 3, "注册资金": 2, "举办单位": 3, "经费来源": 3,
         "登记管理机关": 3, "活动地域": 2, "统一社会信用代码": 1, "法定代表人": 1}),
    "lease_contract": (
        ("租赁合同", "租房合同", "租赁协议"),
        {"出租方": 3, "承租方": 3, "出租人": 3, "承租人": 3, "租金": 2, "租赁期限": 3, "租赁期": 1,
         "押金": 1, "建筑面积": 1, "甲方": 1, "乙方": 1}),
    "property_certificate": (
        ("不动产权证书", "房屋所有权证", "房产证", "不动产权证"),
        {"权利人": 3, "共有情况": 3, "不动产单元号": 3, "权利类型": 3, "权利性质": 2, "房屋所有权人": 3,
         "坐落": 1, "使用期限": 1, "用途": 1}),
    "creditchina_report": (
        ("信用中国", "公共信用信息报告", "信用信息报告", "信用报告"),
        {"creditchina": 4, "行政处罚": 2, "严重失信主体名单": 2, "经营异常": 1, "信用承诺": 1, "行政许可": 1,
         "守信激励": 1, "失信惩戒": 1, "信用信息": 2}),
    "ccgp_record": (
        ("中国政府采购网", "政府采购严重违法失信行为记录名单", "严重违法失信行为记录名单"),
        {"ccgp": 4, "政府采购": 3, "严重违法失信行为": 3, "处罚依据": 1, "处罚结果": 1, "记录名单": 2}),
    "staff_roster": (
        ("人员名册", "花名册", "人员名单", "人员情况表", "员工名册", "人员信息表", "人员一览表"),
        {"姓名": 2, "学历": 2, "职称": 2, "身份证": 1, "专职": 2, "兼职": 1, "序号": 1, "岗位": 1,
         "毕业院校": 1, "职务": 1}),
    "audit_report": (
        ("审计报告",),
        {"资产负债表": 3, "资产总计": 3, "负债合计": 2, "会计师事务所": 3, "注册会计师": 3, "审计意见": 3,
         "所有者权益": 2, "利润表": 2, "财务报表": 2}),
    "service_evidence": (
        ("工作总结", "服务总结", "签到表", "活动通知", "会议通知", "培训通知", "服务记录", "活动简报",
         "服务证明", "服务台账", "服务情况"),
        {"服务活动": 2, "服务企业": 2, "签到": 2, "场次": 2, "累计服务": 2, "参会": 1, "培训": 1, "活动": 1,
         "举办": 1, "宣讲": 1, "参加人数": 2, "人次": 1}),
    "qualification_certificate": (
        ("资质认定证书", "资质证书", "许可证", "备案证明", "资格证书", "认定证书", "ICP备案", "备案证书"),
        {"证书编号": 3, "发证机关": 3, "发证日期": 2, "有效期": 2, "备案号": 2, "资质": 2, "许可": 1,
         "编号": 1, "颁发": 1, "单位名称": 1}),
    "authenticity_declaration": (
        ("真实性声明", "真实性承诺书", "诚信承诺书", "承诺书", "声明"),
        {"真实": 2, "法律责任": 3, "虚假": 2, "承诺": 2, "郑重声明": 3, "不实": 1, "重大遗漏": 2}),
    "recommendation_form": (
        ("推荐表", "推荐意见表", "推荐函", "推荐书"),
        {"推荐单位": 3, "推荐意见": 3, "被推荐": 3, "同意推荐": 3, "主管部门": 1}),
    "application_report": (
        ("申请报告", "申报书", "申请书", "申报报告"),
        {"基本情况": 2, "申报单位": 2, "申请单位": 2, "服务能力": 2, "服务业绩": 2, "工作计划": 1,
         "专职人员": 1, "服务场所": 1, "服务满意度": 1}),
}
NAME_HINTS: dict[str, tuple[str, ...]] = {
    "business_license": ("营业执照", "执照"), "legal_person_certificate": ("法人证书", "登记证书"),
    "lease_contract": ("租赁", "租房"), "property_certificate": ("产权", "房产证"),
    "creditchina_report": ("信用中国",), "ccgp_record": ("政府采购",), "staff_roster": ("名册", "人员"),
    "audit_report": ("审计",), "service_evidence": ("总结", "签到", "通知"), "service_photo": ("照片", "活动"),
    "qualification_certificate": ("资质", "许可证", "备案"), "authenticity_declaration": ("声明", "承诺"),
    "recommendation_form": ("推荐",), "application_report": ("申请报告", "申报书"),
}
# Documents whose later pages repeat their own title (an audit report's cover and first page).
CONTINUED_BY_OWN_TITLE = {"audit_report", "application_report", "service_evidence", "staff_roster", "creditchina_report"}
TITLE_WEIGHT = 10.0
MIN_SCORE = 5.0
NAME_HINT_WEIGHT = 2.0


@dataclass
class PageClues:
    """What one page says about its type: best type, its score, whether it carries a title."""

    scores: dict[str, float]
    titled: set[str]
    characters: int

    @property
    def best(self) -> tuple[str | None, float]:
        if not self.scores:
            return None, 0.0
        doc_type = max(self.scores, key=lambda t: self.scores[t])
        return doc_type, self.scores[doc_type]


@dataclass
class IdentifiedDocument:
    """One document found in a file: its type, pages (1-based, inclusive) and how sure we are."""

    doc_type: str
    page_start: int
    page_end: int
    confidence: float
    clues: list[str] = field(default_factory=list)


def normalise(text: str) -> str:
    """Full-width to half-width, no spaces: `名　　称` and `名 称` both become `名称`."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def page_to_clues(page: PageText) -> PageClues:
    """Score every doc_type on one page: titles near the top count most."""
    lines = [normalise(line.text) for line in page.lines]
    text = "".join(lines)
    head = _head_lines(page, lines)
    scores: dict[str, float] = {}
    titled: set[str] = set()
    for doc_type, (titles, keywords) in _NORMALISED_CLUES.items():
        score = sum(weight for word, weight in keywords.items() if word in text)
        if any(title in line for line in head for title in titles):
            score += TITLE_WEIGHT
            titled.add(doc_type)
        elif any(title in text for title in titles):
            score += 3
        if score:
            scores[doc_type] = score
    return PageClues(scores, titled, len(text))


def _head_lines(page: PageText, lines: list[str]) -> list[str]:
    """Short lines in the top third of the page (the first few lines where there are no boxes)."""
    if page.height and all(line.bbox for line in page.lines):
        top = page.height * 0.35
        chosen = [text for line, text in zip(page.lines, lines, strict=True) if line.bbox and line.bbox[1] <= top]
    else:
        chosen = lines[:6]
    return [text for text in chosen if len(text) <= 40]


def name_hint(path: str) -> str | None:
    """The doc_type a file name suggests, if any."""
    name = normalise(path.rsplit("/", 1)[-1])
    for doc_type, words in NAME_HINTS.items():
        if any(word in name for word in words):
            return doc_type
    return None


def clues_to_type(clues: list[PageClues], hint: str | None, is_photo: bool) -> tuple[str, float, list[str]]:
    """The doc_type of a run of pages: the first page counts double; a weak result falls back."""
    total: dict[str, float] = {}
    for index, page in enumerate(clues):
        for doc_type, score in page.scores.items():
            total[doc_type] = total.get(doc_type, 0.0) + score * (2.0 if index == 0 else 1.0)
    if hint:
        total[hint] = total.get(hint, 0.0) + NAME_HINT_WEIGHT
    ranked = sorted(total.items(), key=lambda kv: -kv[1])
    evidence = [f"{t}:{s:g}" for t, s in ranked[:3]]
    if ranked and ranked[0][1] >= 2 * MIN_SCORE:  # the first page's score is doubled
        best, score = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        return best, round(min(1.0, (score - runner_up) / 20 + 0.5), 2), evidence
    if is_photo:
        return "service_photo", 0.6, evidence
    return "other", 0.3, evidence


def pages_to_segments(clues: list[PageClues]) -> list[tuple[int, int]]:
    """Split a multi-page file where a page opens a new document with its own title."""
    starts = [0]
    current = clues[0].best[0] if clues else None
    for index in range(1, len(clues)):
        doc_type, score = clues[index].best
        opens = doc_type in clues[index].titled and score >= TITLE_WEIGHT + 2
        if not opens:
            continue
        if doc_type == current and doc_type in CONTINUED_BY_OWN_TITLE:
            continue
        starts.append(index)
        current = doc_type
    return [(start + 1, (starts[i + 1] if i + 1 < len(starts) else len(clues))) for i, start in enumerate(starts)]


_NORMALISED_CLUES = {doc_type: (tuple(normalise(t) for t in titles), {normalise(w): v for w, v in words.items()})
                     for doc_type, (titles, words) in CLUES.items()}


class Identifier:
    """Stage `identify`: a file's pages → its documents."""

    def __call__(self, path: str, kind: str, pages: list[PageText]) -> list[IdentifiedDocument]:
        if not pages:
            return [IdentifiedDocument("other", 1, 1, 0.0, ["没有可读的页面"])]
        clues = [page_to_clues(page) for page in pages]
        hint = name_hint(path)
        is_image = kind in ("jpeg", "png", "tiff", "bmp", "webp", "heic")
        documents = []
        for start, end in pages_to_segments(clues) if kind in ("pdf", "tiff") else [(1, len(pages))]:
            part = clues[start - 1:end]
            is_photo = is_image and sum(c.characters for c in part) <= 60
            doc_type, confidence, evidence = clues_to_type(part, hint if (start, end) == (1, len(pages)) else None,
                                                           is_photo)
            documents.append(IdentifiedDocument(doc_type, start, end, confidence, evidence))
        return documents
