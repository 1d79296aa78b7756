"""PP-OCR through rapidocr 3.x (models inside its wheel), with our own page orientation."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cached_property
from importlib.metadata import version
from importlib.util import find_spec
from typing import Any

import numpy as np

from extractors.values import OVERPRINT, compact
from pipeline.ocr.base import OcrResult, OcrUnavailable
from pipeline.ocr.preprocess import (
    Quad,
    fade_light_overprint,
    quad_size,
    quad_to_bbox,
    rotate_quads_180,
    rotate_quarter,
    skew_degrees,
    suppress_red_seals,
    to_ocr_result,
    vertical_share,
)
from pipeline.ocr.second_opinion import CharRecogniser, Recognised, SecondRecogniser, fuse

# Measured on a 2-core machine (bench/ocr_speed): a dense A4 lease page at 200 DPI costs
# 6.2 CPU-s with rapidocr's defaults; one ONNX thread, detection on a 960-px image and
# recognition one line at a time (no padding to the widest line of a batch) cost 1.3 CPU-s
# with the same text read.
DEFAULT_SETTINGS = {"det_limit_side_len": 960, "rec_batch_num": 1, "threads": 1, "text_score": 0.5,
                    "second_opinion": True}
# Part of the cache key: bump when orientation, seal suppression or line order change.
PIPELINE_REVISION = "ocr-12"
# A line read with less confidence than this is detected and read again on its own: a line with
# digits below 0.97 (a real licence's 100000.0000万元 lost its point at 0.964); a line of words only
# below 0.9 (at 0.90–0.97 such lines came back the same, or with a bracket's width changed, on 80
# fixture scans; the 20 bench pages alone had 21 such looks, each costing about a tenth of the page).
SECOND_LOOK_BELOW = 0.97
SECOND_LOOK_WORDS_BELOW = 0.9
# Lines holding a watermark's words (仅供, 报使用, 复印无效 …) from which a page counts as watermarked
# and is read again with the watermark faded. A page's own text names such words once at most
# (复印件与原件一致 in a declaration); a watermark repeated across the page gives many.
WATERMARK_LINES = 3
INK = 128  # grey level below which a pixel left on the faded page is ink
INK_LEFT = 0.01  # share of a box's pixels: text strokes fill 10 %+, specks of toner or noise well under 1 %
SPANNED = 0.8  # a faded page's box this much spanned by first-pass lines kept is not read again
# A page whose characters are read this surely in less than this share is read the other way up as well
# (a licence under a dense watermark: 0.96 read upright, 0.0 upside down; see bench.pages_speed for how often).
SURE, SURE_SHARE_UPRIGHT = 0.9, 0.5

Reading = tuple[Quad, str, float]


class PpOcr:
    """Detection, direction classification and recognition of PP-OCR as separate steps."""

    def __init__(self, det_limit_side_len: int = 960, rec_batch_num: int = 1, threads: int = 1,
                 text_score: float = 0.5) -> None:
        if find_spec("rapidocr") is None:  # pragma: no cover - a core dependency
            raise OcrUnavailable("未安装 rapidocr：请运行 bash scripts/setup.sh")
        self.version = f"{version('rapidocr')} PP-OCRv6-small"
        self._params = {
            "Global.use_cls": False,
            "Global.log_level": "error",
            "Global.text_score": text_score,
            "EngineConfig.onnxruntime.intra_op_num_threads": threads,
            "EngineConfig.onnxruntime.inter_op_num_threads": threads,
            "Det.limit_type": "max",
            "Det.limit_side_len": det_limit_side_len,
            # A box's score is its own outline's mean, not its rectangle's: a line touched by a smudge
            # or a seal's edge is otherwise dropped whole (seen on a real licence's credit-code line).
            "Det.score_mode": "slow",
            "Rec.rec_batch_num": rec_batch_num,
        }
        self.text_score = text_score

    @cached_property
    def _ocr(self) -> Any:
        """rapidocr and its models, loaded on the first page: a process that only names the engine (the
        flow's, whose pool reads the pages) never imports them (1.5 s) nor holds them."""
        from rapidocr import RapidOCR

        return RapidOCR(params=self._params)

    def detect(self, bgr: np.ndarray) -> list[Quad]:
        """Text line boxes, in pixels of `bgr`."""
        out = self._ocr(bgr, use_det=True, use_cls=False, use_rec=False)
        boxes = getattr(out, "boxes", None)
        return [] if boxes is None else [np.asarray(b, dtype=np.float32) for b in boxes]

    def crops(self, bgr: np.ndarray, quads: list[Quad]) -> list[np.ndarray]:
        """Each box cut out and straightened."""
        from rapidocr.utils.process_img import get_rotate_crop_image

        return [get_rotate_crop_image(bgr, quad.copy()) for quad in quads]

    def upside_down_votes(self, crops: list[np.ndarray]) -> tuple[float, float]:
        """(weight for upright, weight for 180°) from the direction classifier."""
        result = self._ocr._load_cls_model()(crops)  # noqa: SLF001 - rapidocr has no public cls-only call on crops
        upright = flipped = 0.0
        for label, score in result.cls_res or []:
            if label == "180":
                flipped += score
            else:
                upright += score
        return upright, flipped

    @cached_property
    def _characters(self) -> CharRecogniser:
        return CharRecogniser(self._ocr._load_rec_model())  # noqa: SLF001 - rapidocr has no public rec-only loader

    def recognize(self, crops: list[np.ndarray]) -> list[Recognised]:
        """Text, confidence and each character's probability for each crop."""
        return self._characters(crops) if crops else []


def orient(pp: PpOcr, bgr: np.ndarray) -> tuple[np.ndarray, int, list[Quad]]:
    """The upright image, the quarter turns that made it upright, and its text boxes."""
    turns = 0
    quads = pp.detect(bgr)
    if vertical_share(quads) > 0.6:
        bgr = rotate_quarter(bgr, 1)
        turns = 1
        quads = pp.detect(bgr)
    # Vote with the longest lines only: single digits like 6 and 9 fool the classifier.
    long_quads = sorted((q for q in quads if quad_size(q)[0] >= 3 * max(quad_size(q)[1], 1.0)),
                        key=lambda q: -quad_size(q)[0])[:12]
    if len(long_quads) >= 2:
        upright, flipped = pp.upside_down_votes(pp.crops(bgr, long_quads))
        if flipped > 1.5 * upright:
            height, width = bgr.shape[:2]
            bgr = rotate_quarter(bgr, 2)
            turns = (turns + 2) % 4
            quads = rotate_quads_180(quads, width, height)
    return bgr, turns, quads


def second_look(pp: PpOcr, upright: np.ndarray, quad: Quad, text: str,
                score: float) -> list[tuple[Quad, Recognised]] | None:
    """A doubtful line detected again on its own, at full resolution; its lines when they read surer
    and lose no character of the first reading (a surer reading that drops one is still wrong)."""
    width, height = quad_size(quad)
    if width < 4 * max(height, 1.0):
        return None  # only long lines: a box that swallowed a smudge or the line above is the usual cause
    x0, y0, x1, y1 = quad_to_bbox(quad)
    pad = 0.3 * height
    left, top = max(int(x0 - pad), 0), max(int(y0 - pad), 0)
    crop = upright[top:int(y1 + pad) + 1, left:int(x1 + pad) + 1]
    # Keep what lies within the doubtful box: the padding may catch a piece of the lines around it.
    quads = [q for q in join_close_boxes(pp.detect(crop))
             if y0 - top <= float(q[:, 1].mean()) <= y1 - top]
    if not quads:
        return None
    recognised = pp.recognize(pp.crops(crop, quads))
    chars = sum(len(reading.text) for reading in recognised)
    surer = sum(len(reading.text) * reading.score for reading in recognised) / max(chars, 1)
    if surer < score + 0.5 * (1 - score) or chars < len(text.strip()):  # it must at least halve the doubt
        return None
    offset = np.array([left, top], dtype=np.float32)
    return [(q + offset, reading) for q, reading in zip(quads, recognised, strict=True)]


def join_close_boxes(quads: list[Quad]) -> list[Quad]:
    """Boxes of one row less than a character apart joined into one: detection sometimes cuts a
    character out between two words that the recogniser reads whole."""
    boxes = sorted((quad_to_bbox(q) for q in quads), key=lambda b: b[0])
    joined: list[list[float]] = []
    for x0, y0, x1, y1 in boxes:
        for box in joined:
            overlap = min(y1, box[3]) - max(y0, box[1])
            height = min(y1 - y0, box[3] - box[1])
            if overlap > 0.5 * height and x0 - box[2] < height:
                box[:] = [min(box[0], x0), min(box[1], y0), max(box[2], x1), max(box[3], y1)]
                break
        else:
            joined.append([x0, y0, x1, y1])
    return [np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float32) for x0, y0, x1, y1 in joined]


def is_watermarked(readings: list[Reading]) -> bool:
    """Whether the page's lines hold a watermark's words often enough to be a watermark repeated over it."""
    return sum(1 for _quad, text, _score in readings if OVERPRINT.search(text)) >= WATERMARK_LINES


def is_watermark_only(text: str) -> bool:
    """Whether a line holds nothing but a watermark's words (仅供申报使用, 申报使用): its box is the mark's ink."""
    folded = compact(text)
    return bool(folded) and not OVERPRINT.sub("", folded)


def _centre_line(quad: Quad) -> tuple[np.ndarray, np.ndarray, float]:
    """A detected box's centre line (middle of its left edge, middle of its right edge) and its height."""
    left, right = (quad[0] + quad[3]) / 2, (quad[1] + quad[2]) / 2
    return left, right, float(np.linalg.norm(quad[3] - quad[0]) + np.linalg.norm(quad[2] - quad[1])) / 2


def _same_line(quad: Quad, other: Quad) -> bool:
    """Whether two detected boxes lie on one printed line: they overlap across, and where they do their
    centre lines are less than half a line apart (box corners follow a slanted page; their upright
    bounding boxes would overlap the neighbouring lines)."""
    (ax0, ay0), (ax1, ay1), a_height = _centre_line(quad)
    (bx0, by0), (bx1, by1), b_height = _centre_line(other)
    left, right = max(ax0, bx0), min(ax1, bx1)
    if right <= left:
        return False
    x = (left + right) / 2
    a_y = ay0 + (ay1 - ay0) * (x - ax0) / max(ax1 - ax0, 1.0)
    b_y = by0 + (by1 - by0) * (x - bx0) / max(bx1 - bx0, 1.0)
    return abs(a_y - b_y) < 0.5 * min(a_height, b_height)


def _faded_away(quad: Quad, faded_image: np.ndarray) -> bool:
    """Whether fading left (almost) no ink in the box: what was read there was the watermark."""
    x0, y0, x1, y1 = (int(v) for v in quad_to_bbox(quad))
    region = faded_image[max(y0, 0):y1 + 1, max(x0, 0):x1 + 1]
    return region.size == 0 or float((region.min(axis=2) < INK).mean()) < INK_LEFT


def _width_covered(box: Quad, lines: list[Reading]) -> float:
    """Share of the box's width that lines on the same stretch of its line already span."""
    x0, _y0, x1, _y1 = quad_to_bbox(box)
    spans = sorted((max(quad_to_bbox(q)[0], x0), min(quad_to_bbox(q)[2], x1)) for q, _t, _s in lines
                   if _same_line(box, q))
    covered, reached = 0.0, x0
    for left, right in spans:
        covered += max(0.0, right - max(left, reached))
        reached = max(reached, right)
    return covered / max(x1 - x0, 1.0)


def merge_faded_reading(first: list[Reading], faded_boxes: list[Quad], faded_image: np.ndarray,
                        read: Callable[[list[Quad]], list[Reading]]) -> list[Reading]:
    """The page's lines once its watermark is faded. First-pass lines holding a watermark's words or
    made of its characters only, or left without ink, give way; the faded page's boxes that the
    remaining lines do not already span are read, and such a reading replaces the first-pass lines on
    its stretch when it read more."""
    # Scraps of the watermark (使用, 仅供申) are made of nothing but its characters.
    watermark_characters = {char for _q, text, _s in first for found in OVERPRINT.finditer(text) for char in found.group()}
    standing = [reading for reading in first
                if not OVERPRINT.search(reading[1]) and not set(compact(reading[1])) <= watermark_characters
                and not _faded_away(reading[0], faded_image)]
    fresh = read([box for box in faded_boxes if _width_covered(box, standing) < SPANNED])
    dropped: set[int] = set()
    added: list[Reading] = []
    for reading in fresh:
        covered = [index for index, kept in enumerate(standing) if _same_line(reading[0], kept[0])]
        if len(reading[1]) > sum(len(standing[i][1]) for i in covered):
            added.append(reading)
            dropped.update(covered)
    return [reading for index, reading in enumerate(standing) if index not in dropped] + added


class RapidOcrEngine:
    """The default engine: PP-OCR det + rec on the seal-suppressed, upright page; doubtful lines read again
    by a second recogniser; a watermarked page is read again with the watermark faded."""

    name = "rapidocr"

    def __init__(self, **settings: object) -> None:
        self.settings = {**DEFAULT_SETTINGS, **settings}
        reader_settings = {k: v for k, v in self.settings.items() if k != "second_opinion"}
        self.pp = PpOcr(**reader_settings)  # type: ignore[arg-type]
        self.second = SecondRecogniser(int(self.settings["threads"])) if self.settings["second_opinion"] else None  # type: ignore[call-overload]
        second = f" + {self.second.version}" if self.second else ""
        self.version = f"{self.pp.version}{second} {PIPELINE_REVISION}"
        # What the extra readings cost and changed, over every page this engine read (bench.pages_speed).
        self.counts = {"pages": 0, "other_way_up_tried": 0, "other_way_up_kept": 0, "lines": 0,
                       "second_opinion_lines": 0, "second_opinion_disputed": 0, "second_opinion_cpu_s": 0.0}

    def __call__(self, bgr: np.ndarray) -> OcrResult:
        cleaned = suppress_red_seals(bgr)
        upright, turns, quads = orient(self.pp, cleaned)
        kept = self._read_page(upright, quads)
        self.counts["pages"] += 1
        if sure_share(kept) < SURE_SHARE_UPRIGHT:
            self.counts["other_way_up_tried"] += 1
            # The direction classifier can be fooled (a dense watermark's slanted lines are the longest on
            # the page); a page read the wrong way up reads as noise, so the other way up is tried.
            flipped = rotate_quarter(upright, 2)
            other = self._read_page(flipped, self.pp.detect(flipped))
            if sure_share(other) > sure_share(kept):
                upright, turns, kept = flipped, (turns + 2) % 4, other
                self.counts["other_way_up_kept"] += 1
        skew = skew_degrees([q for q, _t, _s in kept])
        return to_ocr_result([(quad_to_bbox(q), text.strip(), score) for q, text, score in kept], skew, upright, turns)

    def _read_page(self, upright: np.ndarray, quads: list[Quad]) -> list[Reading]:
        """The upright page's lines; a watermarked page read again with the watermark faded."""
        kept = self._read(upright, quads)
        if is_watermarked(kept):
            faded = fade_light_overprint(upright, [quad for quad, text, _s in kept if is_watermark_only(text)])
            kept = merge_faded_reading(kept, self.pp.detect(faded), faded, lambda boxes: self._read(faded, boxes))
        return kept

    def _read(self, upright: np.ndarray, quads: list[Quad]) -> list[Reading]:
        """Each box recognised, doubtful long lines looked at again, lines still doubtful read by the second
        recogniser too; empty and unsure readings dropped."""
        recognised = self.pp.recognize(self.pp.crops(upright, quads))
        self.counts["lines"] += len(recognised)
        kept: list[Reading] = []
        for quad, reading in zip(quads, recognised, strict=False):
            closer = second_look(self.pp, upright, quad, reading.text, reading.score) if _doubtful(reading) else None
            for line_quad, line in closer or [(quad, reading)]:
                if not line.text.strip() or line.score < self.pp.text_score:
                    continue  # noise: what the second reader makes of it does not make it a line
                if self.second is not None and _doubtful(line):
                    line = self._second_opinion(upright, line_quad, line)
                kept.append((line_quad, line.text, line.score))
        return [(quad, text, score) for quad, text, score in kept if text.strip()]

    def _second_opinion(self, upright: np.ndarray, quad: Quad, first: Recognised) -> Recognised:
        """The line as both recognisers read it, fused character by character."""
        assert self.second is not None
        started = time.process_time()
        other = self.second(self.pp.crops(upright, [quad]))[0]
        fused, disputed = fuse(first, other)
        self.counts["second_opinion_lines"] += 1
        self.counts["second_opinion_disputed"] += disputed > 0
        self.counts["second_opinion_cpu_s"] += time.process_time() - started
        return fused


def sure_share(readings: list[Reading]) -> float:
    """Share of a page's characters read with confidence of at least SURE: near 1 on a page read the right way up."""
    characters = sum(len(text) for _q, text, _s in readings)
    return sum(len(text) for _q, text, score in readings if score >= SURE) / characters if characters else 1.0


def _doubtful(reading: Recognised) -> bool:
    """A line read with too little confidence to stand on one recogniser's word."""
    digits = any(char.isdigit() for char in reading.text)
    return reading.score < (SECOND_LOOK_BELOW if digits else SECOND_LOOK_WORDS_BELOW)
