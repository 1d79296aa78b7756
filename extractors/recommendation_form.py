"""推荐表: the recommending unit and its opinion."""

from __future__ import annotations

from extractors import vocabulary
from extractors.base import Extraction
from extractors.layout import DocumentText, Field, iter_fields
from extractors.validate import org_name
from extractors.values import compact, find_dates

__all__ = ["extract"]

DOC_TYPE = "recommendation_form"
UNIT_LABELS = vocabulary.labels(DOC_TYPE, "recommender")
OPINION_LABELS = vocabulary.labels(DOC_TYPE, "recommender_opinion")
LABELS = ("被推荐机构名称", "机构名称", "单位名称", "统一社会信用代码", "机构简介", "审核意见", *vocabulary.stops(DOC_TYPE))


def extract(doc: DocumentText) -> Extraction:
    """recommender (an organisation's name) and recommender_opinion (同意推荐 when the opinion says so)."""
    out = Extraction()
    rows = doc.rows
    for unit in iter_fields(rows, UNIT_LABELS, LABELS):
        if compact(unit.value).startswith("意见"):  # the 推荐单位意见 row, read by its first four characters
            continue
        reading = org_name(unit.value)
        if reading is not None:
            out.add("recommender", reading.value, unit.confidence * reading.certainty, [unit.evidence(doc.path)])
            break
    for opinion in iter_fields(rows, OPINION_LABELS, LABELS, multiline=True):
        text = compact(opinion.value)
        if "推荐" not in text and "同意" not in text:
            continue
        value = "不同意推荐" if "不同意" in text else "同意推荐" if "同意推荐" in text else text
        out.add("recommender_opinion", value, opinion.confidence, [opinion.evidence(doc.path)])
        break
    _from_letter(doc, out)
    return out


def _from_letter(doc: DocumentText, out: Extraction) -> None:
    """A 推荐函 written as a letter: its prose says 同意推荐 (often across a line break), and the unit signs
    it above the date at its foot."""
    rows = doc.rows
    text = "".join(compact(row.text) for row in rows)
    if "recommender_opinion" not in out.facts and "推荐" in text:
        value = "不同意推荐" if "不同意推荐" in text else "同意推荐" if "同意推荐" in text else None
        row = next((r for r in rows if "同意" in compact(r.text)), None)
        if value and row is not None:
            found = Field.of_row(row)
            out.add("recommender_opinion", value, found.confidence * 0.9, [found.evidence(doc.path)])
    if "recommender" not in out.facts:
        for above, row in zip(rows, rows[1:], strict=False):
            reading = org_name(compact(above.text))
            if reading is not None and find_dates(row.text) and len(compact(row.text)) <= 14:
                found = Field.of_row(above)
                out.add("recommender", reading.value, found.confidence * reading.certainty * 0.9, [found.evidence(doc.path)])
