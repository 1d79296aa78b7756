"""Where a scanned page has ink, at a quarter of its size: lets extractors see a tick OCR did not read."""

from __future__ import annotations

import base64
from collections.abc import Sequence

import cv2
import numpy as np

from models.pages import BBox
from pipeline.ocr.preprocess import paper_brightness

__all__ = ["INK_MAP_SCALE", "page_to_ink_map"]

INK_MAP_SCALE = 4  # page pixels per ink-map cell, each way
DARKER_THAN = 0.75  # share of the paper's own brightness under which a pixel is ink
# A cell is inked when this share of its pixels is: a stroke fills half a cell or more; a speck of
# toner or photo noise is one pixel of sixteen.
CELL_INKED = 3 / 16


def page_to_ink_map(image: np.ndarray, turns: int = 0, hidden: Sequence[BBox] = ()) -> str:
    """The page's ink as a base64 PNG, one cell per INK_MAP_SCALE² pixels, turned as OCR turned the page;
    the `hidden` boxes (upright pixels: lines holding identity-card numbers) left blank."""
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    ink = cv2.compare(grey, cv2.multiply(paper_brightness(grey), DARKER_THAN), cv2.CMP_LT)  # 255 where inked
    height, width = grey.shape
    cells = cv2.resize(ink, (max(width // INK_MAP_SCALE, 1), max(height // INK_MAP_SCALE, 1)),
                       interpolation=cv2.INTER_AREA)  # the share of inked pixels, × 255
    inked = np.ascontiguousarray(np.rot90(np.where(cells >= CELL_INKED * 255, 255, 0).astype(np.uint8), -turns))
    for x0, y0, x1, y1 in hidden:
        inked[int(y0) // INK_MAP_SCALE:int(y1) // INK_MAP_SCALE + 1, int(x0) // INK_MAP_SCALE:int(x1) // INK_MAP_SCALE + 1] = 0
    return base64.b64encode(cv2.imencode(".png", inked)[1].tobytes()).decode("ascii")
