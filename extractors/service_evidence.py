"""服务证明材料 (工作总结, activity notices, invitations, agendas, training notices, sign-in sheets):
the figures they state (SMEs served, satisfaction, number of activities, trainees) and the dates
of the activities they show.

A 工作总结 states its figures in prose (全年共服务中小企业236家, 组织开展各类服务活动12场, 培训
1860人次, 满意度为95%) and lists activities in a table with a 日期 column; a notice gives its
activity's date after 定于 or under 活动时间 / 会议时间; a sign-in sheet under 时间 / 日期. A notice's
own date under its seal is when it was issued, not an activity.
"""

from __future__ import annotations

import re

from extractors.base import Extraction
from extractors.layout import (
    DocumentText,
    Field,
    Passage,
    boxed_tables,
    find_field,
    rows_to_table,
    table_cells,
)
from extractors.values import clean, compact, find_dates, parse_count, parse_date, parse_ratio

__all__ = ["extract", "column_dates"]

NUMERAL = r"[\d零一二两三四五六七八九十百千]+"
# (fact key, pattern whose group "value" holds the figure, parser): the year's figures a summary states.
FIGURES = (
    ("service_smes_served", re.compile(rf"服务(?:中小微?|小微|各类)?企业(?:共|达|累计)?\s*(?P<value>{NUMERAL}\s*(?:家次|家|户))"),
     parse_count),
    ("service_smes_served", re.compile(rf"为\s*(?P<value>{NUMERAL}\s*(?:家次|家|户))(?:中小微?|小微|各类)?企业(?:提供|开展)"), parse_count),
    ("service_satisfaction_rate", re.compile(r"满意(?:度|率)(?:达到|达|为|是|保持在)?\s*(?P<value>\d+(?:\.\d+)?\s*%|百分之[零一二三四五六七八九十点]+)"),
     parse_ratio),
    ("service_activities_count", re.compile(rf"(?:开展|组织|举办|组织开展)[^。；;，,]{{0,30}}?(?:服务|公益)?(?:活动|培训及活动|对接活动)"
                                            rf"(?:共|累计)?\s*(?P<value>{NUMERAL}\s*[场次期])"), parse_count),
    ("service_trainees", re.compile(rf"培训(?:各类)?(?:人员|学员|企业人员)?(?:共|累计|达)?\s*(?P<value>{NUMERAL}\s*人次)"), parse_count),
)
def _count_in_cell(text: str) -> int | None:
    """A count with its unit (163家), or bare where the row's label carries the unit (服务中小企业数（家） | 163)."""
    bare = re.fullmatch(r"\d{1,7}", compact(text))
    return int(bare.group(0)) if bare else parse_count(text)


# The same figures as rows of an indicator table, the unit in the label (服务中小企业数（家） | 163).
TABLE_FIGURES = (
    ("service_smes_served", ("服务中小企业数", "服务企业数", "服务中小企业数量", "服务企业数量", "服务中小企业"), _count_in_cell),
    ("service_satisfaction_rate", ("用户满意度", "服务满意度", "企业满意度", "满意度", "满意率"), parse_ratio),
    ("service_activities_count", ("服务活动场次", "开展活动场次", "活动场次", "服务活动次数", "举办活动"), _count_in_cell),
    ("service_trainees", ("培训人次", "培训人数", "培训企业人员"), _count_in_cell),
)
# The headings of an indicator table's columns (指标 | 本年度 | 上年度 | 备注, 项目 | 2025年 | 2024年), for tables
# rebuilt from a scan's boxes.
INDICATOR_HEADINGS = ("指标", "项目", "指标名称", "本年度", "上年度", "本期", "上期", "本年", "上年", "备注", "数值", "数量",
                      "完成情况", "同比") + tuple(f"{year}年" for year in range(2015, 2036))
LOOSE_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
DATE_HEADERS = ("日期", "时间", "活动日期", "服务日期", "活动时间", "举办时间", "开展时间")
# Where a notice, agenda or sign-in sheet gives its activity's date.
WHEN_LABELS = ("活动时间", "会议时间", "培训时间", "举办时间", "报到时间", "活动日期", "时间", "日期")
WHEN_STOPS = ("活动地点", "会议地点", "培训地点", "地点", "地址", "主办单位", "承办单位", "参加对象", "参会人员", "联系人", "主题",
              "内容", "议程")
# A numbered list of the activities, each opening with its date (主要活动如下：1.2025-08-29企业财税管理专题讲座；2.…),
# the first item straight after its heading's line (（四）主要服务活动 / 1.2025年9月7日…).
LISTED_ACTIVITY = re.compile(r"(?<![\d.．])\d{1,2}\s*[.、．]\s*(?P<date>(?:19|20)\d{2}\s*(?:[-./]\s*\d{1,2}\s*[-./]\s*\d{1,2}|"
                             r"年\s*\d{1,2}\s*月\s*\d{1,2}\s*日))")
# Not a deadline (请于2025年8月26日前报名): the day the activity is held.
SCHEDULED = re.compile(r"(?:定于|拟于|将于|兹定于|(?<!请)于)\s*(?P<date>(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)"
                       r"(?!\s*(?:前|之前|以前|截止|止))")
HELD_ON = re.compile(r"(?P<date>(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)[^。；]{0,16}?(?:举办|开展|组织|召开|举行)")


def extract(doc: DocumentText) -> Extraction:
    """The figures the material quotes and the dates of the activities it shows."""
    out = Extraction()
    passage = Passage(doc.rows)
    boxed = boxed_tables(doc, INDICATOR_HEADINGS) if not any(page.tables for page in doc.pages) else []
    for key, labels, parse in TABLE_FIGURES:  # an indicator table (指标 | 本年度 | 上年度): this period's column
        for text, found in table_cells(doc, labels, boxed=boxed):
            value = parse(text)
            if value is not None:
                out.add(key, value, found.confidence, [found.evidence(doc.path, f"{labels[0]} {clean(text)}")])
                break
    for key, pattern, parse in FIGURES:
        match = pattern.search(passage.text)
        if match and parse(match.group("value")) is not None:
            found = passage.field(match.start(), match.end())
            out.add(key, parse(match.group("value")), found.confidence, [found.evidence(doc.path, clean(match.group(0)))])
    dates, evidence, confidence = _activity_dates(doc)
    if not dates:
        dates, evidence, confidence = _announced_dates(doc, passage)
    if dates:
        out.add("service_activity_dates", sorted(set(dates)), confidence, evidence)
    return out


def _activity_dates(doc: DocumentText) -> tuple[list[str], list, float]:
    """The 日期 column of an activity table (DOCX/XLSX cells, or rebuilt from boxes)."""
    for page in doc.pages:
        for table in page.tables:
            for start, header in enumerate(table):
                column = next((i for i, c in enumerate(header) if compact(c) in DATE_HEADERS or "日期" in compact(c)), None)
                if column is None:
                    continue
                read = column_dates([row[column] if column < len(row) else "" for row in table[start + 1:]])
                dates = [found for found in read if found is not None]
                if dates:
                    rows = [r for r in doc.rows if r.page is page and find_dates(r.text)]
                    evidence = Field.of_row(rows[0]).evidence(doc.path) if rows else doc.page_evidence()
                    return [day for day, _ in dates], [evidence], min(certainty for _, certainty in dates)
    rows = doc.rows
    for row in rows:
        texts = [compact(p.text) for p in row.pieces]
        column = next((i for i, t in enumerate(texts) if t in DATE_HEADERS), None)
        if column is None or row.pieces[0].bbox is None:
            continue
        table = rows_to_table(rows, row)[1:]
        read = column_dates([line.cells[column] for line in table])
        used = [(line.row, found) for line, found in zip(table, read, strict=True) if found is not None]
        if used:
            confidence = min(p.confidence * certainty for r, (_, certainty) in used for p in r.pieces)
            evidence = [Field.of_row(r).evidence(doc.path) for r, _ in used]
            return [day for _, (day, _) in used], evidence, confidence
    return [], [], 0.0


def _announced_dates(doc: DocumentText, passage: Passage) -> tuple[list[str], list, float]:
    """A notice's or sign-in sheet's own activity date: under 活动时间 / 时间, after 定于, or a date the
    prose says something was held on; never the issuing date printed under the seal."""
    found = find_field(doc.rows, WHEN_LABELS, WHEN_STOPS, accept=lambda v: bool(find_dates(v)))
    if found is not None:
        return [find_dates(found.value)[0][0].isoformat()], [found.evidence(doc.path)], found.confidence
    dates, evidence, confidence = [], [], 1.0
    # A summary's numbered list and its sentences saying what was held when (an item whose number a stamp hid is
    # still 2025年9月3日，我公司举办…); a notice's 定于 only where neither gives a date.
    for patterns in ((LISTED_ACTIVITY, HELD_ON), (SCHEDULED,)):
        for match in (m for pattern in patterns for m in pattern.finditer(passage.text)):
            day = parse_date(match.group("date"))
            if day is None or day.isoformat() in dates:
                continue
            field = passage.field(match.start(), match.end())
            dates.append(day.isoformat())
            evidence.append(field.evidence(doc.path, clean(match.group(0))))
            confidence = min(confidence, field.confidence)
        if dates:
            break
    return dates, evidence, confidence


def column_dates(cells: list[str]) -> list[tuple[str, float] | None]:
    """Each cell's date (ISO) and certainty, None where there is none; a year misread in one digit
    (2925年6月10日) takes the one year of the column it is a digit away from."""
    found = [find_dates(cell) for cell in cells]
    years = {dates[0][0].year for dates in found if dates}
    result: list[tuple[str, float] | None] = []
    for cell, dates in zip(cells, found, strict=True):
        if dates:
            result.append((dates[0][0].isoformat(), 1.0))
            continue
        loose = LOOSE_DATE.search(compact(cell))
        near = [y for y in years if loose and sum(a != b for a, b in zip(loose.group(1), str(y), strict=True)) == 1]
        repaired = parse_date(f"{near[0]}年{loose.group(2)}月{loose.group(3)}日") if len(near) == 1 else None
        result.append((repaired.isoformat(), 0.8) if repaired else None)
    return result
