"""审计报告: 资产总计 at year end (期末, not 年初) from the balance sheet, and its year."""

from __future__ import annotations

import re

from extractors.base import Extraction
from extractors.layout import DocumentText, Field, Row, rows_to_table
from extractors.values import compact, find_dates

__all__ = ["extract"]

AMOUNT = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|-?\d+\.\d{2}")
TOTAL_LABELS = ("资产总计", "资产合计", "资产总额")


def extract(doc: DocumentText) -> Extraction:
    """Year-end total assets in yuan (万元 sheets scaled) and the balance sheet's year."""
    out = Extraction()
    rows = doc.rows
    sheet_at = next((i for i, r in enumerate(rows) if "资产负债表" in compact(r.text)), None)
    if sheet_at is None:
        return out
    sheet_rows = rows[sheet_at:]
    scale = 10000 if any("万元" in compact(r.text) and "单位" in compact(r.text) for r in sheet_rows[:4]) else 1
    for row in sheet_rows[:4]:
        year_end = [d for d, _ in find_dates(row.text) if (d.month, d.day) == (12, 31)]
        if year_end:
            found = Field("", row.text, row.pieces, [row])
            out.add("audit_year", year_end[0].year, found.confidence, [found.evidence(doc.path, compact(row.text))])
            break
    else:
        year = re.search(r"((?:19|20)\d{2})\s*年\s*(?:度|12\s*月\s*31\s*日)", doc.text)
        if year:
            out.add("audit_year", int(year.group(1)), 0.7, [_field(rows[sheet_at]).evidence(doc.path)])
    header = next((r for r in sheet_rows if "期末" in compact(r.text) or "年末" in compact(r.text)), None)
    # 资产总计 first: 资产合计 is also the tail of 流动资产合计.
    total = next((r for label in TOTAL_LABELS for r in sheet_rows
                  if label in compact(r.text) and "流动资产" not in compact(r.text)), None)
    if total is None:
        return out
    amount = _year_end_amount(total, header, sheet_rows)
    if amount is not None:
        found = _field(total)
        out.add("total_assets_cny", _whole(amount * scale), found.confidence, [found.evidence(doc.path, total.text)])
    return out


def _year_end_amount(total: Row, header: Row | None, rows: list[Row]) -> float | None:
    """The 期末 column's figure on the 资产总计 row; the first figure when the columns cannot be told apart."""
    if header is not None and total.pieces[0].bbox is not None and header.pieces[0].bbox is not None:
        table = rows_to_table([total], header)
        names = [compact(p.text) for p in header.pieces if p.bbox]
        column = next((i for i, n in enumerate(names) if "期末" in n or "年末" in n), None)
        if table and column is not None:
            amounts = AMOUNT.findall(table[0][column].replace(" ", ""))
            if len(amounts) == 1:
                return float(amounts[0].replace(",", ""))
    if header is not None and total.pieces[0].bbox is None:
        cells = header.text.split(" ")
        values = total.text.split(" ")
        column = next((i for i, n in enumerate(cells) if "期末" in n or "年末" in n), None)
        if column is not None and column < len(values) and AMOUNT.fullmatch(values[column].replace(" ", "")):
            return float(values[column].replace(",", ""))
    amounts = AMOUNT.findall(total.text.replace(" ", " "))
    order_end_first = header is None or compact(header.text).find("期末") < max(compact(header.text).find("年初"), 0) \
        or "年初" not in compact(header.text)
    if amounts and order_end_first and all(p.bbox for p in total.pieces):
        pieces = [p for p in total.pieces if AMOUNT.fullmatch(p.text.replace(" ", ""))]
        if len(pieces) >= 1:
            return float(pieces[0].text.replace(",", "").replace(" ", ""))
    return None


def _field(row: Row) -> Field:
    return Field("", row.text, row.pieces, [row])


def _whole(amount: float) -> int | float:
    return int(round(amount)) if abs(amount - round(amount)) < 0.005 else round(amount, 2)
