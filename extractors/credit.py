"""信用中国 pages and reports, and the 中国政府采购网 严重违法失信 query."""

from __future__ import annotations

import re

from extractors.base import Extraction
from extractors.layout import DocumentText, Field, Row, find_field, rows_below, rows_to_table
from extractors.values import compact, find_credit_codes, find_dates, printed_name

__all__ = ["extract_creditchina", "extract_ccgp"]

QUERY_DATE_LABELS = ("数据更新/查询日期", "查询日期", "报告日期", "生成日期", "报告生成时间", "查询时间")
ORG_SUFFIX = re.compile(r"(公司|中心|协会|商会|学会|研究院|研究所|事务所|服务部|合作社|联合会|促进会|基地|平台|厂|店|部|站|院|所)$")
NO_PENALTY = ("暂无行政处罚", "暂无数据", "没有找到", "无行政处罚")


def extract_creditchina(doc: DocumentText) -> Extraction:
    """Subject, code, query date, 行政处罚 rows, 严重失信 and 经营异常 listings."""
    out = Extraction()
    rows = doc.rows
    code = find_field(rows, ("统一社会信用代码",), (), accept=lambda v: bool(find_credit_codes(v)))
    if code:
        value, certainty = find_credit_codes(code.value)[0]
        out.add("credit_subject_code", value, min(certainty, code.confidence), [code.evidence(doc.path)])
    name = find_field(rows, ("企业名称", "主体名称", "单位名称"), ("统一社会信用代码",), accept=_is_org_name)
    if name is None and code is not None:
        name = _name_above(rows, code.rows[0])
    if name:
        value = _org(name.value)
        out.add("credit_subject_name", value, name.confidence, [name.evidence(doc.path, value)])
    _query_date(rows, doc, out, QUERY_DATE_LABELS)
    for key, label in (("credit_dishonest_listed", "严重失信主体名单"), ("credit_abnormal_listed", "经营异常名录")):
        found = find_field(rows, (label,), (), accept=lambda v: _tab_count(v) is not None)
        if found:
            out.add(key, _tab_count(found.value) > 0, found.confidence, [found.evidence(doc.path)])
    _penalties(rows, doc, out)
    return out


def extract_ccgp(doc: DocumentText) -> Extraction:
    """Subject, query date, and whether the 严重违法失信 list has a row for it."""
    out = Extraction()
    rows = doc.rows
    name = find_field(rows, ("企业名称", "供应商名称", "单位名称"), ("查询", "统一社会信用代码"), accept=_is_org_name)
    if name:
        value = _org(name.value)
        out.add("ccgp_subject_name", value, name.confidence, [name.evidence(doc.path)])
    _query_date(rows, doc, out, ("查询日期", "查询时间"), key="ccgp_query_date")
    for row in rows:
        if "没有找到相关记录" in compact(row.text) or "暂无" in compact(row.text) and "记录" in row.text:
            found = Field.of_row(row)
            out.add("ccgp_listed", False, found.confidence, [found.evidence(doc.path, compact(row.text))])
            return out
    header = next((r for r in rows if "记录日期" in compact(r.text) or "具体情形" in compact(r.text)), None)
    if header is not None:
        hits = [r for r in rows if r.page is header.page and r.top > header.bottom and find_credit_codes(r.text)]
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


def _is_org_name(value: str) -> bool:
    return len(_org(value)) >= 4


def _org(value: str) -> str:
    return re.sub(r"查询$", "", printed_name(value))


def _name_above(rows: list[Row], code_row: Row) -> Field | None:
    """On a 信用中国 subject page the name stands alone on the line above the code."""
    index = rows.index(code_row)
    for row in reversed(rows[max(0, index - 2):index]):
        text = compact(row.text)
        if ORG_SUFFIX.search(text.rstrip("）)")) or text.endswith(("）", ")")):
            return Field.of_row(row)
    return None


def _query_date(rows: list[Row], doc: DocumentText, out: Extraction, labels: tuple[str, ...],
                key: str = "credit_query_date") -> None:
    for label in labels:  # the more specific labels first: 数据更新/查询日期 before the browser's 查询时间
        found = find_field(rows, (label,), (), accept=lambda v: bool(find_dates(v)))
        if found:
            out.add(key, find_dates(found.value)[0][0].isoformat(), found.confidence, [found.evidence(doc.path)])
            return


def _tab_count(value: str) -> int | None:
    match = re.match(r"\s*[(（]\s*(\d+)\s*[)）]", value)
    return int(match.group(1)) if match else None


def _penalties(rows: list[Row], doc: DocumentText, out: Extraction) -> None:
    """Each 行政处罚 row: decision date, authority, decision number; none when the page says so."""
    header = next((r for r in rows if "处罚机关" in compact(r.text) or "决定书文号" in compact(r.text)), None)
    if header is None:
        return
    below = rows_below(rows, header)
    if any(any(word in compact(r.text) for word in NO_PENALTY) for r in below[:3]):
        found = Field.of_row(header)
        out.add("credit_penalties", [], found.confidence, [found.evidence(doc.path, "暂无行政处罚信息")])
        return
    table = rows_to_table(below, header, stop=lambda r: compact(r.text).startswith(("说明", "注：")))
    columns = [compact(cell) for cell in table[0].cells] if table else []
    penalties, evidence, confidence = [], [], 1.0

    def column(*names: str) -> int | None:
        return next((i for i, c in enumerate(columns) for n in names if n in c), None)

    number_at, authority_at, date_at = column("文号", "决定书"), column("机关"), column("日期")
    for line in table[1:]:
        cells, row = line.cells, line.row
        if date_at is None or not find_dates(cells[date_at]):
            continue
        penalty = {"date": find_dates(cells[date_at])[0][0].isoformat(),
                   "authority": compact(cells[authority_at]) if authority_at is not None else None,
                   "decision_no": decision_number(cells[number_at]) if number_at is not None else None}
        penalties.append(penalty)
        found = Field.of_row(row)
        evidence.append(found.evidence(doc.path, row.text))
        confidence = min(confidence, found.confidence)
    if penalties:
        out.add("credit_penalties", penalties, confidence, evidence)
