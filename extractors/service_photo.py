"""服务照片: when it was taken (EXIF), a perceptual hash, and the banner text it shows."""

from __future__ import annotations

import re
from datetime import datetime

from extractors.base import Extraction
from extractors.layout import DocumentText, Field
from models.results import Evidence

__all__ = ["extract"]


# The time a camera or a watermark app (今日水印, 马克水印) prints on the photo: 2026-01-29 14:41,
# 2025/09/09 14:58, 2026.05.05 16:51, 2025年6月14日 11:07 (OCR may join the day and the hour: 2025/06/1411:07).
STAMP = re.compile(r"(?P<y>20\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?\s*"
                   r"(?P<H>\d{1,2})\s*[:：]\s*(?P<M>\d{2})(?:\s*[:：]\s*(?P<S>\d{2}))?")


def _stamped_time(doc: DocumentText) -> tuple[str, Field] | None:
    """The date and time printed on the photo, as an ISO timestamp, if one reads as a real moment."""
    for row in doc.rows:
        match = STAMP.search(row.text)
        if not match:
            continue
        try:
            moment = datetime(int(match["y"]), int(match["m"]), int(match["d"]), int(match["H"]), int(match["M"]),
                              int(match["S"] or 0))
        except ValueError:
            continue
        return moment.isoformat(), Field.of_row(row)
    return _stacked_stamp(doc)


# A watermark camera's stamp stacked on lines of its own: 16:58 (its icon may be read as a trailing 1),
# then 2026.02.20 and 星期五.
STAMP_TIME = re.compile(r"(?P<H>\d{1,2})[:：](?P<M>\d{2})\d?")
STAMP_DAY = re.compile(r"(?P<y>20\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?")


def _stacked_stamp(doc: DocumentText) -> tuple[str, Field] | None:
    """The stamp's time and date as pieces of their own, on one line or on lines next to each other."""
    pieces = [(index, row, piece) for index, row in enumerate(doc.rows) for piece in row.pieces]
    for index, row, piece in pieces:
        clock = STAMP_TIME.fullmatch(piece.text.replace(" ", ""))
        if not clock:
            continue
        for other_index, other_row, other in pieces:
            day = STAMP_DAY.fullmatch(other.text.replace(" ", ""))
            if day is None or abs(other_index - index) > 2:
                continue
            try:
                moment = datetime(int(day["y"]), int(day["m"]), int(day["d"]), int(clock["H"]), int(clock["M"]))
            except ValueError:
                continue
            return moment.isoformat(), Field("", f"{other.text} {piece.text}", [piece, other], [row, other_row])
    return None


def extract(doc: DocumentText) -> Extraction:
    """photo_taken_at and photo_hashes from the metadata read with the image; the banner as evidence text."""
    out = Extraction()
    if not doc.pages:
        return out
    page = doc.pages[0]
    meta = page.image_meta or {}
    banner = max((line.text for line in page.lines), key=len, default="")
    evidence = [Evidence(path=doc.path, page=page.page_no, bbox=None, text=banner or None)]
    stamped = _stamped_time(doc)
    if stamped is not None and meta.get("taken_at") and stamped[0][:16] != meta["taken_at"][:16]:
        # The picture's printed time and its EXIF time differ: a photo forwarded through WeChat or re-saved
        # carries the saving time; the stamp is the moment shown. Taken, with the doubt said.
        value, found = stamped
        out.add("photo_taken_at", value, found.confidence * 0.75, [found.evidence(doc.path)])
        out.notes.append(f"{doc.path}：照片上印的时间 {value} 与文件记录的时间 {meta['taken_at']} 不一致，请人工核对")
    elif meta.get("taken_at"):
        out.add("photo_taken_at", meta["taken_at"], 1.0, evidence)
    elif stamped is not None:
        value, found = stamped
        out.add("photo_taken_at", value, found.confidence * 0.9, [found.evidence(doc.path)])
    elif meta.get("modified_at"):
        by = f"（{meta['software']}）" if meta.get("software") else ""
        out.notes.append(f"{doc.path}：照片没有拍摄时间，文件只记录了编辑保存时间 {meta['modified_at']}{by}，请人工核对拍摄时间")
    if meta.get("perceptual_hash"):
        out.add("photo_hashes", meta["perceptual_hash"], 1.0, evidence)
    return out
