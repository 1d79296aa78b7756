"""服务证明材料 (工作总结, notices, sign-in sheets): SMEs served, satisfaction, activity dates."""

from __future__ import annotations

import re

from extractors.base import Extraction
from extractors.layout import DocumentText, Field, Passage, rows_to_table
from extractors.values import clean, compact, find_dates, parse_count, parse_date, parse_ratio

__all__ = ["extract"]

SERVED = re.compile(r"服务(?:中小)?企业\s*(?P<value>[\d零一二两三四五六七八九十百千]+\s*家)")
LOOSE_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
SATISFACTION = re.compile(r"满意度(?:达到|达|为|是)?\s*(?P<value>\d+(?:\.\d+)?\s*%)")


def extract(doc: DocumentText) -> Extraction:
    """The figures the material quotes and the dates of the activities it lists."""
    out = Extraction()
    passage = Passage(doc.rows)
    for key, pattern, parse in (("service_smes_served", SERVED, parse_count),
                                ("service_satisfaction_rate", SATISFACTION, parse_ratio)):
        match = pattern.search(passage.text)
        if match and parse(match.group("value")) is not None:
            found = passage.field(match.start(), match.end())
            out.add(key, parse(match.group("value")), found.confidence, [found.evidence(doc.path, clean(match.group(0)))])
    dates, evidence, confidence = _activity_dates(doc)
    if dates:
        out.add("service_activity_dates", dates, confidence, evidence)
    return out


def _activity_dates(doc: DocumentText) -> tuple[list[str], list, float]:
    """The 日期 column of the activity table (DOCX/XLSX cells, or rebuilt from boxes)."""
    for page in doc.pages:
        for table in page.tables:
            for start, header in enumerate(table):
                column = next((i for i, c in enumerate(header) if "日期" in compact(c) or "时间" in compact(c)), None)
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
        column = next((i for i, t in enumerate(texts) if t in ("日期", "时间", "活动日期", "服务日期")), None)
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

