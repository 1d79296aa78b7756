"""营业执照 and 法人证书: name, code, type, representative, capital, dates, term, address, scope."""

from __future__ import annotations

import re

from extractors.base import Extraction
from extractors.layout import DocumentText, Field, find_field
from extractors.values import (
    compact,
    find_credit_codes,
    find_dates,
    parse_money,
    printed_name,
    whole,
)

__all__ = ["extract"]

NAME_LABELS = ("名称", "^称")
TYPE_LABELS = ("类型", "组成形式", "经费来源", "^型")
REPRESENTATIVE_LABELS = ("法定代表人", "执行事务合伙人", "负责人", "经营者", "投资人")
CAPITAL_LABELS = ("注册资本", "出资额", "出资数额", "开办资金", "注册资金")
DATE_LABELS = ("成立日期", "注册日期")
TERM_LABELS = ("营业期限", "合伙期限", "经营期限", "有效期")
ADDRESS_LABELS = ("主要经营场所", "经营场所", "营业场所", "住所", "^所")
SCOPE_LABELS = ("宗旨和业务范围", "经营范围", "业务范围")
OTHER_LABELS = ("统一社会信用代码", "登记机关", "举办单位", "业务主管单位", "发证机关")
ALL_LABELS = (NAME_LABELS + TYPE_LABELS + REPRESENTATIVE_LABELS + CAPITAL_LABELS + DATE_LABELS + TERM_LABELS
              + ADDRESS_LABELS + SCOPE_LABELS + OTHER_LABELS)


def extract(doc: DocumentText) -> Extraction:
    """Every fact of a licence or legal-person certificate that can be read with confidence."""
    out = Extraction()
    rows = doc.rows
    _credit_code(doc, out)
    for key, labels in (("org_name", NAME_LABELS), ("entity_type", TYPE_LABELS),
                        ("legal_representative", REPRESENTATIVE_LABELS)):
        found = find_field(rows, labels, ALL_LABELS, accept=_plausible_text)
        if found:
            out.add(key, printed_name(found.value), found.confidence, [found.evidence(doc.path)])
    capital = find_field(rows, CAPITAL_LABELS, ALL_LABELS, accept=lambda v: parse_money(v) is not None)
    if capital:
        money = parse_money(capital.value)
        if money.currency == "CNY":
            out.add("registered_capital_cny", whole(money.amount), capital.confidence, [capital.evidence(doc.path)])
        else:
            out.add("registered_capital", {"amount": whole(money.amount), "currency": money.currency},
                    capital.confidence, [capital.evidence(doc.path)])
    registered = find_field(rows, DATE_LABELS, ALL_LABELS, accept=lambda v: bool(find_dates(v)))
    if registered:
        out.add("registration_date", find_dates(registered.value)[0][0].isoformat(), registered.confidence,
                [registered.evidence(doc.path)])
    term = find_field(rows, TERM_LABELS, ALL_LABELS, accept=lambda v: _term(v) is not None)
    if term:
        out.add("business_term", _term(term.value), term.confidence, [term.evidence(doc.path)])
    for key, labels, _more in (("address", ADDRESS_LABELS, 3), ("business_scope", SCOPE_LABELS, 8)):
        found = find_field(rows, labels, ALL_LABELS, multiline=True, accept=_plausible_text)
        if found:
            out.add(key, printed_name(found.value), found.confidence, [found.evidence(doc.path)])
    return out


def _credit_code(doc: DocumentText, out: Extraction) -> None:
    """The 18-character code, repaired with its check digit; a code that fails the check is never kept."""
    labelled = find_field(doc.rows, ("统一社会信用代码", "信用代码"), (), max_rows_below=2,
                          accept=lambda v: bool(find_credit_codes(v)))
    if labelled:
        code, certainty = find_credit_codes(labelled.value)[0]
        out.add("credit_code", code, min(certainty, labelled.confidence), [labelled.evidence(doc.path)])
        return
    for row in doc.rows:  # some layouts print the code with no label
        codes = find_credit_codes(row.text)
        if codes:
            found = Field.of_row(row, codes[0][0])
            out.add("credit_code", codes[0][0], min(codes[0][1], found.confidence) * 0.9, [found.evidence(doc.path)])
            return


def _plausible_text(value: str) -> bool:
    return len(compact(value)) >= 2


TERM_OPEN = re.compile(r"长期|永久|不约定期限")


def _term(value: str) -> dict[str, str | None] | None:
    """营业期限 → {start, end}; end None for 长期."""
    dates = find_dates(value)
    if not dates:
        return {"start": None, "end": None} if TERM_OPEN.search(value) else None
    start = dates[0][0].isoformat()
    if len(dates) >= 2:
        return {"start": start, "end": dates[1][0].isoformat()}
    if TERM_OPEN.search(value[dates[0][1][1]:]):
        return {"start": start, "end": None}
    return None
