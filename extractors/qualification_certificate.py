"""资质 / 许可证 / 备案证明: which one, its number, valid until."""

from __future__ import annotations

import re

from extractors.base import Extraction
from extractors.layout import DocumentText, Field, find_field
from extractors.values import compact, find_dates, without_overprint

__all__ = ["extract"]

KIND_WORDS = re.compile(r"(证书|许可证|备案|备案表|资质证|登记证|证明)$")
NUMBER_LABELS = ("证书编号", "许可证编号", "备案编号", "编号", "证号")
FIELD_LABELS = re.compile("|".join((*NUMBER_LABELS, "单位名称", "机构名称")))  # the first fields under the title


# A website's ICP filing (工信部 ICP/IP地址/域名信息备案管理系统): 晋ICP备95062887号, the site's own number with -3.
ICP_NUMBER = re.compile(r"[京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新]ICP备\d{6,10}号(?:-\d{1,3})?")


def _icp_record(doc: DocumentText, rows, out: Extraction) -> None:
    """An ICP filing's kind and number: the 网站备案号 (the site's, with its -N) over the 主体 one."""
    found = [(match.group(0), row) for row in rows for match in ICP_NUMBER.finditer(compact(row.text))]
    if not found:
        return
    number, row = max(found, key=lambda item: ("-" in item[0], len(item[0])))
    field = Field.of_row(row)
    out.add("qualification_kind", "ICP备案", field.confidence, [field.evidence(doc.path)])
    out.add("qualification_number", number, field.confidence, [field.evidence(doc.path)])


def extract(doc: DocumentText) -> Extraction:
    """The certificate's title as its kind, its 编号, and 有效期至."""
    out = Extraction()
    rows = doc.rows
    # The title is printed above the certificate's fields; a watermark's scraps may come before it.
    first_field = next((i for i, row in enumerate(rows) if FIELD_LABELS.search(compact(row.text))), len(rows))
    heading_rows = rows[:max(first_field, 8)]
    # The title is one piece of its row (a watermark's stray letter beside it is not part of it), or
    # the whole row when its characters are spaced out into pieces of their own.
    titles = ((row, pieces, without_overprint(compact("".join(p.text for p in pieces))))
              for row in heading_rows for pieces in [*([p] for p in row.pieces), row.pieces])
    title = next(((row, pieces, text) for row, pieces, text in titles if KIND_WORDS.search(text) and len(text) <= 20),
                 None)
    if title is not None:
        row, pieces, text = title
        found = Field("", text, pieces, [row])
        out.add("qualification_kind", text, found.confidence, [found.evidence(doc.path)])
    number = find_field(rows, NUMBER_LABELS, ("有效期",),
                        accept=lambda v: bool(re.search(r"[0-9A-Za-z]{4,}", compact(v))))
    if number:
        value = re.search(r"[0-9A-Za-z\-（）()〔〕第号字]{4,}", compact(number.value))
        if value:
            out.add("qualification_number", value.group(0), number.confidence, [number.evidence(doc.path)])
    valid = find_field(rows, ("有效期至", "有效期限", "有效期"), (), accept=lambda v: bool(find_dates(v)))
    if valid:
        out.add("qualification_valid_until", find_dates(valid.value)[-1][0].isoformat(), valid.confidence,
                [valid.evidence(doc.path)])
    _icp_record(doc, rows, out)  # a filing record's page has no certificate title or 编号
    return out
