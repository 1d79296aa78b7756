"""服务证明材料 (工作总结, notices, sign-in sheets): SMEs served, satisfaction, activity dates."""

from __future__ import annotations

import re

from extractors.base import Extraction
from extractors.layout import DocumentText, Field, Passage, rows_to_table
from extractors.values import clean, compact, find_dates, parse_count, parse_ratio

__all__ = ["extract"]

SERVED = re.compile(r"服务(?:中小)?企业\s*(?P<value>[\d零一二两三四五六七八九十百千]+\s*家)")
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
                dates = [find_dates(row[column])[0][0].isoformat() for row in table[start + 1:]
                         if column < len(row) and find_dates(row[column])]
                if dates:
                    rows = [r for r in doc.rows if r.page is page and find_dates(r.text)]
                    evidence = Field.of_row(rows[0]).evidence(doc.path) if rows else doc.page_evidence()
                    return dates, [evidence], 1.0
    rows = doc.rows
    for row in rows:
        texts = [compact(p.text) for p in row.pieces]
        column = next((i for i, t in enumerate(texts) if t in ("日期", "时间", "活动日期", "服务日期")), None)
        if column is None or row.pieces[0].bbox is None:
            continue
        dates, used = [], []
        for line in rows_to_table(rows, row)[1:]:
            found_dates = find_dates(line.cells[column])
            if found_dates:
                dates.append(found_dates[0][0].isoformat())
                used.append(line.row)
        if dates:
            confidence = min(p.confidence for r in used for p in r.pieces)
            evidence = [Field.of_row(r).evidence(doc.path) for r in used]
            return dates, evidence, confidence
    return [], [], 0.0

