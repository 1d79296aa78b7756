"""真实性声明: present, and sealed (a red seal found on the page, or 公章 printed by the signature)."""

from __future__ import annotations

import re

from extractors.base import Extraction
from extractors.layout import DocumentText, Field
from extractors.values import compact

__all__ = ["extract"]

# Where the seal goes: 公章, 盖章, 签章, or what is left of （公章） when the seal's ink hides a character.
SEAL_PLACE = re.compile(r"公章|盖章|签章|[（(]公[）)]?|[（(]章[）)]")


def extract(doc: DocumentText) -> Extraction:
    """authenticity_declaration_sealed from the signature block the applicant sealed."""
    out = Extraction()
    signature = next((r for r in doc.rows if SEAL_PLACE.search(compact(r.text))), None)
    if signature is not None:
        found = Field.of_row(signature)
        out.add("authenticity_declaration_sealed", True, found.confidence * 0.9, [found.evidence(doc.path)])
    return out
