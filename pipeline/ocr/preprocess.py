"""OpenCV clean-up before recognition: a photographed sheet flattened, red seals out, quarter turns,
skew, reading order."""

from __future__ import annotations

import math

import cv2
import numpy as np

from models.pages import BBox, TextLine
from pipeline.ocr.base import OcrResult

Quad = np.ndarray  # (4, 2) float: top-left, top-right, bottom-right, bottom-left


# Red channel of seal ink on the fixtures and on the real scans seen so far is 200-240.
SEAL_INK_RED = 200
MASK_DOWNSCALE = 4  # seals are looked for on an image this many times smaller per side
# Red channel stretched so that seal ink (≥ SEAL_INK_RED) turns white.
THROUGH_RED_FILTER = np.clip(np.arange(256) * 255 // SEAL_INK_RED, 0, 255).astype(np.uint8)
# A translucent watermark (仅供申报使用) prints at 80 %+ of the paper's brightness; text, even faint, darker.
OVERPRINT_LIGHTER_THAN = 0.8
FADE_AT_LEAST, WATERMARK_INK_PIXELS = 0.6, 500  # the fade's lowest level; ink pixels needed to measure the mark
# A run of red characters is taken for words written over the text when this share of its box is
# dark non-red ink (the print it crosses); runs shorter than RED_WORD_SIDE of the page's short side
# are specks. A red title on bare paper has no dark ink in its box.
DARK_INK, RED_OVER_TEXT, RED_WORD_SIDE = 110, 0.01, 0.03
PAPER_WINDOW = 31  # px: wider than a watermark's bold stroke, so the window's lightest pixel is paper


# A sheet photographed on a desk: found on a copy this many pixels on its longer side, and taken for
# a sheet when its outline is four corners covering this share of the photo (a scan's sheet is the
# whole image, and is left as it is).
SHEET_SEARCH_SIDE = 800
SHEET_AREA_SHARE = (0.25, 0.9)
SHEET_FILLS_OUTLINE = 0.95  # the four corners' area against the outline's: a clean quadrilateral
# The desk shows on every side: each corner this share of the photo's size away from its edges. A
# screenshot's white panel, or a scan's paper cut off by a shadow, runs to an edge instead.
SHEET_MARGIN = 0.03
SHEET_PAPER_LEFT_OUT = 0.01  # of the photo: paper-like pixels outside the corners allowed (noise, a glint)


def sheet_corners(bgr: np.ndarray) -> Quad | None:
    """The corners of a photographed sheet lying on a darker background (top-left, top-right,
    bottom-right, bottom-left, full-size pixels), or None when the image is not such a photo."""
    height, width = bgr.shape[:2]
    scale = SHEET_SEARCH_SIDE / max(height, width)
    small = cv2.resize(bgr, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
    # Paper is bright and colourless; a desk or a cloth is darker or coloured. Brightness less
    # saturation keeps a sheet's shaded edge on the paper's side.
    hue_saturation_value = cv2.cvtColor(small, cv2.COLOR_BGR2HSV)
    paperness = cv2.subtract(hue_saturation_value[:, :, 2], hue_saturation_value[:, :, 1])
    _, paper = cv2.threshold(cv2.GaussianBlur(paperness, (5, 5), 0), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    paper = cv2.morphologyEx(paper, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (15, 15)))
    contours, _ = cv2.findContours(paper, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    outline = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(outline)
    if not SHEET_AREA_SHARE[0] <= area / (small.shape[0] * small.shape[1]) <= SHEET_AREA_SHARE[1]:
        return None
    corners = cv2.approxPolyDP(outline, 0.02 * cv2.arcLength(outline, True), True)
    if len(corners) != 4 or not cv2.isContourConvex(corners) or cv2.contourArea(corners) < SHEET_FILLS_OUTLINE * area:
        return None
    points = corners.reshape(4, 2).astype(np.float64)
    margin_x, margin_y = SHEET_MARGIN * small.shape[1], SHEET_MARGIN * small.shape[0]
    if (points[:, 0].min() < margin_x or points[:, 0].max() > small.shape[1] - margin_x
            or points[:, 1].min() < margin_y or points[:, 1].max() > small.shape[0] - margin_y):
        return None
    outside = np.ones(paper.shape, np.uint8)
    cv2.fillConvexPoly(outside, corners.reshape(4, 2), 0)
    if np.count_nonzero(paper[outside > 0]) > SHEET_PAPER_LEFT_OUT * paper.size:
        return None  # paper outside the corners: they would cut the sheet
    return _clockwise_from_top_left(points / scale)


def _clockwise_from_top_left(points: np.ndarray) -> Quad:
    by_sum, by_diff = points.sum(axis=1), np.diff(points, axis=1).ravel()
    return np.array([points[by_sum.argmin()], points[by_diff.argmin()], points[by_sum.argmax()],
                     points[by_diff.argmax()]])


def flatten_sheet(bgr: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """A photographed sheet warped flat and upright-rectangular (its rows level again, the desk cut
    away), with the homography used; the image itself and None when it is not such a photo."""
    corners = sheet_corners(bgr)
    if corners is None:
        return bgr, None
    top_left, top_right, bottom_right, bottom_left = corners
    width = round(max(np.linalg.norm(top_right - top_left), np.linalg.norm(bottom_right - bottom_left)))
    height = round(max(np.linalg.norm(bottom_left - top_left), np.linalg.norm(bottom_right - top_right)))
    target = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], dtype=np.float64)
    homography = cv2.getPerspectiveTransform(corners.astype(np.float32), target.astype(np.float32))
    flat = cv2.warpPerspective(bgr, homography, (width, height), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REPLICATE)
    return flat, homography


def suppress_red_seals(bgr: np.ndarray) -> np.ndarray:
    """A copy where round red seals, and red words written or stamped across black text (仅供…使用,
    复印无效), fade to white and the black text under them stays; red titles on bare paper are kept."""
    red, factor = red_ink(bgr)
    if red is None:
        return bgr
    seal_mask = red_seal_mask(red, factor, bgr.shape[:2])
    words = red_words_over_text_mask(bgr, red, factor, seal_mask)
    mask = seal_mask if words is None else words if seal_mask is None else seal_mask | words
    if mask is None:
        return bgr
    # Inside the mask, the red channel alone is the page as seen through a red filter: red ink
    # turns white while black strokes, even where the ink covers them, stay dark. Whitening
    # the red pixels instead cuts every stroke the ink crosses.
    x, y, w, h = cv2.boundingRect(mask)  # only the inked area, not the whole page
    region = (slice(y, y + h), slice(x, x + w))
    through_filter = cv2.LUT(np.ascontiguousarray(bgr[region][:, :, 2]), THROUGH_RED_FILTER)
    cleaned = bgr.copy()
    inside = mask[region] > 0
    cleaned[region][inside] = through_filter[inside][:, None]
    return cleaned


def paper_brightness(grey: np.ndarray) -> np.ndarray:
    """The paper's brightness near each pixel (the lightest within a stroke-wide window), so that a
    shadow or a photo's light fall-off is followed."""
    return cv2.dilate(grey, cv2.getStructuringElement(cv2.MORPH_RECT, (PAPER_WINDOW, PAPER_WINDOW)))


def fade_light_overprint(bgr: np.ndarray, watermark_boxes: list[Quad] | None = None) -> np.ndarray:
    """A copy where whatever is much lighter than text (a translucent watermark) turns paper-white; the
    boxes of lines that hold nothing but the watermark's words tell how light its ink is on this page."""
    grey = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    paper = paper_brightness(grey).astype(np.float32)
    faded = bgr.copy()
    faded[grey > watermark_fade_level(grey, paper, watermark_boxes or []) * paper] = 255
    return faded


def watermark_fade_level(grey: np.ndarray, paper: np.ndarray, watermark_boxes: list[Quad]) -> float:
    """The share of the paper's brightness above which a pixel is faded: OVERPRINT_LIGHTER_THAN, or lower
    where the watermark's own ink is darker than that (a dense 仅供…使用 tiling at 35 % ink reads about
    0.76 of the paper), never so low that printed text (under half the paper's brightness) would go."""
    inked = []
    for quad in watermark_boxes:
        x0, y0, x1, y1 = (int(v) for v in quad_to_bbox(quad))
        ratio = grey[max(y0, 0):y1, max(x0, 0):x1] / np.maximum(paper[max(y0, 0):y1, max(x0, 0):x1], 1.0)
        inked.append(ratio[ratio < 0.95])
    values = np.concatenate(inked) if inked else np.empty(0)
    if values.size < WATERMARK_INK_PIXELS:
        return OVERPRINT_LIGHTER_THAN
    return float(np.clip(np.percentile(values, 20) - 0.1, FADE_AT_LEAST, OVERPRINT_LIGHTER_THAN))


def red_ink(bgr: np.ndarray) -> tuple[np.ndarray | None, int]:
    """The page's red pixels on a copy `factor` times smaller per side, or None when there is hardly any."""
    # Red ink is looked for on a quarter-size copy: a seal is 100+ px across at 200 DPI, a written
    # character 40+ px, and the colour conversion and closing cost 16× less there.
    height, width = bgr.shape[:2]
    factor = MASK_DOWNSCALE if min(height, width) >= 400 else 1
    small = cv2.resize(bgr, (width // factor, height // factor), interpolation=cv2.INTER_LINEAR) if factor > 1 else bgr
    red = _red_pixels(small)
    return (None if cv2.countNonZero(red) * factor * factor < 200 else red), factor


def _red_pixels(bgr: np.ndarray) -> np.ndarray:
    """255 where a pixel is red ink (a seal's, a pen's), 0 elsewhere."""
    hsv = cv2.cvtColor(bgr, cv2.COLOR_BGR2HSV)
    return cv2.inRange(hsv, (0, 70, 80), (12, 255, 255)) | cv2.inRange(hsv, (160, 70, 80), (180, 255, 255))


def red_seal_mask(red: np.ndarray, factor: int, shape: tuple[int, int]) -> np.ndarray | None:
    """Filled ellipses over the round red blobs (seals) of the page, or None when there are none."""
    height, width = shape
    short_side = min(height, width)
    # Closing joins a seal's ring and characters into one blob; text lines stay long and thin.
    side = max(3, 15 // factor) | 1
    blobs = cv2.morphologyEx(red, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side)))
    count, _labels, stats, _ = cv2.connectedComponentsWithStats(blobs, connectivity=8)
    seal_mask = np.zeros((height, width), dtype=np.uint8)
    for index in range(1, count):
        x, y, w, h = (int(v) * factor for v in stats[index][:4])
        size = max(w, h)
        if 0.06 * short_side <= size <= 0.45 * short_side and 0.6 <= w / max(h, 1) <= 1.6:
            cv2.ellipse(seal_mask, ((x + w / 2, y + h / 2), (w * 1.1, h * 1.1), 0), 255, -1)
    return seal_mask if seal_mask.any() else None


def red_words_over_text_mask(bgr: np.ndarray, red: np.ndarray, factor: int,
                             seal_mask: np.ndarray | None) -> np.ndarray | None:
    """The strokes of red words lying across the page's black text (what an applicant writes or stamps
    over a copy: 仅供…使用, 复印无效, 此件与原件相符), or None when there are none.

    Red characters are joined into runs along their line; a run is masked when black ink lies inside
    its box, since it crosses the printed text. A red title, a red rule or a screen's red figure stands
    on bare paper or background and is kept.
    """
    height, width = bgr.shape[:2]
    if seal_mask is not None:
        red = red & ~cv2.resize(seal_mask, (red.shape[1], red.shape[0]), interpolation=cv2.INTER_NEAREST)
    step = max(3, 15 // factor)
    runs = cv2.morphologyEx(red, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (3 * step, step)))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(runs, connectivity=8)
    grey = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    words = np.zeros(red.shape, dtype=np.uint8)
    for index in range(1, count):
        x, y, w, h = (int(v) for v in stats[index][:4])
        if max(w, h) * factor < RED_WORD_SIDE * min(height, width):
            continue  # a speck or a thin stroke, not written words
        box = (slice(y * factor, (y + h) * factor), slice(x * factor, (x + w) * factor))
        black = (grey[box] < DARK_INK) & (cv2.dilate(_red_pixels(bgr[box]), np.ones((3, 3), np.uint8)) == 0)
        if black.mean() > RED_OVER_TEXT:
            words[(labels == index) & (red > 0)] = 255
    if not words.any():
        return None
    words = cv2.dilate(words, np.ones((3, 3), np.uint8))  # the strokes' anti-aliased edges too
    return cv2.resize(words, (width, height), interpolation=cv2.INTER_NEAREST) if factor > 1 else words


def quad_size(quad: Quad) -> tuple[float, float]:
    """(length along the text, height across it) of a detected box."""
    width = float(np.linalg.norm(quad[1] - quad[0]))
    height = float(np.linalg.norm(quad[3] - quad[0]))
    return width, height


def vertical_share(quads: list[Quad]) -> float:
    """Share (by length) of the elongated text boxes that stand upright: a page turned 90°."""
    tall = wide = 0.0
    for quad in quads:
        xs, ys = quad[:, 0], quad[:, 1]
        w, h = float(xs.max() - xs.min()), float(ys.max() - ys.min())
        if max(w, h) < 2.5 * max(min(w, h), 1.0):
            continue  # single characters and blobs say nothing about direction
        if h > w:
            tall += h
        else:
            wide += w
    return tall / (tall + wide) if tall + wide else 0.0


def rotate_quarter(bgr: np.ndarray, turns: int) -> np.ndarray:
    """The image turned `turns` × 90° clockwise."""
    code = {1: cv2.ROTATE_90_CLOCKWISE, 2: cv2.ROTATE_180, 3: cv2.ROTATE_90_COUNTERCLOCKWISE}.get(turns % 4)
    return bgr if code is None else cv2.rotate(bgr, code)


def rotate_quads_180(quads: list[Quad], width: int, height: int) -> list[Quad]:
    """Boxes of an image that is then turned 180°, corners re-ordered to start top-left."""
    turned = []
    for quad in quads:
        points = np.stack([width - quad[:, 0], height - quad[:, 1]], axis=1)
        turned.append(points[[2, 3, 0, 1]])
    return turned


def skew_degrees(quads: list[Quad]) -> float:
    """The page's small tilt: the median angle of the long text boxes (positive = clockwise)."""
    angles = []
    for quad in quads:
        width, height = quad_size(quad)
        if width < 4 * max(height, 1.0):
            continue
        dx, dy = quad[1] - quad[0]
        angle = math.degrees(math.atan2(dy, dx))
        if abs(angle) < 15:
            angles.append(angle)
    return float(np.median(angles)) if len(angles) >= 3 else 0.0


def quad_to_bbox(quad: Quad) -> BBox:
    """The axis-aligned box around a quadrilateral, to a tenth of a pixel."""
    xs, ys = quad[:, 0], quad[:, 1]
    return (round(float(xs.min()), 1), round(float(ys.min()), 1), round(float(xs.max()), 1), round(float(ys.max()), 1))


def reading_order(boxes: list[BBox], skew_deg: float = 0.0) -> list[int]:
    """Indices of boxes top to bottom, then left to right within a row, after undoing the skew."""
    if not boxes:
        return []
    theta = math.radians(skew_deg)
    cos, sin, slope = math.cos(theta), math.sin(theta), abs(math.tan(theta))
    centres = []
    for x0, y0, x1, y1 in boxes:
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        # A tilted line's upright box is taller than its text by width·tan(skew).
        height = max(y1 - y0 - (x1 - x0) * slope, 0.3 * (y1 - y0))
        centres.append((cx * cos + cy * sin, -cx * sin + cy * cos, height))
    order = sorted(range(len(boxes)), key=lambda i: centres[i][1])
    rows: list[list[int]] = []
    for index in order:
        _x, y, h = centres[index]
        if rows:
            last = rows[-1]
            row_y = sum(centres[i][1] for i in last) / len(last)
            row_h = max(centres[i][2] for i in last)
            if abs(y - row_y) < 0.5 * min(h, row_h):
                last.append(index)
                continue
        rows.append([index])
    return [i for row in rows for i in sorted(row, key=lambda i: centres[i][0])]


def to_ocr_result(items: list[tuple[BBox, str, float]], skew_deg: float, upright: np.ndarray,
                  turns: int) -> OcrResult:
    """Recognised (box, text, confidence) items on the upright image → an OcrResult in reading order."""
    lines = [TextLine(text=items[i][1], bbox=items[i][0], confidence=round(float(items[i][2]), 4))
             for i in reading_order([box for box, _t, _c in items], skew_deg)]
    height, width = upright.shape[:2]
    return OcrResult(lines, width, height, turns, round(skew_deg, 2))
