"""房屋租赁合同 and 不动产权证书: who holds the premises, where, how large, for how long."""

from __future__ import annotations

import re

from extractors.base import Extraction
from extractors.layout import DocumentText, Passage, find_field
from extractors.values import (
    AREA,
    clean,
    compact,
    find_dates,
    parse_area,
    printed_name,
    trim_after_legal_form,
)

__all__ = ["extract_lease", "extract_property"]

LESSOR_LABELS = ("出租方(甲方)", "出租人(甲方)", "甲方(出租方)", "甲方(出租人)", "出租方", "出租人")
LESSEE_LABELS = ("承租方(乙方)", "承租人(乙方)", "乙方(承租方)", "乙方(承租人)", "承租方", "承租人")
PARTY_STOPS = ("住所", "地址", "法定代表人", "联系电话", "统一社会信用代码", "身份证号")
ADDRESS_PATTERNS = (
    re.compile(r"坐落[于在]\s*(?P<value>[^，。,；;]{4,80}?)\s*的房屋"),
    re.compile(r"(?:房屋|租赁物)(?:坐落|位于|地址)[:：于在]?\s*(?P<value>[^，。,；;]{4,80}?)\s*[，。,；;(（]"),
    re.compile(r"位于\s*(?P<value>[^，。,；;]{4,80}?)\s*的房屋"),
)
# 建筑面积 is preferred over 使用面积 (domain.md); a bare 面积 comes last.
# OCR drops the small ² of "126.5m²": a bare m right after the area label, then punctuation or the end.
SQUARE_LOST = re.compile(r"[为是:：]?\s*(\d+(?:\.\d+)?)\s*[mM](?=[。，,；;）)\s]|$)")
AREA_KINDS = ("建筑面积", "套内建筑面积", "使用面积", "租赁面积", "面积")
LEASE_TERM = re.compile(r"(?:租赁期限|租期|期限)[^。]{0,12}?自?\s*(?P<start>[^至到起]{6,20}?)\s*起?\s*(?:至|到)\s*"
                        r"(?P<end>[^止。，,]{6,20})")


def extract_lease(doc: DocumentText) -> Extraction:
    """Lessor, lessee, address, area (and which area), start and end of a lease."""
    out = Extraction()
    rows = doc.rows
    for key, labels in (("premises_lessor", LESSOR_LABELS), ("premises_lessee", LESSEE_LABELS)):
        found = find_field(rows, labels, PARTY_STOPS + LESSOR_LABELS + LESSEE_LABELS,
                           accept=lambda v: len(_party(v)) >= 2)
        if found:
            out.add(key, _party(found.value), found.confidence, [found.evidence(doc.path)])
    passage = Passage(rows)
    text = passage.text
    _address(passage, doc, out)
    _area(passage, doc, out)
    for match in LEASE_TERM.finditer(text):
        start, end = find_dates(match.group("start")), find_dates(match.group("end"))
        if start and end:
            found = passage.field(match.start(), match.end())
            evidence = [found.evidence(doc.path, clean(match.group(0)))]
            out.add("premises_lease_start", start[0][0].isoformat(), found.confidence, evidence)
            out.add("premises_lease_end", end[0][0].isoformat(), found.confidence, evidence)
            break
    return out


def extract_property(doc: DocumentText) -> Extraction:
    """Owner, address and area of a 不动产权证书 / 房屋所有权证."""
    out = Extraction()
    rows = doc.rows
    stops = ("共有情况", "坐落", "不动产单元号", "权利类型", "权利性质", "用途", "面积", "使用期限", "房屋所有权人")
    owner = find_field(rows, ("权利人", "房屋所有权人", "所有权人"), stops, accept=lambda v: len(_party(v)) >= 2)
    if owner:
        out.add("premises_owner", _party(owner.value), owner.confidence, [owner.evidence(doc.path)])
    address = find_field(rows, ("房屋坐落", "坐落"), stops, multiline=True, accept=lambda v: len(compact(v)) >= 4)
    if address:
        out.add("premises_address", compact(address.value), address.confidence, [address.evidence(doc.path)])
    area = find_field(rows, ("建筑面积", "面积"), stops, accept=lambda v: parse_area(v) is not None)
    if area:
        value, kind = _preferred_area(area.value)
        if value is not None:
            fact_evidence = [area.evidence(doc.path)]
            out.add("premises_area_m2", value, area.confidence, fact_evidence)
            out.facts["premises_area_m2"].area_kind = kind  # type: ignore[attr-defined]
    return out


def _party(value: str) -> str:
    """A party's name as printed, without a watermark's words run into it."""
    return trim_after_legal_form(printed_name(value).strip("_"))


def _address(passage: Passage, doc: DocumentText, out: Extraction) -> None:
    for pattern in ADDRESS_PATTERNS:
        match = pattern.search(passage.text)
        if match:
            found = passage.field(match.start(), match.end())
            out.add("premises_address", compact(match.group("value")), found.confidence,
                    [found.evidence(doc.path, clean(match.group(0)))])
            return


def _area(passage: Passage, doc: DocumentText, out: Extraction) -> None:
    """The area the contract gives, 建筑面积 first; the kind is kept beside the value."""
    text = passage.text
    for kind in AREA_KINDS:
        for match in re.finditer(kind, text):
            window = text[match.end(): match.end() + 40].replace(",", "")
            area, doubt = AREA.search(window), 1.0
            if not area:
                area, doubt = SQUARE_LOST.match(window), 0.9
            if not area or area.start() > 6:
                continue
            value = parse_area(window) if doubt == 1.0 else float(area.group(1))
            if value is None:
                continue
            found = passage.field(match.start(), match.end() + area.end())
            out.add("premises_area_m2", value, found.confidence * doubt,
                    [found.evidence(doc.path, clean(text[match.start(): match.end() + area.end()]))])
            out.facts["premises_area_m2"].area_kind = kind  # type: ignore[attr-defined]
            return


def _preferred_area(value: str) -> tuple[float | None, str]:
    """From '共有宗地面积5000㎡/房屋建筑面积150㎡': the building's area, not the land's."""
    text = compact(value)
    for kind in ("房屋建筑面积", "建筑面积", "房屋使用面积", "使用面积", "房屋"):
        at = text.find(kind)
        if at >= 0:
            area = parse_area(text[at + len(kind):])
            if area is not None:
                return area, kind.removeprefix("房屋") or "建筑面积"
    areas = [parse_area(m.group(0)) for m in AREA.finditer(text)]
    return (areas[-1], "面积") if areas else (None, "")
