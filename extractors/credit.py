"""信用中国 pages and reports, and the 中国政府采购网 严重违法失信 query, in the forms applicants send them.

信用中国: the entity's detail page (its name as the page's heading, 统一社会信用代码, tabs with
counts: 行政处罚（0）, 严重失信主体名单（0）, 经营异常名录（0）…, and each 行政处罚 record as a
table row or as a card of label: value lines), the search list (共找到 N 条), mobile pages and
the downloadable 公共信用信息报告. 中国政府采购网: the query form with the 企业名称 searched, hit
rows or the no-record message. The query date comes from what the picture holds, most trusted
first: a date the page prints for the query or report, the taskbar or menu-bar clock, the
phone's status bar, the photo's EXIF; with none the reviewer is told.
"""

from __future__ import annotations

import re
from datetime import date

from extractors import vocabulary
from extractors.base import Extraction
from extractors.layout import (
    DocumentText,
    Field,
    Piece,
    Row,
    iter_fields,
    rows_below,
    rows_to_table,
)
from extractors.validate import org_name
from extractors.values import compact, find_credit_codes, find_dates, printed_name
from models.results import Evidence

__all__ = ["extract_creditchina", "extract_ccgp", "decision_number", "clock_date"]

CREDIT, CCGP = "creditchina_report", "ccgp_record"
# A 信用中国 entity's status, printed as a tag after its name.
# What a detail page prints after the entity's name: its status tag, and buttons (下载信用报告 however 载 reads, 分享).
# (A 存续 badge read as one of its characters, or as a few Latin letters, right after the name's end counts too.)
STATUS_TAG = re.compile(r"(?:(?:存续|在业|开业|在营|注销|吊销|迁出|撤销|正常|有效)(?:[（(][^）)]*[）)])?|下.?信用报告|下.报告|"
                        r"信用报告|分享|收藏|关注|打印|纠错|(?<=[司心）)])(?:[存续]|[A-Za-z]{1,3}))+$")
NO_PENALTY = ("暂无行政处罚", "暂无数据", "没有找到", "无行政处罚", "暂无相关信息", "暂无记录", "无相关记录")
NO_CCGP_RECORD = ("没有该企业的相关记录", "没有找到相关记录", "暂无数据", "无相关记录", "未查询到相关记录", "没有相关记录",
                  "查询结果为空", "暂无记录")
# 行政处罚 records: the labels a record card or table prints (文号 first: it starts a record).
PERMIT_CARD = re.compile(r"许可(?:决定)?(?:文书号|书文号|文号|编号)|许可证书")
NUMBER_LABELS = ("行政处罚决定书文号", "处罚决定书文号", "决定书文号", "决定文书号", "文书号", "文号")
DATE_LABELS = ("处罚决定日期", "决定日期", "处罚日期", "作出处罚决定日期", "作出决定日期")
AUTHORITY_LABELS = ("处罚机关", "决定机关", "作出处罚决定机关", "处罚决定机关", "作出决定机关", "执法机关")
# Dates a page prints that are never the query's (a record's, the data's, the entity's).
NOT_QUERY_DATE = re.compile(r"更新|公示|决定|处罚|成立|有效期|许可|截止|登记|发布|公布|列入|移出|认定|核准|作出")
PAIRED_CODE = {"credit_subject_name": "credit_subject_code"}
LISTING_TABS = {"credit_dishonest_listed": ("严重失信主体名单", "严重失信", "失信惩戒对象", "黑名单"),
                "credit_abnormal_listed": ("经营异常名录", "经营异常", "异常名录")}
CLOCK_BAND = 0.1  # a clock is in the top or bottom tenth of a screenshot (menu bar, taskbar, status bar)
WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
MONTH_DAY_WEEKDAY = re.compile(r"(?<!\d)(\d{1,2})\s*月\s*(\d{1,2})\s*日?\s*(?:周|星期|礼拜)([一二三四五六日天])")
WEEKDAY_MONTH_DAY = re.compile(r"(?:周|星期)([一二三四五六日天])\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")


def extract_creditchina(doc: DocumentText) -> Extraction:
    """Subject, code, query date, 行政处罚 records, 严重失信 and 经营异常 listings."""
    out = Extraction()
    rows = doc.rows
    code = next((found for found in iter_fields(rows, vocabulary.labels(CREDIT, "credit_subject_code"), (), max_rows_below=2)
                 if find_credit_codes(found.value)), None)
    code_value = find_credit_codes(code.value) if code else []
    if code and code_value:
        out.add("credit_subject_code", code_value[0][0], min(code_value[0][1], code.confidence), [code.evidence(doc.path)])
    _subject(doc, rows, code.rows[0] if code else None, out, "credit_subject_name", vocabulary.labels(CREDIT, "credit_subject_name"))
    _query_date(doc, rows, out, "credit_query_date", vocabulary.labels(CREDIT, "credit_query_date"))
    for key, tabs in LISTING_TABS.items():
        found = _tab_count(rows, tabs)
        if found is not None:
            count, field = found
            out.add(key, count > 0, field.confidence, [field.evidence(doc.path)])
    _penalties(doc, rows, out)
    return out


def extract_ccgp(doc: DocumentText) -> Extraction:
    """Subject (the name searched, or the hit row's), query date, and whether the list has a row for it."""
    out = Extraction()
    rows = doc.rows
    _subject(doc, rows, None, out, "ccgp_subject_name", vocabulary.labels(CCGP, "ccgp_subject_name"))
    _query_date(doc, rows, out, "ccgp_query_date", vocabulary.labels(CCGP, "ccgp_query_date"))
    for row in rows:
        text = compact(row.text)
        if any(words in text for words in NO_CCGP_RECORD):
            found = Field.of_row(row)
            out.add("ccgp_listed", False, found.confidence, [found.evidence(doc.path, text)])
            return out
    header = next((r for r in rows if any(w in compact(r.text) for w in ("具体情形", "记录日期", "处罚依据", "执法单位"))), None)
    if header is not None:
        hits = [r for r in rows_below(rows, header) if find_credit_codes(r.text) or find_dates(r.text)]
        if hits:
            found = Field.of_row(hits[0])
            out.add("ccgp_listed", True, found.confidence, [found.evidence(doc.path, hits[0].text)])
    return out


def decision_number(text: str) -> str:
    """A 决定书文号 as printed; a year between 〔 and a round bracket (one of the pair misread) in 〔〕."""
    number = printed_name(text)
    year = re.search(r"〔(\d{4})[）\]】]|[（\[【](\d{4})〕", number)
    if year is None:
        return number
    return number[:year.start()] + f"〔{year.group(1) or year.group(2)}〕" + number[year.end():]


# ---------------------------------------------------------------- the subject

def _subject(doc: DocumentText, rows: list[Row], code_row: Row | None, out: Extraction, key: str,
             labels: tuple[str, ...]) -> None:
    """The entity the page is about: a labelled name, else the heading above its code (the detail page
    prints the name alone, with a status tag such as 存续), else the first entry of a search list.
    Other names the page shows (a list's other entries) are kept as alternatives."""
    candidates: list[tuple[str, Field, float]] = []
    for found in iter_fields(rows, labels, vocabulary.stops(CREDIT) + ("查询", "搜索", "统一社会信用代码")):
        reading = org_name(STATUS_TAG.sub("", printed_name(found.value)))
        if reading is not None:
            candidates.append((reading.value, found, reading.certainty))
    for row in rows:  # headings and list entries: a row that is a name and nothing else
        text = STATUS_TAG.sub("", printed_name(row.text).replace(" ", ""))
        reading = org_name(text)
        if reading is not None and reading.value == text and not any(c[0] == reading.value for c in candidates):
            near_code = code_row is not None and row.page is code_row.page and 0 <= rows.index(code_row) - rows.index(row) <= 3
            # as sure as the name's own boxes: a badge or button read poorly beside it is not the name
            named = [piece for piece in row.pieces if compact(piece.text) and compact(piece.text) in compact(reading.value)]
            found = Field("", reading.value, named, [row]) if named else Field.of_row(row, reading.value)
            candidates.append((reading.value, found, 1.0 if near_code else 0.9))
    if not candidates:
        return
    # The heading over the code wins over a labelled search box: a page shows its entity under its name.
    best = max(candidates, key=lambda c: (c[2], -candidates.index(c)))
    value, found, certainty = best
    out.add(key, value, found.confidence * certainty, [found.evidence(doc.path, value)])
    others = list(dict.fromkeys(c[0] for c in candidates if compact(c[0]) != compact(value)))
    if others:
        out.alternatives[key] = others
        if key not in PAIRED_CODE:
            return
        # A search list pairs each entry's name with the code printed under it: kept in the same order, so
        # the entry that is the applicant brings its own code.
        codes = [_code_under(rows, next(c[1] for c in candidates if c[0] == name)) for name in others]
        if any(codes):
            out.alternatives[PAIRED_CODE[key]] = codes


def _code_under(rows: list[Row], name: Field) -> str | None:
    """The 统一社会信用代码 printed within three lines under a list entry's name, if any."""
    if not name.rows:
        return None
    at = next((i for i, r in enumerate(rows) if r is name.rows[0]), None)
    if at is None:
        return None
    for row in rows[at + 1:at + 4]:
        codes = find_credit_codes(row.text)
        if codes:
            return codes[0][0]
    return None


# ---------------------------------------------------------------- the query date

def _query_date(doc: DocumentText, rows: list[Row], out: Extraction, key: str, labels: tuple[str, ...]) -> None:
    """A date the page prints for the query or the report; else the clock; else the photo's EXIF time."""
    for found in iter_fields(rows, labels, ()):
        dates = find_dates(found.value)
        if dates:
            out.add(key, dates[0][0].isoformat(), found.confidence, [found.evidence(doc.path)])
            return
    printed = _page_date_line(rows)
    if printed is not None:
        day, found = printed
        out.add(key, day.isoformat(), found.confidence * 0.95, [found.evidence(doc.path)])
        return
    clock = clock_date(rows)
    if clock is not None:
        day, found, certainty = clock
        out.add(key, day.isoformat(), found.confidence * certainty, [found.evidence(doc.path, f"屏幕时钟 {compact(found.value)}")])
        return
    taken = next((p.image_meta.get("taken_at") for p in doc.pages if p.image_meta and p.image_meta.get("taken_at")), None)
    if taken:
        page = doc.pages[0]
        out.add(key, taken[:10], 0.8, [Evidence(path=doc.path, page=page.page_no, text=f"照片拍摄时间（EXIF）{taken}")])
        return
    out.notes.append(f"{doc.path}：截图上没有可认定的查询日期（无页面日期、屏幕时钟或拍摄时间），请人工核对查询时间")


def _page_date_line(rows: list[Row]) -> tuple[date, Field] | None:
    """A line that is only a date with its weekday (2026年05月28日 星期四): the page's own date."""
    for row in rows:
        text = compact(row.text)
        match = re.fullmatch(r"(?:今天是)?((?:19|20)\d{2}年\d{1,2}月\d{1,2}日)(?:星期|周)[一二三四五六日天]", text)
        if match:
            dates = find_dates(match.group(1))
            if dates:
                return dates[0][0], Field.of_row(row)
    return None


def clock_date(rows: list[Row]) -> tuple[date, Field, float] | None:
    """The date of a clock in the top or bottom band of a screenshot (Windows taskbar 2026/5/28, macOS menu
    bar 5月28日 周四 14:32, a phone's status bar), with how sure it is: a date without its year takes the
    latest year whose calendar puts that day on the weekday shown."""
    boxed = [r for r in rows if r.pieces and r.pieces[0].bbox is not None]
    if not boxed:
        return None
    height = max((r.page.height or 0) for r in boxed) or max(r.bottom for r in boxed)
    for row in sorted(boxed, key=lambda r: -r.top):  # the taskbar first, then the menu bar
        if CLOCK_BAND * height < row.top and row.bottom < (1 - CLOCK_BAND) * height:
            continue
        for piece in row.pieces:
            text = compact(piece.text)
            if NOT_QUERY_DATE.search(text):
                continue
            dates = find_dates(text)
            if dates:
                return dates[0][0], Field("", piece.text, [piece], [row]), 0.9
            weekday_date = _month_day_weekday(piece.text)  # spaced: the clock's 17:55 kept apart from 6月
            if weekday_date is not None:
                return weekday_date, Field("", piece.text, [piece], [row]), 0.8
    return None


def _month_day_weekday(text: str) -> date | None:
    """5月28日 周四 → the latest date (from this year back) that is a Thursday on 28 May."""
    match = MONTH_DAY_WEEKDAY.search(text)
    if match:
        month, day, weekday = int(match.group(1)), int(match.group(2)), WEEKDAYS[match.group(3)]
    else:
        match = WEEKDAY_MONTH_DAY.search(text)
        if not match:
            return None
        weekday, month, day = WEEKDAYS[match.group(1)], int(match.group(2)), int(match.group(3))
    for year in range(date.today().year, date.today().year - 8, -1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate.weekday() == weekday and candidate <= date.today():
            return candidate
    return None


# ---------------------------------------------------------------- tabs and records

def _tab_count(rows: list[Row], tabs: tuple[str, ...]) -> tuple[int, Field] | None:
    """The count a tab shows beside its name: 严重失信主体名单（0）, 经营异常名录 2, 黑名单(0)."""
    for row in rows:
        for piece in row.pieces:
            text = compact(piece.text)
            for tab in tabs:
                at = text.find(tab)
                if at < 0:
                    continue
                rest = text[at + len(tab):]
                match = re.match(r"[（(]\s*(\d+)\s*[)）]|[:：]?\s*(\d+)\s*(?:条|项|$)", rest)
                if match is None and not rest:  # the count in the next piece of the row
                    nxt = row.pieces[row.pieces.index(piece) + 1:row.pieces.index(piece) + 2]
                    match = re.fullmatch(r"[（(]?\s*(\d+)\s*[)）]?(?:条|项)?", compact(nxt[0].text)) if nxt else None
                if match:
                    return int(match.group(1) or match.group(2)), Field.of_row(row, piece.text)
                if not rest and at == 0:
                    tile = _count_on_tile(rows, row, piece)
                    if tile is not None:
                        return tile
    return None


def _count_on_tile(rows: list[Row], row: Row, label: Piece) -> tuple[int, Field] | None:
    """A phone app's tile: the count printed large just above its name (2 over 行政许可, 0 over 行政处罚),
    else just below it; the number must stand over the name's middle."""
    if label.bbox is None:
        return None
    middle = (label.bbox[0] + label.bbox[2]) / 2
    reach = 3 * label.height
    for other in rows:
        if other is row or other.page is not row.page or not other.pieces or other.pieces[0].bbox is None:
            continue
        gap = label.bbox[1] - other.bottom if other.bottom <= label.bbox[1] + 2 else other.top - label.bbox[3]
        if not 0 <= gap <= reach:
            continue
        for piece in other.pieces:
            number = re.fullmatch(r"\d{1,4}", compact(piece.text))
            if number and piece.bbox and abs((piece.bbox[0] + piece.bbox[2]) / 2 - middle) <= (label.bbox[2] - label.bbox[0]) / 2:
                return int(number.group(0)), Field(label.text, piece.text, [label, piece], [row, other])
    return None


def _penalties(doc: DocumentText, rows: list[Row], out: Extraction) -> None:
    """Each 行政处罚 record (table rows or label cards): decision date, authority, decision number; none
    when the page says there are none (暂无…, 行政处罚（0）)."""
    cards = _penalty_cards(doc, rows)
    if cards:
        penalties, evidence, confidence = zip(*cards, strict=True)
        out.add("credit_penalties", list(penalties), min(confidence), list(evidence))
        return
    header = next((r for r in rows if "处罚机关" in compact(r.text) or "决定书文号" in compact(r.text)), None)
    if header is not None:
        below = rows_below(rows, header)
        if any(any(word in compact(r.text) for word in NO_PENALTY) for r in below[:3]):
            found = Field.of_row(header)
            out.add("credit_penalties", [], found.confidence, [found.evidence(doc.path, "暂无行政处罚信息")])
            return
        table = rows_to_table(below, header, stop=lambda r: compact(r.text).startswith(("说明", "注：")))
        records = _table_penalties(doc, table)
        if records:
            penalties, evidence, confidence = zip(*records, strict=True)
            out.add("credit_penalties", list(penalties), min(confidence), list(evidence))
            return
    zero = _tab_count(rows, ("行政处罚",))
    if zero is not None and zero[0] == 0:
        out.add("credit_penalties", [], zero[1].confidence, [zero[1].evidence(doc.path, "行政处罚（0）")])


def _penalty_cards(doc: DocumentText, rows: list[Row]):
    """Records printed as cards: 行政处罚决定书文号：… then 处罚决定日期：… and 处罚机关：… below it."""
    # A 行政许可 card (行政许可决定文书号, 许可决定日期, 许可机关) prints the same labels after 许可: a licence
    # granted, not a penalty.
    starts = [i for i, r in enumerate(rows) if any(re.search(label + r"\s*[:：]", r.text) for label in NUMBER_LABELS)
              and not PERMIT_CARD.search(compact(r.text))]
    records = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else min(len(rows), start + 8)
        block = rows[start:end]
        stops = NUMBER_LABELS + DATE_LABELS + AUTHORITY_LABELS + ("处罚内容", "处罚事由", "违法行为类型", "处罚类别", "数据来源",
                                                                 "数据更新时间", "公示截止期", "公示日期", "处罚依据", "罚款金额")
        number = next(iter_fields(block, NUMBER_LABELS, stops), None)
        when = next((f for f in iter_fields(block, DATE_LABELS, stops) if find_dates(f.value)), None)
        authority = next(iter_fields(block, AUTHORITY_LABELS, stops), None)
        if when is None and number is None:
            continue
        # A record whose 文号 was read but whose date was not (2023-06-36 off a photographed screen) is still a penalty.
        penalty = {"date": find_dates(when.value)[0][0].isoformat() if when is not None else None,
                   "authority": compact(authority.value) if authority else None,
                   "decision_no": decision_number(number.value) if number else None}
        used = [f for f in (number, when, authority) if f is not None]
        confidence = min(f.confidence for f in used)
        field = Field("", " ".join(f.value for f in used), [p for f in used for p in f.pieces], [r for f in used for r in f.rows])
        records.append((penalty, field.evidence(doc.path), confidence))
    return records


def _table_penalties(doc: DocumentText, table):
    columns = [compact(cell) for cell in table[0].cells] if table else []

    def column(*names: str) -> int | None:
        return next((i for i, c in enumerate(columns) for n in names if n in c), None)

    number_at, authority_at = column("文号", "决定书"), column("机关")
    date_at = column("决定日期", "处罚日期") if column("决定日期", "处罚日期") is not None else column("日期")
    records = []
    for line in table[1:]:
        cells, row = line.cells, line.row
        if date_at is None or not find_dates(cells[date_at]):
            continue
        penalty = {"date": find_dates(cells[date_at])[0][0].isoformat(),
                   "authority": compact(cells[authority_at]) if authority_at is not None else None,
                   "decision_no": decision_number(cells[number_at]) if number_at is not None else None}
        found = Field.of_row(row)
        records.append((penalty, found.evidence(doc.path, row.text), found.confidence))
    return records
