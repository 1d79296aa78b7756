"""What reading a page gives: lines of text with boxes, tables, and where the text came from."""

from __future__ import annotations

import base64
import math
from functools import lru_cache
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

BBox = tuple[float, float, float, float]
TextSource = Literal["text_layer", "ocr", "docx", "xlsx", "none"]


RULED = 0.7  # a row or column of ink-map cells this full across a box is a ruled line, not a mark


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
    # A photographed sheet: the 3×3 homography that took the file's image to the flattened sheet
    # (before `rotation`); None when the page was read as it was.
    flattened: list[list[float]] | None = None
    lines: list[TextLine] = Field(default_factory=list)
    tables: list[list[list[str]]] = Field(default_factory=list)  # DOCX/XLSX and ruled PDF tables: rows of cells
    title: str | None = None  # a worksheet's name (兼职人员, 专职人员名单): what its rows are
    seconds: float = 0.0
    error: str | None = None
    # Photos: capture time from EXIF (ISO) and a perceptual hash, for service photos and reuse flags.
    image_meta: dict[str, str] | None = None
    # Scans whose text asks for them (pipeline.pages): round seals found, upright pixels; and where the
    # upright page has ink, a quarter-size base64 PNG (pipeline.ink).
    seals: list[BBox] = Field(default_factory=list)
    ink: str | None = None

    @property
    def text(self) -> str:
        """All lines joined, one per line."""
        return "\n".join(line.text for line in self.lines)

    def ink_share(self, bbox: BBox) -> float | None:
        """Share of the box (upright pixels) inked, leaving out ruled lines across it (a table's borders);
        None where the page kept no ink map."""
        if not self.ink:
            return None
        cells = _ink_cells(self.ink)
        scale_y, scale_x = cells.shape[0] / max(self.height, 1), cells.shape[1] / max(self.width, 1)
        x0, y0 = max(int(bbox[0] * scale_x), 0), max(int(bbox[1] * scale_y), 0)
        x1, y1 = max(int(math.ceil(bbox[2] * scale_x)), x0 + 1), max(int(math.ceil(bbox[3] * scale_y)), y0 + 1)
        region = cells[y0:y1, x0:x1] > 0
        if not region.size:
            return None
        ruled_rows = region.mean(axis=1) >= RULED
        ruled_columns = region.mean(axis=0) >= RULED
        return float(region[~ruled_rows][:, ~ruled_columns].sum() / region.size)


@lru_cache(maxsize=8)
def _ink_cells(ink: str) -> np.ndarray:
    """An ink map decoded (a roster asks for one cell per row, so the page's map is kept a while)."""
    import cv2  # here: OpenCV's import is most of this module's, and the rules never decode an ink map

    return cv2.imdecode(np.frombuffer(base64.b64decode(ink), np.uint8), cv2.IMREAD_GRAYSCALE)


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


def page_box_to_source(page: PageText, bbox: BBox) -> BBox:
    """A box on the upright page → the box around it on the file's image as stored (rotation undone,
    then a photographed sheet's flattening)."""
    box = bbox_to_source(bbox, page.rotation, page.width, page.height)
    if page.flattened is None:
        return box
    back = np.linalg.inv(np.array(page.flattened, dtype=np.float64))
    x0, y0, x1, y1 = box
    corners = np.array([[x0, y0, 1], [x1, y0, 1], [x1, y1, 1], [x0, y1, 1]], dtype=np.float64) @ back.T
    xs, ys = corners[:, 0] / corners[:, 2], corners[:, 1] / corners[:, 2]
    return (float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()))
