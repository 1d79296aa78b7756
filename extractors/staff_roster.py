"""人员名册: one person per row with degree, title and full-time flag, normalised; ID numbers masked."""

from __future__ import annotations

import re

from rapidfuzz.distance import Levenshtein

from extractors.base import Extraction
from extractors.layout import DocumentText, Field, Row, TableRow, find_field, rows_to_table
from extractors.values import compact, mask_id_numbers, parse_count, trim_after_legal_form

__all__ = ["extract", "normalise_degree", "normalise_title", "is_fulltime"]

# Most specific first: 博士研究生 before 研究生, 大学专科 before 大学.
DEGREES = (
    ("博士", "博士"), ("硕士", "硕士"), ("研究生", "硕士"), ("mba", "硕士"), ("学士", "本科"), ("本科", "本科"),
    ("中等专科", "中专"), ("中专", "中专"), ("中技", "中专"), ("职高", "中专"), ("技校", "中专"),
    ("大专", "大专"), ("专科", "大专"), ("高职", "大专"), ("高中", "高中"),
)
TITLES = (
    ("正高级", "高级"), ("正高", "高级"), ("副研究员", "副高级"), ("副教授", "副高级"), ("副高级", "副高级"),
    ("研究员", "高级"), ("教授", "高级"), ("高级", "副高级"), ("副高", "副高级"),
    ("助理", "初级"), ("初级", "初级"), ("技术员", "初级"), ("会计员", "初级"), ("经济员", "初级"), ("员级", "初级"),
    ("中级", "中级"), ("工程师", "中级"), ("经济师", "中级"), ("会计师", "中级"), ("审计师", "中级"),
    ("统计师", "中级"), ("讲师", "中级"), ("律师", "中级"), ("农艺师", "中级"),
)
# Titles as rosters print them; a title read one character off exactly one of these (刷研究员) is
# that title. Only same-length slips are repaired: a lost character could be a lost 副 or 助理.
PRINTED_TITLES = (
    "正高级工程师", "教授", "研究员", "高级工程师", "高级经济师", "高级会计师", "高级审计师", "副研究员", "副教授",
    "工程师", "经济师", "会计师", "审计师", "统计师", "讲师", "律师", "中级经济师", "中级会计师",
    "助理工程师", "助理经济师", "助理会计师", "助理研究员", "初级会计师", "技术员", "会计员",
)
FULLTIME_TOTAL = re.compile(r"专职人员(?:合计|共计|总计|共)[:：]?(\S+?人)")
# A line under the table that ends it (专职人员合计12人。, 填报单位（盖章）, 注：…); no person's row holds these.
ROSTER_END = re.compile(r"合计|填报|填表|^注[:：]|^说明")
FILED_BY = ("填报单位(盖章)", "填报单位", "填表单位(盖章)", "填表单位")  # the footer naming who filed the roster
SEAL_PLACE_LEFT = re.compile(r"^\W*[盖公]?章\W*")  # what is left of （盖章） when OCR broke the label: 【章, 章), (章):
TITLED = re.compile(r"(.+?)(?:\d{4}年度?)?(?:服务)?(?:人员名册|花名册|人员名单|人员情况表|人员信息表|人员一览表)")
# Share of the middle of a 是否专职 cell inked by a tick that OCR did not read. Measured on the phone
# photos of the seed-1 fixtures (2026-CZ009, CZ022): empty cells 0–0.031 (the highest beside a seal),
# unread ticks 0.028–0.073, ticks OCR did read 0.017–0.125.
TICK_INK = 0.035
TICK_SEEN = "（勾选标记，未识别为文字）"
NO_TITLE = {"", "无", "—", "-", "/", "暂无", "无职称", "――", "——"}
HEADERS = {
    "name": ("姓名",),
    "degree": ("最高学历", "学历", "文化程度"),
    "title": ("专业技术职称", "技术职称", "职称"),
    "fulltime": ("是否专职", "专职/兼职", "专/兼职", "专兼职", "用工性质", "专职"),
    "id": ("身份证号码", "身份证号", "身份证"),
    "gender": ("性别",),
}


def normalise_degree(raw: str) -> str:
    """全日制本科 → 本科, 研究生 → 硕士 (unless 博士 is stated), 中等专科 → 中专 …; else 其他."""
    text = compact(raw).lower()
    for word, degree in DEGREES:
        if word in text:
            return degree
    return "其他"


def normalise_title(raw: str) -> str | None:
    """高级工程师 → 副高级, 工程师 → 中级, 助理工程师 → 初级, 正高级/教授 → 高级; None when unreadable."""
    text = compact(raw)
    if text in NO_TITLE:
        return "无"
    text = printed_title(text)
    for word, title in TITLES:
        if word in text:
            return title
    return None


def printed_title(text: str) -> str:
    """The printed title a reading is one substituted character away from, when exactly one is; else the reading."""
    if text in PRINTED_TITLES:
        return text
    near = [title for title in PRINTED_TITLES if len(title) == len(text) and Levenshtein.distance(title, text) == 1]
    return near[0] if len(near) == 1 else text


def is_fulltime(raw: str) -> bool | None:
    """是/专职/√ → True, 否/兼职/blank → False; None for anything else."""
    text = compact(raw)
    if text in ("是", "专职", "√", "✓", "✔", "☑", "全职", "Y", "y", "V", "v"):  # OCR reads a tick as V
        return True
    if text in ("否", "兼职", "", "×", "N", "n", "—", "-", "外聘"):
        return False
    return None


def extract(doc: DocumentText) -> Extraction:
    """The staff list, from the document's own tables (DOCX/XLSX) or rebuilt from boxes (PDF, scans)."""
    out = Extraction()
    people, evidence, confidence = [], [], 1.0
    for table, lines in _tables(doc):
        columns = _columns(table[0])
        if "name" not in columns:
            continue
        for index, cells in enumerate(table[1:], start=1):
            person = _person(cells, columns)
            if person is None:
                continue
            if lines and "fulltime" in columns and not cells[columns["fulltime"]] and \
                    _ticked_in_ink(lines[index], lines[0], columns["fulltime"]):
                person["fulltime"], person["fulltime_raw"] = True, TICK_SEEN
            people.append(person)
            row = lines[index].row if lines else _row_naming(doc, person["name"])
            if row is not None:
                found = Field.of_row(row)
                evidence.append(found.evidence(doc.path, " ".join(c for c in cells if c)))
                confidence = min(confidence, found.confidence)
    if people:
        if not evidence:
            evidence = [doc.page_evidence()]
        unsure = sum(1 for p in people if p["title"] is None or p["fulltime"] is None or len(p["name"]) < 2)
        unsure += sum(0.5 for p in people if p.get("fulltime_raw") == TICK_SEEN)  # a mark, not a word
        for person in people:
            person["title"] = person["title"] or "无"
            person["fulltime"] = bool(person["fulltime"])
        confidence *= 1 - unsure / len(people) / 2
        stated = _stated_fulltime_count(doc)
        if stated is not None and stated != sum(p["fulltime"] for p in people):
            confidence *= 0.5  # the roster's own total disagrees: a tick or a row was not read
        out.add("staff", people, confidence, evidence)
    filed_by = _filed_by(doc)
    if filed_by is not None:
        name = trim_after_legal_form(SEAL_PLACE_LEFT.sub("", filed_by.value))
        out.add("roster_org_name", name, filed_by.confidence, [filed_by.evidence(doc.path)])
    return out


def _filed_by(doc: DocumentText) -> Field | None:
    """Who the roster says it is from: its footer (填报单位（盖章）：…), else its title (…服务人员名册)."""
    footer = find_field(doc.rows, FILED_BY, accept=lambda value: len(compact(value)) >= 4)
    if footer is not None:
        return footer
    for row in doc.rows[:3]:
        titled = TITLED.fullmatch(compact(row.text))
        if titled and len(titled.group(1)) >= 4:
            return Field.of_row(row, titled.group(1))
    return None


def _stated_fulltime_count(doc: DocumentText) -> int | None:
    """The total the roster states under its table (专职人员合计12人), if any."""
    for row in doc.rows:
        total = FULLTIME_TOTAL.search(compact(row.text))
        if total:
            return parse_count(total.group(1))
    return None


def _tables(doc: DocumentText) -> list[tuple[list[list[str]], list[TableRow] | None]]:
    """Each table with a 姓名 header: (header + rows of cells, the table rows they came from when boxed)."""
    found: list[tuple[list[list[str]], list[TableRow] | None]] = []
    for page in doc.pages:
        for table in page.tables:
            for start, cells in enumerate(table):
                if any("姓名" in compact(c) for c in cells):
                    found.append(([[compact(c) for c in r] for r in table[start:]], None))
                    break
    if found:
        return found
    rows = doc.rows
    for row in rows:
        if row.pieces[0].bbox is None:
            continue
        texts = [compact(p.text) for p in row.pieces]
        if any("姓名" in t for t in texts) and any(h in t for t in texts for h in HEADERS["degree"] + HEADERS["title"]):
            table = rows_to_table(rows, row, stop=lambda r: bool(ROSTER_END.search(compact(r.text))))
            found.append(([[compact(c) for c in line.cells] for line in table], table))
    return found


def _ticked_in_ink(line: TableRow, header: TableRow, column: int) -> bool:
    """Whether the row's empty 是否专职 cell holds a mark OCR did not read (a faint or blurred tick).
    Only the cell's middle is looked at: on a photo its borders slant across the edges; and not where
    a seal lies, whose ring would count as a mark."""
    anchor = [piece for piece in header.row.pieces if piece.bbox][column]
    width, height = anchor.bbox[2] - anchor.bbox[0], line.row.bottom - line.row.top
    left = line.lefts[column]
    middle = (left + 0.25 * width, line.row.top + 0.15 * height, left + 1.1 * width, line.row.bottom - 0.15 * height)
    page = line.row.page
    if any(seal[0] < middle[2] and middle[0] < seal[2] and seal[1] < middle[3] and middle[1] < seal[3]
           for seal in page.seals):
        return False
    share = page.ink_share(middle)
    return share is not None and share >= TICK_INK


def _fulltime_at_row_end(cells: list[str]) -> bool:
    """With no 是否专职 column (or its header unread), a row ending in 兼职 or in 否 (the unread column's
    answer, joined to the cell before it: 培训讲师否) is part-time; anyone else is full-time."""
    last = next((cell for cell in reversed(cells) if cell), "")
    return not last.endswith(("兼职", "外聘", "否", "×"))


def _row_naming(doc: DocumentText, name: str) -> Row | None:
    """The line a table's person is printed on, for its box (tables from DOCX or pdfplumber carry none)."""
    return next((row for row in doc.rows if name in compact(row.text)), None)


def _columns(header: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for field_name, names in HEADERS.items():
        for index, cell in enumerate(header):
            if any(n in cell for n in names) and field_name not in columns and index not in columns.values():
                columns[field_name] = index
                break
    return columns


def _person(cells: list[str], columns: dict[str, int]) -> dict | None:
    def cell(name: str) -> str:
        index = columns.get(name)
        return compact(cells[index]) if index is not None and index < len(cells) else ""

    name = re.sub(r"[^\u4e00-\u9fff·A-Za-z]", "", cell("name"))
    if "gender" in columns and not cell("gender") and name[-1:] in ("男", "女") and len(name) >= 3:
        name = name[:-1]  # OCR joined the name with the gender cell beside it
    degree_raw, title_raw, fulltime_raw = cell("degree"), cell("title"), cell("fulltime")
    if not name or any(word in name for word in ("合计", "小计", "人员")):
        return None
    # One character is a stray mark, unless the row holds an ID or a degree: then OCR cut a name short.
    if len(name) < 2 and not (cell("id") or normalise_degree(degree_raw) != "其他"):
        return None
    person = {"name": name, "degree": normalise_degree(degree_raw), "title": normalise_title(title_raw),
              "fulltime": is_fulltime(fulltime_raw) if "fulltime" in columns else _fulltime_at_row_end(cells),
              "degree_raw": degree_raw, "title_raw": title_raw}
    if cell("id"):
        person["id_masked"] = mask_id_numbers(cell("id"))  # pages are masked when read; this is the safety net
    return person
