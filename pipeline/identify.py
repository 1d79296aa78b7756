"""Identify: the pages of a file → its documents (doc_type and page range), from content first."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from models.pages import PageText
from pipeline.pages import IMAGE_KINDS

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
        ("租赁合同", "租房合同", "租赁协议", "租赁契约"),
        # A lease's later pages carry no title: its clauses (转租, 租赁期满, 违约金 …) say what it is.
        {"出租方": 3, "承租方": 3, "出租人": 3, "承租人": 3, "租金": 2, "租赁期限": 3, "租赁期": 1,
         "押金": 1, "建筑面积": 1, "甲方": 1, "乙方": 1, "转租": 2, "续租": 2, "退租": 1, "租赁期满": 2, "租赁期间": 2,
         "租赁房屋": 2, "该房屋": 1, "违约金": 1, "物业管理费": 1}),
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
        ("工作总结", "服务总结", "签到表", "签到册", "签到簿", "活动通知", "会议通知", "培训通知", "服务记录", "活动简报",
         "服务证明", "服务台账", "服务情况", "邀请函", "议程", "活动方案", "活动简报", "工作简报",
         "服务记录表", "参会回执", "报名回执"),
        {"服务活动": 2, "服务企业": 2, "签到": 2, "场次": 2, "累计服务": 2, "参会": 1, "培训": 1, "活动": 1,
         "举办": 1, "宣讲": 1, "参加人数": 2, "人次": 1, "活动时间": 2, "活动地点": 2, "会议时间": 2, "会议地点": 2,
         "培训时间": 2, "培训地点": 2, "参会人员": 2, "主办单位": 1, "承办单位": 1, "议程": 2, "嘉宾": 1, "报名": 1}),
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
# Titles written as sentences: a notice of an activity (关于举办/召开/开展…的通知: a meeting, training,
# lecture, matchmaking…), the report as an official letter (关于申报…的报告), the 推荐函 (关于推荐…的函).
TITLE_PATTERNS = (
    ("service_evidence", re.compile(r"关于(?:举办|召开|开展|组织|举行)\S{0,40}?(?:活动|培训|讲座|会议|对接会|沙龙|论坛|宣讲|交流会|"
                                    r"座谈会|研讨会|路演|大赛|训练营|服务日)\S{0,6}?的?(?:通知|邀请函|公告)")),
    ("application_report", re.compile(r"关于(?:申报|申请|报送|推荐申报)\S{0,60}?的(?:报告|申请|请示|申请报告)$")),
    ("recommendation_form", re.compile(r"关于推荐\S{0,60}?的(?:函|报告|意见)$")),
    # The same title with its ends lost on a poor photocopy (于推荐…申报…示范平台的): 推荐 a body 申报 something.
    ("recommendation_form", re.compile(r"^(?:关于|于)?推荐\S{2,40}?申报\S{2,50}$")),
)
# A head line holding a sentence's or a field's punctuation is text, not a title.
NOT_A_TITLE = re.compile(r"[。,，;；:：]")
# A list of the application's papers (申报材料目录): its title, and the titles of several document types.
CONTENTS_TITLE = re.compile(r"目录|目\s*录|材料清单|附件清单|材料目录|申报材料一览")
CONTENTS_MIN_TYPES = 3
TITLE_WEIGHT = 10.0
MIN_SCORE = 5.0
NAME_HINT_WEIGHT = 2.0


@dataclass
class PageClues:
    """What one page says about its type: best type, its score, whether it carries a title."""

    scores: dict[str, float]
    titled: set[str]
    characters: int
    contents: bool = False
    lines: int = 0  # a 申报材料目录: it names the other documents, it is none of them
    first_title: str | None = None  # the type whose title stands highest (a report citing 营业执照副本 below its own)

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
    head = [line for line in head if not NOT_A_TITLE.search(line)]
    titled_by_line = [line_to_titled_types(line) for line in head]  # each head line's types, in page order
    titled = {doc_type for types in titled_by_line for doc_type in types}
    scores: dict[str, float] = {}
    for doc_type, (titles, keywords) in _NORMALISED_CLUES.items():
        score = sum(weight for word, weight in keywords.items() if word in text)
        if doc_type in titled:
            score += TITLE_WEIGHT
        elif any(title in text for title in titles):
            score += 3
        if score:
            scores[doc_type] = score
    named = {doc_type for doc_type, (titles, _k) in _NORMALISED_CLUES.items() if any(t in text for t in titles)}
    contents = any(CONTENTS_TITLE.search(line) for line in head[:4]) and len(named) >= CONTENTS_MIN_TYPES
    first_title = next((types[0] for types in titled_by_line if types), None)
    return PageClues(scores, titled, len(text), contents, len(lines), first_title)


def line_to_titled_types(line: str) -> list[str]:
    """The types a head line titles: a sentence title's pattern (关于推荐…的函), or a type's title in it (营业执照)."""
    types = [doc_type for doc_type, pattern in TITLE_PATTERNS if pattern.search(line)]
    types += [doc_type for doc_type, (titles, _k) in _NORMALISED_CLUES.items()
              if doc_type not in types and any(title in line for title in titles)]
    return types


def _head_lines(page: PageText, lines: list[str]) -> list[str]:
    """Short lines in the top third of the page (the first few lines where there are no boxes)."""
    if page.height and all(line.bbox for line in page.lines):
        top = page.height * 0.35
        chosen = [text for line, text in zip(page.lines, lines, strict=True) if line.bbox and line.bbox[1] <= top]
    else:
        chosen = lines[:6]
    # A sentence title (关于推荐…申报湖北省中小企业公共服务严选服务机构的函) runs longer than a name title.
    return [text for text in chosen if len(text) <= 40 or len(text) <= 80 and text.startswith("关于")]


# Words holding a hint's word that are about something else: a 知识产权沙龙 (an intellectual-property salon) is no 产权.
NOT_HINTS = ("知识产权",)


def name_hint(path: str) -> str | None:
    """The doc_type a file name suggests, if any."""
    name = normalise(path.rsplit("/", 1)[-1])
    for words in NOT_HINTS:
        name = name.replace(words, "")
    for doc_type, words in NAME_HINTS.items():
        if any(word in name for word in words):
            return doc_type
    return None


# Papers a folder may be named for that no scene photo belongs to (a service-evidence folder holds photos too).
FOLDER_TYPES = ("business_license", "legal_person_certificate", "lease_contract", "property_certificate",
                "creditchina_report", "ccgp_record", "staff_roster", "audit_report", "qualification_certificate")


def named_paper(path: str) -> str | None:
    """The paper a file's folder, else its own name, is named for (二、营业执照/20260502_174118.jpg, 营业执照.jpg), of
    FOLDER_TYPES only; a folder named for anything else (七、活动照片) says its files are not such a paper."""
    folder = path.rpartition("/")[0]
    hint = (name_hint(folder) if folder else None) or name_hint(path)
    return hint if hint in FOLDER_TYPES else None


def clues_to_type(clues: list[PageClues], hint: str | None, is_photo: bool,
                  paper: str | None = None) -> tuple[str, float, list[str]]:
    """The doc_type of a run of pages: the first page counts double; a weak result falls back: an image of few
    words named, or in a folder named, for a paper is that paper, too blurred to read; else a scene photo."""
    if clues and clues[0].contents:
        return "other", 0.8, ["申报材料目录"]
    # A document says what it is in its title: a first page titled as one type only is that type, however
    # much its later pages speak of activities or staff (a report's 服务业绩 section).
    if clues and len(clues[0].titled) == 1:
        titled = next(iter(clues[0].titled))
        return titled, 0.9, [f"标题:{titled}"]
    # Titled as several types (a report's conditions table cites 营业执照副本 in its top third): the highest title.
    if clues and clues[0].first_title is not None:
        return clues[0].first_title, 0.8, [f"标题:{clues[0].first_title}"]
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
    if is_photo and paper:
        return paper, 0.4, [*evidence, f"名称:{paper}", "文字很少，可能无法辨认"]
    if is_photo:
        return "service_photo", 0.6, evidence
    return "other", 0.3, evidence


def _few_words(clues: list[PageClues]) -> bool:
    """Whether an image holds too little text to be a paper: a scene photo's banner, or a banner with a
    watermark camera's stamp (11:57 | 2026.03.12 | 星期四 | its place) — a few short lines."""
    characters = sum(c.characters for c in clues)
    return characters <= 60 or (sum(c.lines for c in clues) <= 8 and characters <= 160)


def pages_to_segments(clues: list[PageClues]) -> list[tuple[int, int]]:
    """Split a multi-page file where a page opens a new document with its own title."""
    starts = [0]
    current = clues[0].best[0] if clues else None
    for index in range(1, len(clues)):
        doc_type, score = clues[index].best
        if clues[index].contents or clues[index - 1].contents:  # a list of contents is a document of its own
            starts.append(index)
            current = None if clues[index].contents else doc_type
            continue
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
        is_image = kind in IMAGE_KINDS
        documents = []
        for start, end in pages_to_segments(clues) if kind in ("pdf", "tiff") else [(1, len(pages))]:
            part = clues[start - 1:end]
            is_photo = is_image and _few_words(part)
            doc_type, confidence, evidence = clues_to_type(part, hint if (start, end) == (1, len(pages)) else None,
                                                           is_photo, named_paper(path) if is_image else None)
            documents.append(IdentifiedDocument(doc_type, start, end, confidence, evidence))
        return documents


# A phone numbers its shots (IMG_3606.JPG, IMG_3607.JPG; DSC00412.jpg): a paper photographed page by page
# is a run of consecutive numbers in one folder.
SHOT_NAME = re.compile(r"^(?P<stem>.*?)(?P<number>\d{3,})\.(?:jpe?g|png|heic|webp|tiff?|bmp)$", re.IGNORECASE)
# Documents of several pages, whose later pages carry no title of their own.
MULTI_PAGE_TYPES = {"lease_contract", "audit_report", "application_report", "staff_roster", "property_certificate",
                    "creditchina_report", "service_evidence"}
CONTINUED_SHOT_CONFIDENCE = 0.6


@dataclass
class Shot:
    """One photographed file as identified on its own: its path, type and the clues that typed it."""

    path: str
    doc_type: str
    clues: list[str]


def shots_to_continuations(shots: list[Shot]) -> dict[str, str]:
    """The photographed files that continue the paper in the shot before them: a later page of a lease
    (its clauses, its signature page) has no title, so on its own it reads as `other` (or, with few words,
    as a photo); where the shot
    numbered just before it in the same folder is a multi-page document and this page's own words
    speak for that type too (a clue score above nothing), it is that document's next page."""
    numbered: dict[tuple[str, str, int], Shot] = {}
    for shot in shots:
        folder, _, name = shot.path.rpartition("/")
        match = SHOT_NAME.match(name)
        if match:
            numbered[(folder, match["stem"].lower(), int(match["number"]))] = shot
    continued: dict[str, str] = {}
    for (folder, stem, number), shot in sorted(numbered.items()):
        before = numbered.get((folder, stem, number - 1))
        if before is None or shot.doc_type not in ("other", "service_photo"):
            continue
        previous_type = continued.get(before.path, before.doc_type)
        if previous_type in MULTI_PAGE_TYPES and any(clue.startswith(f"{previous_type}:") for clue in shot.clues):
            continued[shot.path] = previous_type
    return continued
