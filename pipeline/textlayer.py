"""PDF text layer: pdfium's characters with their boxes → lines of text on the rendered page image,
and the page's ruled tables → rows of cells (pdfplumber's table finder on pdfium's drawn paths)."""

from __future__ import annotations

import ctypes
import functools
import unicodedata
from dataclasses import dataclass

import pdfplumber.table
import pypdfium2
import pypdfium2.raw as pdfium_c

from extractors.values import join_wrapped
from models.pages import TextLine

# Characters whose tops differ by no more than this (points) share a line, as in pdfplumber.
LINE_TOLERANCE_PT = 3.0
# A ruled table of two rows and two columns has at least this many rules.
MIN_TABLE_EDGES = 6
# pdfplumber's defaults for snapping, joining and intersecting rules (points).
TABLE_TOLERANCE_PT = 3.0
# A drawn path no thicker than this is a rule; a larger one is a rectangle whose sides are rules.
RULE_THICKNESS_PT = 2.0


@dataclass(frozen=True, slots=True)
class PdfChar:
    """One printed character and its box in points, origin at the top-left of the upright page."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float


def text_layer_quality(text: str) -> tuple[int, float]:
    """(meaningful characters, share of junk) of a PDF text layer: junk is what no font maps."""
    meaningful = junk = 0
    for char in text:
        if char.isspace():
            continue
        code = ord(char)
        if char == "\ufffd" or 0xE000 <= code <= 0xF8FF or unicodedata.category(char) in ("Cc", "Co", "Cs"):
            junk += 1
        elif char.isalnum() or unicodedata.category(char).startswith("P"):
            meaningful += 1
    total = meaningful + junk
    return meaningful, (junk / total if total else 0.0)


def text_layer_is_usable(text: str) -> bool:
    """A page's text layer is read instead of OCR when it has real text and little junk."""
    meaningful, junk_share = text_layer_quality(text.replace("(cid:", "\ufffd"))
    return meaningful >= 15 and junk_share < 0.1


def page_to_chars(page: pypdfium2.PdfPage) -> list[PdfChar]:
    """Every non-blank character of the page's text layer with its font-height box, upright and cropped."""
    textpage = page.get_textpage()
    try:
        left, bottom, right, top = page.get_cropbox()
        width, height = right - left, top - bottom
        turns = (page.get_rotation() // 90) % 4
        rect = pdfium_c.FS_RECTF()
        chars = []
        for index in range(textpage.count_chars()):
            code = pdfium_c.FPDFText_GetUnicode(textpage, index)
            if code == 0 or pdfium_c.FPDFText_IsGenerated(textpage, index) == 1:
                continue
            char = chr(code) if code < 0xD800 or code > 0xDFFF else "\ufffd"
            if char.isspace() or not pdfium_c.FPDFText_GetLooseCharBox(textpage, index, ctypes.byref(rect)):
                continue
            # pdfium's boxes are in PDF space (origin bottom-left of the media box); the image is
            # the crop box turned by the page's /Rotate.
            box = _upright((rect.left - left, top - rect.top, rect.right - left, top - rect.bottom),
                           turns, width, height)
            chars.append(PdfChar(char, *box))
        return chars
    finally:
        textpage.close()


def _upright(box: tuple[float, float, float, float], turns: int, width: float,
             height: float) -> tuple[float, float, float, float]:
    """A top-down box on the unrotated page → the same box once the page is turned `turns` × 90° clockwise."""
    x0, y0, x1, y1 = box
    if turns == 1:
        return (height - y1, x0, height - y0, x1)
    if turns == 2:
        return (width - x1, height - y1, width - x0, height - y0)
    if turns == 3:
        return (y0, width - x1, y1, width - x0)
    return box


def chars_to_lines(chars: list[PdfChar], tolerance: float = LINE_TOLERANCE_PT) -> list[list[PdfChar]]:
    """Characters grouped into lines by their tops (chained within `tolerance`), each line left to right."""
    lines: list[list[PdfChar]] = []
    previous_top = None
    for char in sorted(chars, key=lambda c: c.top):
        if previous_top is None or char.top - previous_top > tolerance:
            lines.append([])
        lines[-1].append(char)
        previous_top = char.top
    return [sorted(line, key=lambda c: c.x0) for line in lines]


def lines_to_text_lines(lines: list[list[PdfChar]], scale: float) -> list[TextLine]:
    """Lines of characters (points) → our lines with character boxes (pixels of the rendered page)."""
    result = []
    for line in lines:
        boxes = [(round(c.x0 * scale, 1), round(c.top * scale, 1), round(c.x1 * scale, 1), round(c.bottom * scale, 1))
                 for c in line]
        bbox = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
        result.append(TextLine(text="".join(c.text for c in line), bbox=bbox, confidence=1.0, char_boxes=boxes))
    return result


def page_to_tables(page: pypdfium2.PdfPage, chars: list[PdfChar]) -> list[list[list[str]]]:
    """Each ruled table of the page as rows of cell texts: the page's drawn rules go through
    pdfplumber's table finder (edges → intersections → cells → tables), the cells are filled
    with pdfium's characters."""
    edges = page_to_edges(page)
    if len(edges) < MIN_TABLE_EDGES:
        return []
    edges = pdfplumber.table.merge_edges(edges, TABLE_TOLERANCE_PT, TABLE_TOLERANCE_PT, TABLE_TOLERANCE_PT,
                                         TABLE_TOLERANCE_PT)
    edges = [e for e in edges if e["x1"] - e["x0"] >= TABLE_TOLERANCE_PT or e["bottom"] - e["top"] >= TABLE_TOLERANCE_PT]
    intersections = pdfplumber.table.edges_to_intersections(edges, TABLE_TOLERANCE_PT, TABLE_TOLERANCE_PT)
    tables = []
    for cells in pdfplumber.table.cells_to_tables(pdfplumber.table.intersections_to_cells(intersections)):
        rows = [[cell_text(cell, chars) for cell in row.cells] for row in pdfplumber.table.Table(None, cells).rows]
        if len(rows) >= 2 and any(any(row) for row in rows):
            tables.append(rows)
    return tables


def page_to_edges(page: pypdfium2.PdfPage) -> list[dict]:
    """The page's drawn rules as pdfplumber edges, in points on the upright, cropped page."""
    left, bottom, right, top = page.get_cropbox()
    width, height = right - left, top - bottom
    turns = (page.get_rotation() // 90) % 4
    edges = []
    for path in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=2):
        x0, y0, x1, y1 = path.get_bounds()
        edges += box_to_edges(_upright((x0 - left, top - y1, x1 - left, top - y0), turns, width, height))
    return edges


def box_to_edges(box: tuple[float, float, float, float]) -> list[dict]:
    """A drawn path's box as edges: a thin one is a rule, a larger one a rectangle of four."""
    x0, top, x1, bottom = box
    if bottom - top <= RULE_THICKNESS_PT and x1 - x0 > RULE_THICKNESS_PT:
        middle = (top + bottom) / 2
        return [_edge("h", x0, middle, x1, middle)]
    if x1 - x0 <= RULE_THICKNESS_PT and bottom - top > RULE_THICKNESS_PT:
        middle = (x0 + x1) / 2
        return [_edge("v", middle, top, middle, bottom)]
    if x1 - x0 > RULE_THICKNESS_PT and bottom - top > RULE_THICKNESS_PT:
        return [_edge("h", x0, top, x1, top), _edge("h", x0, bottom, x1, bottom),
                _edge("v", x0, top, x0, bottom), _edge("v", x1, top, x1, bottom)]
    return []


def _edge(orientation: str, x0: float, top: float, x1: float, bottom: float) -> dict:
    return {"orientation": orientation, "x0": x0, "x1": x1, "top": top, "bottom": bottom,
            "width": x1 - x0, "height": bottom - top}


def cell_text(cell: tuple[float, float, float, float] | None, chars: list[PdfChar]) -> str:
    """The characters whose centre lies in the cell, its lines joined (a CJK wrap without a space); merged cells empty."""
    if cell is None:
        return ""
    x0, top, x1, bottom = cell
    inside = [c for c in chars if x0 <= (c.x0 + c.x1) / 2 < x1 and top <= (c.top + c.bottom) / 2 < bottom]
    lines = ("".join(c.text for c in line).strip() for line in chars_to_lines(inside))
    return functools.reduce(join_wrapped, lines, "")
