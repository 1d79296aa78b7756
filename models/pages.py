"""What reading a page gives: lines of text with boxes, tables, and where the text came from."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

BBox = tuple[float, float, float, float]
TextSource = Literal["text_layer", "ocr", "docx", "xlsx", "none"]


class TextLine(BaseModel):
    """One line of text; `bbox` in pixels of the upright page image (None for DOCX/XLSX)."""

    text: str
    bbox: BBox | None = None
    confidence: float = 1.0
    char_boxes: list[BBox] | None = None  # one per character of `text`, text layer only


class PageText(BaseModel):
    """The text of one page, in reading order, and how it was obtained."""

    page_no: int  # 1-based, within the file
    width: int = 0  # pixels of the upright page image (0 when there is no image)
    height: int = 0
    dpi: float | None = None
    source: TextSource = "none"
    engine: str | None = None  # "rapidocr 3.10.0 …" when source is "ocr"
    rotation: int = 0  # quarter turns clockwise applied to the file's image to make it upright
    skew_deg: float = 0.0
    image_sha256: str | None = None
    lines: list[TextLine] = Field(default_factory=list)
    tables: list[list[list[str]]] = Field(default_factory=list)  # DOCX/XLSX and ruled PDF tables: rows of cells
    seconds: float = 0.0
    error: str | None = None
    # Photos: capture time from EXIF (ISO) and a perceptual hash, for service photos and reuse flags.
    image_meta: dict[str, str] | None = None

    @property
    def text(self) -> str:
        """All lines joined, one per line."""
        return "\n".join(line.text for line in self.lines)


def bbox_to_source(bbox: BBox, rotation: int, width: int, height: int) -> BBox:
    """A box on the upright page → the same box on the file's image as stored (before rotation)."""
    x0, y0, x1, y1 = bbox
    turns = rotation % 4
    if turns == 0:
        return bbox
    if turns == 1:  # upright = source turned 90° clockwise; source height == upright width
        return (y0, width - x1, y1, width - x0)
    if turns == 2:
        return (width - x1, height - y1, width - x0, height - y0)
    return (height - y1, x0, height - y0, x1)
