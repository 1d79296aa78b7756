"""人员名册: one person per row with degree, title and full-time flag, normalised; ID numbers masked."""

from __future__ import annotations

import re

from rapidfuzz.distance import Levenshtein

from extractors.base import Extraction
from extractors.layout import (
    DocumentText,
    Field,
    Row,
    TableRow,
    find_field,
    rows_to_table,
    two_line_header,
)
from extractors.validate import org_name
from extractors.values import compact, mask_id_numbers, parse_count

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
# The full-time total a roster states under its table: 专职人员合计12人, 合计：共14人，其中专职10人、兼职4人.
FULLTIME_TOTAL = re.compile(r"专职(?:服务|工作)?人员(?:合计|共计|总计|共)[:：]?([\d一二两三四五六七八九十百]+\s*[人名])|"
                            r"(?:合计|共计|总计)[:：]?共?[\d一二两三四五六七八九十百]+\s*[人名][,，;；]?其中专职(?:人员)?"
                            r"([\d一二两三四五六七八九十百]+\s*[人名])")
# A line under the table that ends it (专职人员合计12人。, 填报单位（盖章）, 注：…); no person's row holds these.
SIGNED_BELOW = re.compile(r"制表|审核人|填表人|经办人")
ROSTER_END = re.compile(r"合计|小计|填报|填表|^注[:：]|^说明")
FILED_BY = ("填报单位(盖章)", "填报单位", "填表单位(盖章)", "填表单位")  # the footer naming who filed the roster
SEAL_PLACE_LEFT = re.compile(r"^\W*[盖公]?章\W*")  # what is left of （盖章） when OCR broke the label: 【章, 章), (章):
TITLED = re.compile(r"(.+?)(?:\d{4}年度?)?(?:服务)?(?:人员名册|花名册|人员名单|人员情况表|人员信息表|人员一览表)")
# Share of the middle of a 是否专职 cell inked by a tick that OCR did not read. Measured on the phone
# photos of the seed-1 fixtures (2026-CZ009, CZ022): empty cells 0–0.031 (the highest beside a seal),
# unread ticks 0.028–0.073, ticks OCR did read 0.017–0.125.
TICK_INK = 0.035
TICK_SEEN = "（勾选标记，未识别为文字）"
NO_TITLE = {"", "无", "—", "-", "/", "暂无", "无职称", "――", "——", "一", "一一", "－", "／", "_"}  # 一: a dash as OCR reads it
HEADERS = {
    "name": ("姓名",),
    "degree": ("最高学历", "学历", "文化程度", "学位"),
    "title": ("专业技术职称", "专业技术资格", "技术职称", "职称", "职业资格"),
    "fulltime": ("是否专职", "是否全职", "专职/兼职", "专职或兼职", "专/兼职", "专兼职", "用工形式", "用工性质", "用工方式",
                 "聘用形式", "聘用方式", "人员性质", "人员类别", "岗位性质", "工作性质", "专职"),
    "id": ("身份证号码", "身份证号", "身份证", "公民身份号码", "证件号码"),
    "gender": ("性别",),
}
# A table, sheet or section of a roster that lists only part-time people (兼职人员名单, 二、外聘专家).
PART_TIME_SECTION = re.compile(r"兼职|外聘|返聘|顾问|专家库|特聘|志愿者")
FULL_TIME_SECTION = re.compile(r"专职|全职|在职|在编")


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


# How rosters say someone works for the applicant full-time, or not. 用工形式 names the contract: a
# 劳动合同 (the applicant's own employee) is full-time; 劳务派遣 staff are the dispatch agency's
# employees, 退休返聘 and 外聘 people serve on other terms: not the applicant's full-time staff.
FULL_TIME_WORDS = ("是", "专职", "√", "✓", "✔", "☑", "全职", "Y", "y", "V", "v", "J", "Ⅴ", ">", "〉", "丿",  # a tick read as V, J, >
                   "劳动合同", "劳动合同制", "签订劳动合同", "合同制", "正式", "正式员工", "在编", "在职", "全日制", "专职人员")
PART_TIME_WORDS = ("否", "兼职", "", "×", "N", "n", "—", "-", "外聘", "退休返聘", "返聘", "兼职人员", "劳务", "劳务合同",
                   "劳务协议", "劳务派遣", "派遣", "顾问", "实习", "临时", "非全日制", "特聘", "外聘专家", "志愿者")

PART_TIME_MARKS = ("兼职", "外聘", "返聘", "劳务", "派遣", "顾问", "实习", "临时", "特聘", "志愿")
FULL_TIME_MARKS = ("全日制", "劳动合同", "专职", "全职", "正式", "在编")


def is_fulltime(raw: str) -> bool | None:
    """是/专职/√/劳动合同 → True, 否/兼职/外聘/退休返聘/劳务派遣/blank → False; None for anything else.
    A contract's qualifier decides: 劳动合同（全日制） is full-time, 劳动合同（非全日制） is not (劳动合同法 第六十八条)."""
    text = compact(raw)
    if "非全日制" in text:
        return False
    bare = re.sub(r"[（(][^）)]*[）)]", "", text) if text not in FULL_TIME_WORDS + PART_TIME_WORDS else text
    if text in FULL_TIME_WORDS or bare in FULL_TIME_WORDS and bare:
        return True
    if text in PART_TIME_WORDS or bare in PART_TIME_WORDS and bare:
        return False
    # Wordings beyond the lists (全日制劳动合同, 劳务协议（兼职）, 签订三年劳动合同): a part-time word decides first.
    if any(word in text for word in PART_TIME_MARKS):
        return False
    if any(word in text for word in FULL_TIME_MARKS):
        return True
    return None


def _grouped_header(table: list[list[str]], lines):
    """A header of two rows (学历信息 over 学历 | 专业, 用工情况 over 用工形式 | 是否专职) as one: each column
    named by its lower cell where it has one, else by its upper one."""
    if len(table) < 3:
        return table, lines
    upper, lower = table[0], table[1]
    if _is_section_row(lower):  # 专职人员 across merged cells names the rows below, not a column
        return table, lines
    named = [c for c in lower if any(h in c for names in HEADERS.values() for h in names)]
    name_at = next((i for i, c in enumerate(upper) if "姓名" in c), None)
    if name_at is None:  # 姓名 under a group cell (基本情况 over 姓名 | 性别 | 出生年月)
        if not any("姓名" in c for c in lower):
            return table, lines
    elif not named or (name_at < len(lower) and lower[name_at]):
        return table, lines
    width = max(len(upper), len(lower))
    merged = [(low or up) for up, low in zip(upper + [""] * (width - len(upper)), lower + [""] * (width - len(lower)),
                                             strict=True)]
    return [merged] + table[2:], (lines[:1] + lines[2:]) if lines else lines


COUNTED_COLUMNS = ("name", "degree", "title", "fulltime")  # what the rules count a person by


def _counted_cells_confidence(row: Row, cells: list[str], columns: dict[str, int], whole_row: float) -> float:
    """How surely a row's counted cells were read (name, degree, title, full-time): a birth date or phone
    number misread beside them does not make the head count doubtful. The whole row's when no piece is known."""
    counted = [compact(cells[columns[key]]) for key in COUNTED_COLUMNS
               if key in columns and columns[key] < len(cells) and cells[columns[key]]]
    pieces = [piece for piece in row.pieces if (text := compact(piece.text))
              and any(text in cell or cell in text for cell in counted)]
    return min((piece.confidence for piece in pieces), default=whole_row)


def extract(doc: DocumentText) -> Extraction:
    """The staff list, from the document's own tables (DOCX/XLSX) or rebuilt from boxes (PDF, scans)."""
    out = Extraction()
    people, evidence, confidence = [], [], 1.0
    for table, lines, heading in _tables(doc):
        table, lines = _grouped_header(table, lines)
        columns = _columns(table[0])
        if "name" not in columns:
            continue
        # Who a table lists when no column says it: its title or sheet (兼职人员名单), then each section row.
        section = _section_of(heading)
        for index, cells in enumerate(table[1:], start=1):
            if _is_section_row(cells):
                section = _section_of(" ".join(cells))
                continue
            if any(compact(c) == "姓名" for c in cells):  # a second table's header in the same sheet
                columns = _columns(cells) if "name" in _columns(cells) else columns
                continue
            raw_name = lines[index].cells[columns["name"]] if lines and columns["name"] < len(lines[index].cells) else None
            person = _person(cells, columns, section, raw_name)
            if person is None:
                continue
            if lines and "fulltime" in columns and not cells[columns["fulltime"]]:
                part_time = _part_time_column(table[0], columns)
                if part_time is not None:
                    if not (part_time < len(cells) and cells[part_time]):  # 专职 | 兼职 both read empty
                        ticked = _inked_of_two(lines[index], lines[0], columns["fulltime"], part_time)
                        person["fulltime"], person["fulltime_raw"] = ticked, TICK_SEEN
                elif _ticked_in_ink(lines[index], lines[0], columns["fulltime"]):
                    person["fulltime"], person["fulltime_raw"] = True, TICK_SEEN
            people.append(person)
            row = lines[index].row if lines else _row_naming(doc, person["name"])
            person["confidence"] = 1.0
            if row is not None:
                found = Field.of_row(row)
                evidence.append(found.evidence(doc.path, " ".join(c for c in cells if c)))
                person["confidence"] = round(_counted_cells_confidence(row, cells, columns, found.confidence), 3)
                confidence = min(confidence, person["confidence"])
    if people:
        if not evidence:
            evidence = [doc.page_evidence()]
        stated = _stated_fulltime_count(doc)
        _unread_ticks_by_total(people, stated)
        unsure = sum(1 for p in people if p["title"] is None or p["fulltime"] is None or len(p["name"]) < 2)
        unsure += sum(0.5 for p in people if p.get("fulltime_raw") == TICK_SEEN)  # a mark, not a word
        for person in people:
            if person["title"] is None or person["fulltime"] is None or len(person["name"]) < 2:
                person["confidence"] = min(person["confidence"], 0.5)  # this person's title or tick unread
            person["title"] = person["title"] or "无"
            person["fulltime"] = bool(person["fulltime"])
        confidence *= 1 - unsure / len(people) / 2
        # How surely the roster's rows are all there and its ticks all read, apart from each person's own cells.
        rows_confidence = 1.0
        if stated is not None and stated != sum(p["fulltime"] for p in people):
            rows_confidence = 0.5  # the roster's own total disagrees: a tick or a row was not read
        out.add("staff", people, confidence * rows_confidence, evidence)
        out.facts["staff"].rows_confidence = rows_confidence  # type: ignore[attr-defined]
    filed_by = _filed_by(doc)
    if filed_by is not None:
        reading = org_name(SEAL_PLACE_LEFT.sub("", filed_by.value))
        if reading is not None:
            out.add("roster_org_name", reading.value, filed_by.confidence * reading.certainty, [filed_by.evidence(doc.path)])
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
            return parse_count(total.group(1) or total.group(2))
    return None


def _tables(doc: DocumentText) -> list[tuple[list[list[str]], list[TableRow] | None, str]]:
    """Each table with a 姓名 header: (header + rows of cells, the table rows they came from when boxed,
    the words above it that say whom it lists: a sheet's name, the lines over its header)."""
    found: list[tuple[list[list[str]], list[TableRow] | None, str]] = []
    for page in doc.pages:
        headers_seen: dict[str, int] = {}
        for table in page.tables:
            for at, row_cells in enumerate(table):
                if any("姓名" in compact(c) for c in row_cells):
                    # A group row over the header (基本情况 over 姓名 | 性别) is read with it as one.
                    start = at - 1 if at > 0 and _names_a_column(table[at - 1]) else at
                    cells = table[start]
                    above = " ".join(" ".join(c for c in r if c) for r in table[:start])
                    key = "".join(compact(c) for c in cells)
                    nth = headers_seen[key] = headers_seen.get(key, -1) + 1
                    heading = " ".join(filter(None, (page.title, _heading_above(doc, page, nth), above)))
                    found.append(([[compact(c) for c in r] for r in table[start:]], None, heading))
                    break
    if found:
        return found
    rows = doc.rows
    for index, row in enumerate(rows):
        if row.pieces[0].bbox is None:
            continue
        texts = [compact(p.text) for p in row.pieces]
        if not any("姓名" in t for t in texts):
            continue
        above = rows[index - 1] if index > 0 and rows[index - 1].page is row.page else None
        header = row
        if above is not None and above.pieces[0].bbox and _names_a_column([p.text for p in above.pieces]) \
                and not any("姓名" in compact(p.text) for p in above.pieces):
            header = two_line_header(above, row)  # 专业技术职称 | 是否专职 printed over 姓名's line
        below = rows[index + 1] if index + 1 < len(rows) and rows[index + 1].page is row.page else None
        if not _names_degree_or_title(header) and below is not None and below.pieces[0].bbox \
                and all(len(compact(p.text)) <= 2 for p in below.pieces):
            header = two_line_header(header, below)  # headings wrapped in their cells: 文化程 / 度, 专业技术 / 职称
        # The degree or title heading on the 姓名 line, or on the line over it (序号 | 最高学历 | … spanning two lines
        # beside 基本情况 over 姓名 | 性别).
        if _names_degree_or_title(header):
            # A table ends at the roster's foot or at the next table's header (二、兼职人员 over its own 序号 | 姓名 …),
            # which is read as a table of its own: its people are not listed twice.
            table = rows_to_table(rows, header, stop=lambda r: bool(ROSTER_END.search(compact(r.text)))
                                  or any("姓名" in compact(p.text) for p in r.pieces))
            heading = _lines_over_header(rows, index)
            found.append(([[compact(c) for c in line.cells] for line in table], table, heading))
    return found


def _lines_over_header(rows: list[Row], index: int) -> str:
    """The lines over a header on its page, up to the table above it (its 小计 or its last person) or the
    roster's head, at most four: a section's name (二、兼职人员) may stand over a header of three lines."""
    over: list[str] = []
    for row in reversed(rows[max(0, index - 4):index]):
        text = compact(row.text)
        # A year or a date is a line of the table above (a person's row) or of the roster's head (填报日期).
        if row.page is not rows[index].page or ROSTER_END.search(text) or re.search(r"\d{4}", text):
            break
        over.insert(0, row.text)
    return " ".join(over)


def _names_degree_or_title(header: Row) -> bool:
    """Whether a header row names the degree or the title column: what makes a table of people a roster."""
    return any(h in compact(p.text) for p in header.pieces for h in HEADERS["degree"] + HEADERS["title"])


def _names_a_column(cells: list[str]) -> bool:
    """Whether a row names one of the roster's columns (专业技术职称 | 是否专职 in a group row over 姓名)."""
    return any(h in compact(c) for c in cells for names in HEADERS.values() for h in names)


def _heading_above(doc: DocumentText, page, nth: int) -> str:
    """The lines printed just above a table's header (二、兼职人员), found among the page's rows: the `nth`
    line naming 姓名 beside another column (for tables whose headers repeat), and the lines over it."""
    rows = [r for r in doc.rows if r.page is page]
    hits = [i for i, r in enumerate(rows) if "姓名" in compact(r.text)
            and any(other in compact(r.text) for other in ("性别", "身份证", "学历", "职称", "专职"))]
    return _lines_over_header(rows, hits[nth]) if len(hits) > nth else ""


def _section_of(text: str) -> bool | None:
    """Whether a title or section row says its people are full-time (True), part-time (False), or neither."""
    folded = compact(text)
    if PART_TIME_SECTION.search(folded):
        return False
    if FULL_TIME_SECTION.search(folded):
        return True
    return None


def _is_section_row(cells: list[str]) -> bool:
    """A row naming a section of the table (二、兼职人员 across merged cells), not a person."""
    filled = [c for c in cells if c]
    return 0 < len(set(filled)) == 1 and _section_of(filled[0]) is not None and len(filled[0]) >= 2 \
        and not re.search(r"\d{6}", filled[0])


def _unread_ticks_by_total(people: list[dict], stated: int | None) -> None:
    """Rows whose tick was not read, settled by the roster's own total (合计：其中专职10人) where it leaves one
    answer: all of them full-time, or none; marked as marks, not words, so the confidence stays lowered."""
    unread = [p for p in people if p["fulltime"] is None]
    if not unread or stated is None:
        return
    missing = stated - sum(1 for p in people if p["fulltime"] is True)
    if missing in (0, len(unread)):
        for person in unread:
            person["fulltime"], person["fulltime_raw"] = missing > 0, TICK_SEEN


def _part_time_column(header: list[str], columns: dict[str, int]) -> int | None:
    """The 兼职 column of a roster that ticks 专职 | 兼职 in two columns."""
    if compact(header[columns["fulltime"]]) != "专职":
        return None
    return next((i for i, cell in enumerate(header) if compact(cell) == "兼职"), None)


def _inked_of_two(line: TableRow, header: TableRow, full_time: int, part_time: int) -> bool | None:
    """Which of a row's two empty tick cells (专职 | 兼职) holds the unread tick: the one clearly inked beside one
    clearly blank; None where ink cannot tell (a noisy scan inks both a little)."""
    full, part = _ink_share(line, header, full_time), _ink_share(line, header, part_time)
    if full is None or part is None:
        return None
    if max(full, part) >= TICK_INK and min(full, part) < TICK_INK / 3:
        return full > part
    return None


def _ticked_in_ink(line: TableRow, header: TableRow, column: int) -> bool:
    """Whether the row's empty 是否专职 cell holds a mark OCR did not read (a faint or blurred tick)."""
    share = _ink_share(line, header, column)
    return share is not None and share >= TICK_INK


def _ink_share(line: TableRow, header: TableRow, column: int) -> float | None:
    """How much of a cell's middle is inked. Only the middle is looked at: on a photo its borders slant across
    the edges; and not where a seal lies, whose ring would count as a mark (None then)."""
    anchor = [piece for piece in header.row.pieces if piece.bbox][column]
    width, height = anchor.bbox[2] - anchor.bbox[0], line.row.bottom - line.row.top
    left = line.lefts[column]
    middle = (left + 0.25 * width, line.row.top + 0.15 * height, left + 1.1 * width, line.row.bottom - 0.15 * height)
    page = line.row.page
    if any(seal[0] < middle[2] and middle[0] < seal[2] and seal[1] < middle[3] and middle[1] < seal[3]
           for seal in page.seals):
        return None
    return page.ink_share(middle)


def _fulltime_at_row_end(cells: list[str]) -> bool:
    """With no 是否专职 column (or its header unread), a row ending in 兼职 or in 否 (the unread column's
    answer, joined to the cell before it: 培训讲师否) is part-time; anyone else is full-time."""
    last = next((cell for cell in reversed(cells) if cell), "")
    return not last.endswith(("兼职", "外聘", "否", "×"))


def _row_naming(doc: DocumentText, name: str) -> Row | None:
    """The line a table's person is printed on, for its box (tables from DOCX or pdfplumber carry none)."""
    return next((row for row in doc.rows if name in compact(row.text)), None)


def _columns(header: list[str]) -> dict[str, int]:
    """Each field's column: the header's cell naming it, by the field's names in order, so an explicit
    是否专职 column is preferred over 用工形式 where a roster prints both."""
    columns: dict[str, int] = {}
    for field_name, names in HEADERS.items():
        for name in names:
            index = next((i for i, cell in enumerate(header) if name in cell and i not in columns.values()), None)
            if index is not None:
                columns[field_name] = index
                break
    # A heading whose last character wrapped onto a line OCR lost (最高学 for 最高学历): the one name it begins.
    for field_name, names in HEADERS.items():
        if field_name in columns:
            continue
        for i, cell in enumerate(header):
            text = compact(cell)
            if i not in columns.values() and len(text) >= 2 and any(
                    name.startswith(text) and len(name) - len(text) == 1 for name in names):
                columns[field_name] = i
                break
    return columns


def _person(cells: list[str], columns: dict[str, int], section: bool | None = None,
            raw_name: str | None = None) -> dict | None:
    """One row's person; `raw_name`: the name cell as its boxes joined it (with spaces), where known."""
    def cell(name: str) -> str:
        index = columns.get(name)
        return compact(cells[index]) if index is not None and index < len(cells) else ""

    name = re.sub(r"[^\u4e00-\u9fff·A-Za-z]", "", cell("name"))
    name = SIGNED_BELOW.split(name)[0]  # the footer (制表人：张娟) read into the last row on a slanted scan
    if "gender" in columns and not cell("gender") and name[-1:] in ("男", "女") and len(name) >= 3:
        name = name[:-1]  # OCR joined the name with the gender cell beside it
    elif raw_name is not None and re.search(r"\s[男女]$", raw_name) and len(name) >= 3:
        name = name[:-1]  # a gender in its own box, its column's heading unread (李胜男 in one box keeps its 男)
    degree_raw, title_raw, fulltime_raw = cell("degree"), cell("title"), cell("fulltime")
    if not name or any(word in name for word in ("合计", "小计", "人员")):
        return None
    # One character is a stray mark, unless the row holds an ID or a degree: then OCR cut a name short.
    if len(name) < 2 and not (cell("id") or normalise_degree(degree_raw) != "其他"):
        return None
    if "fulltime" in columns:
        # In a table or section of part-time people an empty or unread cell is part-time too.
        fulltime = False if section is False and not is_fulltime(fulltime_raw) else is_fulltime(fulltime_raw)
    else:
        fulltime = section if section is not None else _fulltime_at_row_end(cells)
    person = {"name": name, "degree": normalise_degree(degree_raw), "title": normalise_title(title_raw),
              "fulltime": fulltime,
              "degree_raw": degree_raw, "title_raw": title_raw}
    if cell("id"):
        person["id_masked"] = mask_id_numbers(cell("id"))  # pages are masked when read; this is the safety net
    return person
