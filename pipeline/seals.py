"""Round seals on a page image, red or photocopied grey: boxes on the upright page."""

from __future__ import annotations

import cv2
import numpy as np

from models.pages import BBox, bbox_to_source

__all__ = ["page_to_seal_boxes", "ring_coverage"]

DOWNSCALE = 4  # circles are sought on a quarter-size copy: a seal is 100+ px across at 200 DPI
INK_BELOW = 200  # grey level under which a pixel is ink (a photocopied seal's ring is mid-grey)
ANGLES = 180
# A seal's ring is inked all round; a circle laid over lines of text crosses the gaps between them
# (measured on the 56 degraded seed-1 fixture declarations: rings 0.93–1.00, circles over plain text
# 0.70–0.82; over a dense watermark up to 0.92, but those have ink beyond them too).
RING_COVERED = 0.9
SMALL_RING_COVERED = 0.65  # the first, loose test on the quarter-size copy, where text runs together
MAX_CANDIDATES = 24  # the best-inked circles of the small copy; a page has a few seals at most
STRAIGHT = 25  # small-copy px: a run of ink this long is a ruled line (a seal's ring curves away sooner)
SOLID = 9  # small-copy px: a square of ink this wide is a dark area, not strokes
OUTSIDE_COVERED = 0.4  # beyond the ring is paper, or a line of text: a dark area is no seal


def _ring_hits(ink: np.ndarray, circles: np.ndarray, band: int) -> np.ndarray:
    """Whether ink lies at each (circle, radial offset in -band..band px, direction)."""
    angles = np.linspace(0, 2 * np.pi, ANGLES, endpoint=False)
    offsets = np.arange(-band, band + 1)
    radii = circles[:, 2, None, None] + offsets[None, :, None]
    xs = np.clip(np.rint(circles[:, 0, None, None] + radii * np.cos(angles)), 0, ink.shape[1] - 1).astype(np.intp)
    ys = np.clip(np.rint(circles[:, 1, None, None] + radii * np.sin(angles)), 0, ink.shape[0] - 1).astype(np.intp)
    return ink[ys, xs]


def ring_coverage(ink: np.ndarray, circles: np.ndarray, band: int = 2) -> np.ndarray:
    """For each circle (x, y, radius): the share of directions from its centre in which it meets ink (± band px)."""
    return _ring_hits(ink, circles, band).any(axis=1).mean(axis=1)


def _best_rings(ink: np.ndarray, circles: np.ndarray, step: float, band: int) -> tuple[np.ndarray, np.ndarray]:
    """For each circle, the best-inked circle within `step` px and 4 % of its radius, and its coverage."""
    shifts = np.array([(dx, dy, scale) for dx in (-step, 0, step) for dy in (-step, 0, step)
                       for scale in (0.96, 1.0, 1.04)])
    near = np.stack([circles[:, None, 0] + shifts[:, 0], circles[:, None, 1] + shifts[:, 1],
                     circles[:, None, 2] * shifts[:, 2]], axis=2).reshape(-1, 3)  # circle × shift → (x, y, r)
    hits = _ring_hits(ink, near, band)
    coverage = hits.any(axis=1).mean(axis=1)
    # Coverage saturates at 1 over a band of circles; the share of inked samples peaks on the ring itself.
    best = (coverage + hits.mean(axis=(1, 2))).reshape(len(circles), len(shifts)).argmax(axis=1)
    chosen = np.arange(len(circles)) * len(shifts) + best
    return near[chosen], coverage[chosen]


def page_to_seal_boxes(image: np.ndarray, turns: int = 0) -> list[BBox]:
    """Boxes of the round seals on the page, on the image turned `turns` quarter turns clockwise (as OCR did)."""
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    height, width = grey.shape
    factor = DOWNSCALE if min(height, width) >= 400 else 1
    small = cv2.resize(grey, (width // factor, height // factor), interpolation=cv2.INTER_AREA)
    small_ink = small < INK_BELOW
    short_side = min(small.shape)
    # Circles are sought in the ink alone (a light watermark's letters would otherwise offer hundreds),
    # without ruled lines or solid dark areas (a table's grid, the desk around a photographed page):
    # their edges cost most of the search and hold no seal.
    inked = small_ink.astype(np.uint8) * 255
    straight = np.zeros_like(inked)
    for kernel in ((STRAIGHT, 1), (1, STRAIGHT), (SOLID, SOLID)):
        straight |= cv2.morphologyEx(inked, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, kernel))
    inked = cv2.GaussianBlur(cv2.subtract(inked, straight), (5, 5), 0)
    circles = cv2.HoughCircles(inked, cv2.HOUGH_GRADIENT, dp=1, minDist=short_side * 0.05, param1=120, param2=18,
                               minRadius=int(short_side * 0.05), maxRadius=int(short_side * 0.13))
    if circles is None:
        return []
    # The circles best inked on the small copy are checked at full size, where the strokes of text under
    # a circle no longer run together. Hough's centres and radii are a few pixels off on a faint or
    # uneven ring, so the best circle nearby is sought, coarse to fine.
    circles = circles[0].astype(np.float64)
    coverage = ring_coverage(small_ink, circles, band=4)
    best_first = np.argsort(-coverage, kind="stable")[:MAX_CANDIDATES]
    candidates = circles[best_first[coverage[best_first] >= SMALL_RING_COVERED]] * factor
    if not len(candidates):
        return []
    ink = grey < INK_BELOW
    for step in (2 * factor, 2 * factor, factor, factor // 2):
        candidates, coverage = _best_rings(ink, candidates, step, 3)
    outside = ring_coverage(ink, candidates * (1, 1, 1.3), 3)
    found: list[np.ndarray] = []
    for circle in candidates[(coverage >= RING_COVERED) & (outside <= OUTSIDE_COVERED)]:
        if all(np.hypot(*(circle[:2] - other[:2])) >= max(circle[2], other[2]) for other in found):
            found.append(circle)  # else the same seal found twice
    # Turning the page `turns` quarter turns clockwise undoes 4 − turns of them: the mapping a stored
    # page's boxes go back to its file's image by.
    return [tuple(round(v, 1) for v in bbox_to_source((x - r, y - r, x + r, y + r), -turns % 4, width, height))
            for x, y, r in found]  # type: ignore[misc]
