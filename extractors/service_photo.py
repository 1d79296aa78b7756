"""服务照片: when it was taken (EXIF), a perceptual hash, and the banner text it shows."""

from __future__ import annotations

from extractors.base import Extraction
from extractors.layout import DocumentText
from models.results import Evidence

__all__ = ["extract"]


def extract(doc: DocumentText) -> Extraction:
    """photo_taken_at and photo_hashes from the metadata read with the image; the banner as evidence text."""
    out = Extraction()
    if not doc.pages:
        return out
    page = doc.pages[0]
    meta = page.image_meta or {}
    banner = max((line.text for line in page.lines), key=len, default="")
    evidence = [Evidence(path=doc.path, page=page.page_no, bbox=None, text=banner or None)]
    if meta.get("taken_at"):
        out.add("photo_taken_at", meta["taken_at"], 1.0, evidence)
    if meta.get("perceptual_hash"):
        out.add("photo_hashes", meta["perceptual_hash"], 1.0, evidence)
    return out
