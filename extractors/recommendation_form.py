"""推荐表: the recommending unit and its opinion."""

from __future__ import annotations

from extractors.base import Extraction
from extractors.layout import DocumentText, find_field
from extractors.values import compact

__all__ = ["extract"]

LABELS = ("被推荐机构名称", "统一社会信用代码", "推荐单位", "推荐意见")


def extract(doc: DocumentText) -> Extraction:
    """recommender and recommender_opinion (同意推荐 when the opinion says so)."""
    out = Extraction()
    rows = doc.rows
    unit = find_field(rows, ("推荐单位",), LABELS, accept=lambda v: len(compact(v)) >= 4 and "盖章" not in v)
    if unit:
        out.add("recommender", compact(unit.value), unit.confidence, [unit.evidence(doc.path)])
    opinion = find_field(rows, ("推荐意见",), LABELS, multiline=True, accept=lambda v: len(compact(v)) >= 2)
    if opinion:
        text = compact(opinion.value)
        value = "不同意推荐" if "不同意" in text else "同意推荐" if "同意推荐" in text else text
        out.add("recommender_opinion", value, opinion.confidence, [opinion.evidence(doc.path)])
    return out
