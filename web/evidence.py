"""Evidence images: a stored page's image made again from the submitted file, identity numbers blacked out."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path

import cv2

from models.pages import BBox, PageText
from pipeline.pages import page_image

__all__ = ["evidence_jpeg", "masked_spans"]

# Identity numbers as mask_id_numbers leaves them in the stored text (421005********6087).
MASKED_ID = re.compile(r"\d{6}\*{4,}\d{3}[\dXx]")
MARGIN = 3  # pixels around a blacked-out number


def masked_spans(page: PageText) -> list[BBox]:
    """Where the page shows an identity number that its stored text masks: the characters' boxes where
    the text layer gives them, else that share of the line's box (widened by a character each side)."""
    spans = []
    for line in page.lines:
        if line.bbox is None:
            continue
        for found in MASKED_ID.finditer(line.text):
            if line.char_boxes and len(line.char_boxes) == len(line.text):
                boxes = line.char_boxes[found.start():found.end()]
                spans.append((min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
                              max(b[3] for b in boxes)))
            else:
                x0, y0, x1, y1 = line.bbox
                share = (x1 - x0) / max(len(line.text), 1)
                spans.append((x0 + share * max(found.start() - 1, 0), y0, x0 + share * min(found.end() + 1, len(line.text)), y1))
    return spans


def evidence_jpeg(kind: str, load: Callable[[], bytes], sha256: str, page: PageText, max_width: int | None = None) -> bytes:
    """The page as a JPEG, numbers masked, at most `max_width` pixels wide (previews); the file's bytes
    are loaded only when the image is not cached. ValueError for pages with no image (Word, Excel)."""
    key = (sha256, page.page_no, max_width)
    with _lock:
        made = _made.get(key)
    if made is None:
        bgr = page_image(kind, load(), page)
        if bgr is None:
            raise ValueError("该页没有页面图像（Word、Excel 文件）")
        bgr = bgr.copy()
        for x0, y0, x1, y1 in masked_spans(page):
            cv2.rectangle(bgr, (int(x0) - MARGIN, int(y0) - MARGIN), (int(x1) + MARGIN, int(y1) + MARGIN), (0, 0, 0), -1)
        if max_width and bgr.shape[1] > max_width:
            height = round(bgr.shape[0] * max_width / bgr.shape[1])
            bgr = cv2.resize(bgr, (max_width, height), interpolation=cv2.INTER_AREA)
        ok, encoded = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 85])
        if not ok:
            raise ValueError("页面图像无法编码")
        made = encoded.tobytes()
        with _lock:
            _made[key] = made
            while len(_made) > CACHED_IMAGES:
                _made.pop(next(iter(_made)))
    return made


CACHED_IMAGES = 200  # the images made last (a few hundred kB each), for the reviewer going back and forth
_made: dict[tuple[str, int, int | None], bytes] = {}
_lock = threading.Lock()


def batch_source(batch_path: str, source: str) -> Path:
    """The application's folder or zip as intake found it: an entry of the batch folder (a run given a
    relative batch path stored a relative source)."""
    return Path(source) if Path(source).is_absolute() else Path(batch_path) / Path(source).name
