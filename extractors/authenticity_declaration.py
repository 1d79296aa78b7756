"""真实性声明: present, and sealed (a round seal found on the page, or 公章 printed by the signature of a printed
page); a Word file carries no seal."""

from __future__ import annotations

import re

from extractors.base import Extraction
from extractors.layout import DocumentText, Field, Row
from extractors.values import compact
from models.pages import BBox, PageText, page_box_to_source
from models.results import Evidence

__all__ = ["extract"]

# Where the seal goes: 公章, 盖章, 签章, or what is left of （公章） when the seal's ink hides a character.
SEAL_PLACE = re.compile(r"公章|盖章|签章|[（(]公[）)]?|[（(]章[）)]")
SEAL_FOUND = 0.95  # a round seal on the page image
# On a scan where no seal was found, the printed （公章） only says where a seal belongs.
PLACE_ONLY_ON_SCAN = 0.5
PLACE_ONLY_IN_TEXT_LAYER = 0.9  # a born-digital page: its seal, if any, is an image the text layer does not show


def extract(doc: DocumentText) -> Extraction:
    """authenticity_declaration_sealed from the seal on the page, else from the signature block's seal place."""
    out = Extraction()
    signature = next((r for r in doc.rows if SEAL_PLACE.search(compact(r.text))), None)
    seal = _seal_nearest(doc.pages, signature)
    found = Field.of_row(signature) if signature is not None else None
    evidence = [found.evidence(doc.path)] if found is not None else []
    if seal is not None:
        page, box = seal
        bbox = [round(v, 1) for v in page_box_to_source(page, box)]
        out.add("authenticity_declaration_sealed", True, SEAL_FOUND,
                [Evidence(path=doc.path, page=page.page_no, bbox=bbox, text="圆形印章"), *evidence])
    elif found is not None and found.pieces[0].page.source in ("docx", "xlsx"):
        # A Word file's 盖章 place waits for the printed copy: no seal is on it.
        out.add("authenticity_declaration_sealed", False, found.confidence * PLACE_ONLY_IN_TEXT_LAYER, evidence)
        out.notes.append("真实性声明为Word文件，未见印章，请核对是否另附盖章件")
    elif found is not None:
        scanned = found.pieces[0].page.source == "ocr"
        weight = PLACE_ONLY_ON_SCAN if scanned else PLACE_ONLY_IN_TEXT_LAYER
        out.add("authenticity_declaration_sealed", True, found.confidence * weight, evidence)
        if scanned:
            out.notes.append("真实性声明扫描页上未找到圆形印章，仅见盖章处文字，请人工核对是否盖章")
    return out


def _seal_nearest(pages: list[PageText], signature: Row | None) -> tuple[PageText, BBox] | None:
    """The seal on the signature's page nearest to it; with no signature read, the first seal found."""
    if signature is None:
        return next(((page, box) for page in pages for box in page.seals), None)
    page = signature.page
    middle = (signature.top + signature.bottom) / 2
    return min(((page, box) for box in page.seals), key=lambda seal: abs((seal[1][1] + seal[1][3]) / 2 - middle),
               default=None)
