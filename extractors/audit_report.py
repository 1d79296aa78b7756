"""审计报告: 资产总计 at year end (期末, not 年初) from the balance sheet, and its year."""

from __future__ import annotations

import re

from extractors.base import Extraction
from extractors.layout import DocumentText, Field, Row, rows_to_table
from extractors.values import compact, find_dates, whole

__all__ = ["extract"]

AMOUNT = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|-?\d+\.\d{2}")
# Thousands separated by points, as OCR reads a scan's commas (880.000.00 for 880,000.00).
POINTED_THOUSANDS = re.compile(r"(?<![\d.])(-?\d{1,3})((?:\.\d{3})+)(\.\d{2})(?![\d.])")
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
            found = Field.of_row(row)
            out.add("audit_year", year_end[0].year, found.confidence, [found.evidence(doc.path, compact(row.text))])
            break
    else:
        year = re.search(r"((?:19|20)\d{2})\s*年\s*(?:度|12\s*月\s*31\s*日)", doc.text)
        if year:
            out.add("audit_year", int(year.group(1)), 0.7, [Field.of_row(rows[sheet_at]).evidence(doc.path)])
    header = next((r for r in sheet_rows if "期末" in compact(r.text) or "年末" in compact(r.text)), None)
    # 资产总计 first: 资产合计 is also the tail of 流动资产合计.
    total = next((r for label in TOTAL_LABELS for r in sheet_rows
                  if label in compact(r.text) and "流动资产" not in compact(r.text)), None)
    if total is None:
        return out
    amount = _year_end_amount(_half(total, right=False), header)
    # 资产总计 = 负债和所有者权益总计: the other half's total stands in for a figure misread on this one.
    equity_row = next((r for r in sheet_rows if EQUITY_TOTAL.search(compact(r.text))), None)
    equity = _year_end_amount(_half(equity_row, right=True), header) if equity_row is not None else None
    certainty = 1.0
    if equity is not None and equity != amount:
        if amount is None or _misread_figure(_half(total, right=False)):
            amount, certainty = equity, 0.9  # the assets' own figure unread or malformed (5,200,00.00)
        else:
            certainty = 0.6  # the sheet does not balance as read: one of the two is misread
    if amount is not None:
        found = Field.of_row(total)
        out.add("total_assets_cny", whole(amount * scale), found.confidence * certainty,
                [found.evidence(doc.path, total.text)])
    return out


EQUITY_TOTAL = re.compile(r"负债(?:和|及|与)(?:所有者|股东)权益(?:[（(][^）)]*[）)])?(?:总计|合计)")


def _equity_label_at(row: Row) -> float | None:
    """Where on a row the 负债和所有者权益总计 label starts (a two-half sheet prints both totals on one line)."""
    piece = next((p for p in row.pieces if p.bbox and EQUITY_TOTAL.search(compact(p.text))), None)
    return piece.bbox[0] if piece is not None else None


def _half(row: Row, right: bool) -> Row:
    """The pieces of a row left (or right) of its 负债和所有者权益总计 label; the whole row when it has none."""
    at = _equity_label_at(row)
    if at is None:
        return row
    return Row([p for p in row.pieces if p.bbox and (p.bbox[0] > at if right else p.bbox[0] < at)])


def _misread_figure(row: Row) -> bool:
    """Does a row hold a figure whose separators do not fit (5,200,00.00): a figure read wrong."""
    return any(re.fullmatch(r"-?[\d,.]{4,}", compact(p.text)) and not AMOUNT.fullmatch(amount_text(p.text))
               and "," in p.text for p in row.pieces)


def amount_text(text: str) -> str:
    """A figure as printed, its thousands separated by commas again where OCR read them as points."""
    return POINTED_THOUSANDS.sub(lambda m: m.group(1) + m.group(2).replace(".", ",") + m.group(3), compact(text))


def is_closing_balance(name: str) -> bool:
    """A column header naming this year's closing balance (期末余额, 年末数), not last year's (上年年末余额)."""
    return ("期末" in name or "年末" in name) and not re.search(r"上年|年初|期初", name)


def _year_end_amount(total: Row, header: Row | None) -> float | None:
    """The 期末 column's figure on the 资产总计 row; the first figure when the columns cannot be told apart."""
    head = compact(header.text) if header is not None else ""
    if header is not None:
        names = [compact(p.text) for p in header.pieces]
        column = next((i for i, n in enumerate(names) if is_closing_balance(n)), None)
        # As many figures as the header has balance columns (年末数 | 年初数): they stand in that order, however
        # a skewed scan moves the columns sideways.
        balances = [n for n in names if re.search(r"期末|年末|期初|年初|余额", n)]
        figures = [amount_text(p.text) for p in total.pieces if AMOUNT.fullmatch(amount_text(p.text))]
        if column is not None and len(balances) >= 2 and len(figures) == len(balances):
            at = next(i for i, n in enumerate(balances) if is_closing_balance(n))
            return float(figures[at].replace(",", ""))
        # A balance sheet of two halves (资产 | 负债和所有者权益) names each balance twice; the 资产总计 row has the
        # left half's figures only, in the left half's order.
        half = len(balances) // 2
        if column is not None and len(balances) >= 4 and balances[:half] == balances[half:] and len(figures) == half:
            at = next(i for i, n in enumerate(balances[:half]) if is_closing_balance(n))
            return float(figures[at].replace(",", ""))
        boxed = total.pieces[0].bbox is not None and header.pieces[0].bbox is not None
        cells = [p.text for p in total.pieces]
        if boxed:
            table = rows_to_table([total], header)
            cells = table[1].cells if len(table) > 1 else []
        if column is not None and column < len(cells):
            amounts = AMOUNT.findall(amount_text(cells[column]))
            if len(amounts) == 1:
                return float(amounts[0].replace(",", ""))
    if "年初" in head and head.find("年初") < head.find("期末"):
        return None  # the first figure would be the opening balance
    figures = [amount_text(p.text) for p in total.pieces if AMOUNT.fullmatch(amount_text(p.text))]
    return float(figures[0].replace(",", "")) if figures else None
