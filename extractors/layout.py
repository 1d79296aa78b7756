"""Pages → pieces → rows → labelled fields: the shared way to find a label and its value.

A *piece* is a run of text with one box: an OCR box, or a stretch of a text-layer line
between wide gaps (pdfplumber joins table cells without spaces). A *row* is the pieces
that share a baseline, left to right. A label may be spaced out (名　　称) or split over
two pieces; its value follows on the same row, in the next piece, or on the row below.
"""

from __future__ import annotations

import difflib
import functools
import itertools
import math
import re
import statistics
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from extractors.values import clean, compact, is_stamp_scrap, join_wrapped, without_overprint
from models.pages import BBox, PageText, TextLine, page_box_to_source
from models.results import Evidence

__all__ = ["Piece", "Row", "Field", "Passage", "DocumentText", "TableRow", "page_to_pieces", "pieces_to_rows", "find_field",
           "iter_fields",
           "rows_below", "rows_to_table", "table_cells", "cell_field", "boxed_tables", "two_line_header", "label_pattern"]


@dataclass(frozen=True)
class Piece:
    """A run of text with one box on the upright page."""

    text: str
    bbox: BBox | None
    confidence: float
    page: PageText

    @property
    def height(self) -> float:
        return self.bbox[3] - self.bbox[1] if self.bbox else 0.0

    @property
    def middle(self) -> float:
        """Half-way down the box."""
        return (self.bbox[1] + self.bbox[3]) / 2

    @property
    def centre(self) -> float:
        """Half-way across the box."""
        return (self.bbox[0] + self.bbox[2]) / 2

    def x_at(self, index: int) -> float:
        """Where the `index`-th character starts, estimated from the box."""
        if not self.bbox or not self.text:
            return 0.0
        return self.bbox[0] + (self.bbox[2] - self.bbox[0]) * index / len(self.text)


@dataclass
class Row:
    """Pieces on one baseline, left to right; `text` joins them with one space."""

    pieces: list[Piece]
    text: str = ""
    starts: list[int] = field(default_factory=list)  # offset of each piece in `text`

    def __post_init__(self) -> None:
        self.pieces.sort(key=lambda p: p.bbox[0] if p.bbox else 0.0)
        offset, parts = 0, []
        for piece in self.pieces:
            self.starts.append(offset)
            parts.append(piece.text)
            offset += len(piece.text) + 1
        self.text = " ".join(parts)

    @property
    def page(self) -> PageText:
        return self.pieces[0].page

    @property
    def top(self) -> float:
        return min((p.bbox[1] for p in self.pieces if p.bbox), default=0.0)

    @property
    def bottom(self) -> float:
        return max((p.bbox[3] for p in self.pieces if p.bbox), default=0.0)

    @property
    def line_height(self) -> float:
        heights = sorted(p.height for p in self.pieces if p.bbox)
        return heights[len(heights) // 2] if heights else 0.0

    def pieces_between(self, start: int, end: int) -> list[Piece]:
        """The pieces that hold characters start..end of `text`."""
        return [p for p, s in zip(self.pieces, self.starts, strict=True) if s < end and s + len(p.text) > start]

    def x_of(self, offset: int) -> float:
        """The x position of character `offset` of `text`."""
        for piece, start in zip(self.pieces, self.starts, strict=True):
            if start <= offset <= start + len(piece.text):
                return piece.x_at(offset - start)
        return self.pieces[-1].bbox[2] if self.pieces[-1].bbox else 0.0


@dataclass
class Field:
    """A value found after a label, with the pieces it was read from."""

    label: str
    value: str
    pieces: list[Piece]
    rows: list[Row]

    @classmethod
    def of_row(cls, row: Row, value: str | None = None) -> Field:
        """A whole row as the field (a screenshot's name line, a table row)."""
        return cls("", row.text if value is None else value, row.pieces, [row])

    @property
    def confidence(self) -> float:
        return min((p.confidence for p in self.pieces), default=0.0)

    def evidence(self, path: str, text: str | None = None) -> Evidence:
        """Where the field was read: the page and the box around label and value on the stored image."""
        page = self.pieces[0].page
        boxes = [p.bbox for p in self.pieces if p.bbox]
        bbox = None
        if boxes:
            upright = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
            bbox = [round(v, 1) for v in page_box_to_source(page, upright)]
        shown = text if text is not None else f"{self.label} {self.value}".strip()
        return Evidence(path=path, page=page.page_no, bbox=bbox, text=shown)


@dataclass
class DocumentText:
    """The pages of one document (a page range of a file) and where it came from."""

    path: str
    doc_type: str
    pages: list[PageText]

    @cached_property
    def rows(self) -> list[Row]:
        return [row for page in self.pages for row in pieces_to_rows(page_to_pieces(page))]

    @property
    def text(self) -> str:
        return "\n".join(page.text for page in self.pages)

    def page_evidence(self) -> Evidence:
        """The document's first page, no box: for values read from cells or metadata."""
        return Evidence(path=self.path, page=self.pages[0].page_no if self.pages else 1)


# ---------------------------------------------------------------- pages → pieces → rows

def line_to_pieces(line: TextLine, page: PageText) -> list[Piece]:
    """A text-layer line cut where its characters leave a gap wider than one character."""
    text = clean(line.text) if not line.char_boxes else line.text
    if not line.char_boxes or len(line.char_boxes) != len(line.text):
        return [Piece(text, line.bbox, line.confidence, page)] if text else []
    pieces, start = [], 0
    boxes = line.char_boxes
    for index in range(1, len(boxes) + 1):
        at_end = index == len(boxes)
        if not at_end:
            gap = boxes[index][0] - boxes[index - 1][2]
            char_height = max(boxes[index - 1][3] - boxes[index - 1][1], 1.0)
            if gap <= 0.9 * char_height:
                continue
        chunk = line.text[start:index].strip()
        if chunk:
            span = boxes[start:index]
            bbox = (min(b[0] for b in span), min(b[1] for b in span), max(b[2] for b in span), max(b[3] for b in span))
            pieces.append(Piece(clean(chunk), bbox, line.confidence, page))
        start = index
    return pieces


def page_to_pieces(page: PageText) -> list[Piece]:
    """Every piece of a page, in the page's reading order; scraps of a copy stamp left out."""
    pieces: list[Piece] = []
    for line in page.lines:
        if line.bbox is None:  # DOCX/XLSX: each line is a row of its own, cells split by tabs
            pieces += [Piece(clean(cell), None, line.confidence, page) for cell in line.text.split("\t")]
            pieces.append(Piece("\n", None, 1.0, page))
        elif not is_stamp_scrap(line.text):
            pieces += line_to_pieces(line, page)
    return pieces


# Pieces this many heights apart or less, at about the same height, are neighbours on a row; so many
# pairs, agreeing within SLOPE_AGREEMENT, are needed before their tilt (at least MIN_SLOPE) is believed.
NEIGHBOUR_GAP, MIN_SLOPES, SLOPE_AGREEMENT, MIN_SLOPE = 8.0, 5, 0.015, 0.01


def pieces_to_rows(pieces: Sequence[Piece]) -> list[Row]:
    """Pieces grouped by baseline: a piece joins a row when their vertical centres are within half a line."""
    rows: list[Row] = []
    pending: list[Piece] = []
    unplaced: list[Piece] = []
    for piece in pieces:
        if piece.bbox is None:  # structured text: rows come from the document itself
            if piece.text == "\n":
                if pending:
                    rows.append(Row(pending))
                pending = []
            elif piece.text:
                pending.append(piece)
            continue
        unplaced.append(piece)
    if pending:
        rows.append(Row(pending))
    if not unplaced:
        return rows
    heights = sorted(p.height for p in unplaced)
    typical = heights[len(heights) // 2]
    # Diagonal watermarks (复印无效, 仅供申报使用) come out as short, very tall boxes: not text of the page.
    unplaced = [p for p in unplaced if not (p.height > 2.5 * typical and len(p.text) <= 8 and p.height > 0.6 * (p.bbox[2] - p.bbox[0]))]
    # On a tilted page a row drifts down (clockwise) as it goes right: compare heights along the tilt.
    # OCR measures the tilt on long lines; a page of short cells (a balance sheet) shows it side by side.
    page = unplaced[0].page if unplaced else None
    measured = page is None or page.skew_deg or page.source != "ocr"
    slope = math.tan(math.radians(page.skew_deg if page else 0.0)) if measured else pieces_to_slope(unplaced)

    def level(piece: Piece) -> float:
        return piece.middle - slope * piece.centre

    placed: list[list[Piece]] = []
    for piece in sorted(unplaced, key=level):
        centre = level(piece)
        for group in reversed(placed[-3:]):
            group_centre = sum(level(p) for p in group) / len(group)
            tolerance = 0.5 * max(min(piece.height, max(p.height for p in group)), 1.0)
            slack = 0.5 * min(piece.height, max(p.height for p in group))
            overlaps = any(p.bbox[0] < piece.bbox[2] - slack and piece.bbox[0] < p.bbox[2] - slack for p in group)
            if abs(centre - group_centre) <= tolerance and not overlaps:
                group.append(piece)
                break
        else:
            placed.append([piece])
    return rows + [Row(group) for group in placed]


def pieces_to_slope(pieces: Sequence[Piece]) -> float:
    """The tilt (dy/dx) of a page from each piece and its nearest neighbour on the right, at about its height."""
    slopes = []
    for piece in pieces:
        height = max(piece.height, 1.0)
        beside = [other for other in pieces if other is not piece
                  and -0.1 * height <= other.bbox[0] - piece.bbox[2] <= NEIGHBOUR_GAP * height
                  and abs(other.middle - piece.middle) <= 0.8 * height]
        if beside:
            neighbour = min(beside, key=lambda other: other.bbox[0])
            run = neighbour.centre - piece.centre
            if run > 0:  # degenerate boxes (zero width, one inside another) give no tilt
                slopes.append((neighbour.middle - piece.middle) / run)
    if len(slopes) < MIN_SLOPES:
        return 0.0
    slope = statistics.median(slopes)
    agreeing = sum(1 for s in slopes if abs(s - slope) <= SLOPE_AGREEMENT) / len(slopes)
    # Believed only when most pairs agree (a form's multi-line cells give scattered pairs) and it is a real tilt.
    return slope if agreeing >= 0.6 and abs(slope) >= MIN_SLOPE else 0.0


# ---------------------------------------------------------------- labels and values

SEPARATORS = " :：;；·•"  # what stands between a label and its value (a stray dot included)


# A piece's start that differs from a label this long by a character or two is read as that label.
MISREAD_LABEL_MIN, MISREAD_LABEL_RATIO = 5, 0.75


def trim_value(text: str) -> str:
    """A value without the separators before it, nor an overprint's words run into it;
    a trailing ；stays (a wrapped list goes on below)."""
    return without_overprint(text).lstrip(SEPARATORS).rstrip(" :：")


def label_pattern(label: str) -> str:
    """A regex for a label whose characters may be spaced out (名　　称) or split over pieces."""
    return r"\s*".join(re.escape(char) for char in label)


def _first_label(text: str, labels: Iterable[str], start: int = 0) -> re.Match[str] | None:
    """The earliest (then longest) label in `text`; a label written "^称" only counts at a piece's start."""
    best = None
    for label in labels:
        anchored = label.startswith("^")  # only at the start of a piece (pieces are joined by spaces)
        pattern = ("(?:^|(?<= ))" + label_pattern(label[1:])) if anchored else label_pattern(label)
        match = re.compile(pattern).search(text, start)
        if match and (best is None or match.start() < best.start() or
                      match.start() == best.start() and match.end() > best.end()):
            best = match
    return best


def _first_stop(text: str, stops: Iterable[str], start: int = 0) -> re.Match[str] | None:
    """The earliest stop label in `text` from `start` that begins a field: at the start of the text or
    of a piece, before a colon, or long enough (four characters) not to be part of a name
    (电话 inside 某某电话科技有限公司 is no label; 法定代表人 after a name is one)."""
    best = None
    for label in stops:
        bare = label.lstrip("^")
        pattern = _label_regex(bare)
        for match in pattern.finditer(text, start):
            if best is not None and (match.start(), -match.end()) >= (best.start(), -best.end()):
                break
            at_piece = match.start() == start or text[match.start() - 1] == " "
            before_colon = text[match.end():match.end() + 2].lstrip(" ")[:1] in (":", "：")
            if at_piece or before_colon or (len(bare) >= 4 and not label.startswith("^")):
                best = match
                break
    return best


@functools.lru_cache(maxsize=4096)
def _label_regex(label: str) -> re.Pattern[str]:
    return re.compile(label_pattern(label))


def find_field(rows: Sequence[Row], labels: Sequence[str], stop_labels: Sequence[str] = (),
               multiline: bool = False, max_rows_below: int = 1, accept=None) -> Field | None:
    """The value after the first of `labels` (same row, else the row below), ending at a stop label.

    `accept(value) -> bool` rejects a candidate (e.g. a date field whose text holds no date)
    so the search goes on; `multiline` gathers the continuation lines of addresses and scopes.
    """
    return next((found for found in iter_fields(rows, labels, stop_labels, multiline, max_rows_below)
                 if accept is None or accept(found.value)), None)


def iter_fields(rows: Sequence[Row], labels: Sequence[str], stop_labels: Sequence[str] = (),
                multiline: bool = False, max_rows_below: int = 1) -> Iterator[Field]:
    """Every candidate value after one of `labels`, in reading order (exact labels first, then
    misread ones), each ending at a stop label: candidates compete, a validator picks."""
    stops = [s for s in stop_labels if s not in labels]
    exact = ((index, row, _first_label(row.text, labels)) for index, row in enumerate(rows))
    misread = ((index, row, _misread_label(row, labels)) for index, row in enumerate(rows))  # only when no exact one does
    for row_index, row, match in itertools.chain(exact, misread):
        if not match:
            continue
        value_start = match.end()
        while value_start < len(row.text) and row.text[value_start] in SEPARATORS:
            value_start += 1
        stop = _first_stop(row.text, stops, value_start) if stops else None
        value_end = stop.start() if stop else len(row.text)
        value = trim_value(row.text[value_start:value_end])
        label_pieces = row.pieces_between(match.start(), match.end())
        pieces = label_pieces + [p for p in row.pieces_between(value_start, value_end) if p not in label_pieces]
        used_rows = [row]
        if not value:
            beside = _value_beside(rows, row, label_pieces, stops + list(labels))
            below = beside or _value_below(rows, row_index, row.x_of(match.start()), stops, labels, max_rows_below,
                                           match.start())
            if below is None:
                continue
            value, more, below_row = below
            pieces += more
            used_rows.append(below_row)
        if multiline and row.pieces[0].bbox is not None:
            column_right = _column_right(row, value_start, value_end) if len(used_rows) == 1 else None
            if column_right is not None:
                value_end = column_right[0]
                value = trim_value(row.text[value_start:value_end])
                pieces = label_pieces + [p for p in row.pieces_between(value_start, value_end) if p not in label_pieces]
            # The value's pieces follow the label's in `pieces` (two pieces may be equal: same text, same box).
            left = min((p.bbox[0] for p in pieces[len(label_pieces):] if p.bbox), default=row.x_of(value_start))
            right = column_right[1] if column_right is not None else \
                row.x_of(value_end) if stop else max(p.bbox[2] for p in pieces + row.pieces if p.bbox)
            label_left = min((p.bbox[0] for p in label_pieces if p.bbox), default=left)
            value, more, more_rows = _continuation(rows, rows.index(used_rows[-1]), value, left, right,
                                                   stops + list(labels), label_left, used_rows)
            before, earlier, earlier_rows = _lines_above(rows, row_index, left, right, stops + list(labels), used_rows)
            value = before + value
            pieces += earlier + more
            used_rows = earlier_rows + used_rows + more_rows
        yield Field(match.group(0), value, pieces, used_rows)


def _column_right(row: Row, value_start: int, value_end: int) -> tuple[int, float] | None:
    """(end offset, right edge) of a wrapped value's first line that stops at a gap of over three line heights
    between its pieces: the next column begins there (经营范围 人力资源服务;…;劳务派遣 ‖ 年09月19日, the 营业期限
    beside it wrapping), and its continuation lines end there too."""
    height = row.line_height
    placed = [(p, s) for p, s in zip(row.pieces, row.starts, strict=True)
              if p.bbox and s + len(p.text) > value_start and s < value_end]
    for (before, _start), (after, start) in itertools.pairwise(placed):
        if height and after.bbox[0] - before.bbox[2] > 3 * height and start > value_start:
            return start, before.bbox[2] + height
    return None


def _starts_with_label(piece: Piece, labels: Sequence[str]) -> bool:
    match = _first_label(piece.text, labels)
    return match is not None and match.start() < 2


def _misread_label(row: Row, labels: Iterable[str]) -> re.Match[str] | None:
    """The start of a piece that is a long label with a character or two misread or lost
    (宗音和务范围, 宗和务范围 for 宗旨和业务范围), alone or run into its value."""
    long_labels = [label.lstrip("^") for label in labels if len(label.lstrip("^")) >= MISREAD_LABEL_MIN]
    for piece, start in zip(row.pieces, row.starts, strict=True):
        for label in long_labels:
            for length in range(len(label) - 2, len(label) + 2):
                head = piece.text[:length]
                if len(head) == length and difflib.SequenceMatcher(None, head, label).ratio() >= MISREAD_LABEL_RATIO:
                    return re.compile(re.escape(head)).match(row.text, start)
    return None


def _value_beside(rows: Sequence[Row], row: Row, label_pieces: list[Piece],
                  labels: Sequence[str]) -> tuple[str, list[Piece], Row] | None:
    """The nearest piece right of a label on the same visual line, though grouped into another row."""
    boxes = [p.bbox for p in label_pieces if p.bbox]
    if not boxes:
        return None
    top, bottom, right = min(b[1] for b in boxes), max(b[3] for b in boxes), max(b[2] for b in boxes)
    height = bottom - top
    best = None
    for other in rows:
        if other is row or other.page is not row.page or other.bottom < top - height or other.top > bottom + height:
            continue
        for piece in other.pieces:
            if not piece.bbox or piece.bbox[0] < right - 1.0 * height or piece.bbox[0] > right + 6 * height:
                continue
            overlap = min(bottom, piece.bbox[3]) - max(top, piece.bbox[1])
            if overlap < 0.5 * min(height, piece.height):
                continue
            starts_with_label = _first_label(piece.text, labels)
            if starts_with_label is not None and starts_with_label.start() == 0:
                continue
            if best is None or piece.bbox[0] < best[0].bbox[0]:
                best = (piece, other)
    if best is None:
        return None
    piece, other = best
    stop = _first_label(piece.text, labels)
    text = piece.text[:stop.start()] if stop else piece.text
    return (trim_value(text), [piece], other) if trim_value(text) else None


def _lines_above(rows: Sequence[Row], row_index: int, left: float, right: float,
                 labels: Sequence[str], skip: Sequence[Row] = ()) -> tuple[str, list[Piece], list[Row]]:
    """Lines of a value printed above its label (a label centred on a three-line scope)."""
    row = rows[row_index]
    height = max(row.line_height, 1.0)
    text, pieces, used = "", [], []
    below = row
    for above in reversed(rows[max(0, row_index - 2):row_index]):
        if any(above is other for other in skip):
            break  # the value itself, found beside the label
        if above.page is not row.page or above.pieces[0].bbox is None or below.top - above.bottom > 0.2 * height:
            break
        chosen = [p for p in above.pieces if p.bbox[0] >= left - 0.5 * height and p.bbox[0] < right - height]
        if not chosen or len(chosen) != len([p for p in above.pieces if p.bbox[2] > left - height]):
            break
        if any(_first_label(p.text, labels) for p in above.pieces):
            break
        text = "".join(p.text for p in chosen) + text
        pieces = chosen + pieces
        used.insert(0, above)
        below = above
    return text, pieces, used


def _cell_index(row: Row, offset: int) -> int | None:
    """Which of a row's pieces holds character `offset` of its text."""
    return next((i for i, (piece, start) in enumerate(zip(row.pieces, row.starts, strict=True))
                 if start <= offset < start + len(piece.text)), None)


def _value_below(rows: Sequence[Row], row_index: int, label_x: float, stops: Sequence[str],
                 labels: Sequence[str], max_rows: int, label_offset: int = 0) -> tuple[str, list[Piece], Row] | None:
    """The text under a label standing alone on its row (landscape 统一社会信用代码), or under a label
    that heads its column in a Word or Excel table."""
    row = rows[row_index]
    for below in rows[row_index + 1: row_index + 1 + max_rows]:
        if below.page is not row.page:
            return None
        if below.pieces[0].bbox is not None and below.top - row.bottom > 2.5 * max(row.line_height, 1.0):
            return None
        if _first_label(below.text, labels):
            return None
        if below.pieces[0].bbox is None:
            # A Word or Excel table: under a row of labels, the cell in the label's own column.
            column = _cell_index(row, label_offset)
            if column is not None and len(below.pieces) == len(row.pieces) > 1:
                cell = below.pieces[column]
                return (trim_value(cell.text), [cell], below) if trim_value(cell.text) else None
            text = below.text
            return (trim_value(text), below.pieces, below) if text.strip() else None
        chosen = [p for p in below.pieces if p.bbox[2] > label_x - row.line_height]
        text = " ".join(p.text for p in chosen)
        stop = _first_stop(text, stops) if stops else None
        if stop:
            text = text[:stop.start()]
        if trim_value(text):
            return trim_value(text), chosen, below
    return None


def _continuation(rows: Sequence[Row], row_index: int, value: str, left: float, right: float,
                  labels: Sequence[str], label_left: float, skip: Sequence[Row] = ()) -> tuple[str, list[Piece], list[Row]]:
    """Lines under a value that carry it on: aligned with it, close below, with no label of their own
    and none under the value's label (a form's next field, whose value would run on in the same column)."""
    row = rows[row_index]
    if row.pieces[0].bbox is None:
        return value, [], []
    pieces: list[Piece] = []
    used: list[Row] = []
    previous = row
    height = max(row.line_height, 1.0)
    skipped = False
    for below in rows[row_index + 1: row_index + 4]:
        if any(below is other for other in skip):
            continue  # the label's own row, grouped just under a value that sits a little higher
        if below.page is not row.page or below.pieces[0].bbox is None:
            break
        if below.top - previous.bottom > 1.0 * height:
            break
        chosen = [p for p in below.pieces if p.bbox[0] >= left - 1.5 * height and p.bbox[0] < right - height]
        under_label = [p for p in below.pieces if abs(p.bbox[0] - label_left) < 1.5 * height and p not in chosen]
        # A line that opens with a label in the value's label column (法定代表人 of a portrait licence,
        # right-aligned with 住所 but reaching further left) starts the next field; a label of
        # another column further left (经营范围 beside a landscape licence's address) does not.
        in_label_column = [p for p in below.pieces if p.bbox[0] < left - 1.5 * height and p.bbox[2] > label_left]
        if any(_starts_with_label(p, labels) for p in chosen + under_label + in_label_column[:1]):
            break
        if not chosen:
            skipped = True  # only another column's wrapped text, grouped as a row of its own
            continue
        if skipped and abs(chosen[0].bbox[0] - left) > 0.5 * height:
            break  # past a skipped row only a line starting where the value starts carries it on (not 登记机关)
        value += "".join(p.text for p in chosen)
        pieces += chosen
        used.append(below)
        previous = below
    return value, pieces, used


# ---------------------------------------------------------------- prose and tables

@dataclass
class Passage:
    """Rows joined into running text (prose wraps lines anywhere), remembering which row each character came from."""

    rows: list[Row]
    text: str = ""
    offsets: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        parts = []
        offset = 0
        for row in self.rows:
            self.offsets.append(offset)
            piece_text = row.text if row.pieces[0].bbox is not None else row.text + "\n"
            parts.append(piece_text)
            offset += len(piece_text)
        self.text = "".join(parts)

    def field(self, start: int, end: int, label: str = "", value: str | None = None) -> Field:
        """The rows holding characters start..end as a Field (for its evidence box)."""
        rows, pieces = [], []
        for row, row_start in zip(self.rows, self.offsets, strict=True):
            row_end = row_start + len(row.text)
            if row_start < end and row_end > start:
                rows.append(row)
                pieces += row.pieces_between(max(start - row_start, 0), min(end - row_start, len(row.text)))
        shown = value if value is not None else self.text[start:end]
        return Field(label, shown, pieces or self.rows[0].pieces, rows)


def rows_below(rows: Sequence[Row], header: Row) -> list[Row]:
    """The rows of the header's page that lie under it: each piece's middle at least half a line lower
    than the header piece nearest above it (a photographed table slants, so a row can reach above
    the header's bottom at one end)."""
    anchors = [p for p in header.pieces if p.bbox]
    if not anchors:
        return []

    def under(piece: Piece) -> bool:
        anchor = min(anchors, key=lambda a: abs(a.centre - piece.centre))
        return piece.middle > anchor.middle + anchor.height / 2

    return [r for r in rows if r.page is header.page and r is not header
            and all(under(p) for p in r.pieces if p.bbox) and any(p.bbox for p in r.pieces)]


@dataclass
class TableRow:
    """A table row rebuilt from boxes: its cells and the printed line it starts on."""

    cells: list[str]
    row: Row
    lefts: list[float] = field(default_factory=list)  # where each column starts on this row (columns drift)


def table_cells(doc: DocumentText, labels: Sequence[str], is_label: Callable[[str], bool] = lambda _text: False,
                boxed: Sequence[tuple[PageText, list[list[str]]]] = ()) -> Iterator[tuple[str, Field]]:
    """(text, field) of the cells next to a table cell holding one of the labels (DOCX, XLSX and PDF tables,
    and `boxed` ones rebuilt from a scan's boxes): the one to its right, then the one under it (a table
    whose first row holds the labels); a cell that is itself a label (`is_label`) is no value."""
    folded = [compact(label.lstrip("^")) for label in labels]
    # The label alone, or with its unit (建筑面积（㎡）): not a sentence that mentions it.
    label_cell = re.compile("(?:" + "|".join(map(re.escape, folded)) + r")[:：]?(?:[（(].{0,12})?")
    tables = [(page, table) for page in doc.pages for table in page.tables] + list(boxed)
    for page, table in tables:
        for r, cells in enumerate(table):
            for c, cell in enumerate(cells):
                text = compact(cell)
                if not text or not label_cell.fullmatch(text):
                    continue
                beside = next((x for x in cells[c + 1:] if compact(x)), "")
                below = table[r + 1][c] if r + 1 < len(table) and c < len(table[r + 1]) else ""
                for value in (beside, below):
                    if compact(value) and compact(value) not in folded and not is_label(value):
                        found = cell_field(doc, page, value)
                        if found is not None:
                            yield value, found


def cell_field(doc: DocumentText, page: PageText, value: str) -> Field | None:
    """A table cell's text as a field on the printed line it lies on (for its box); a wrapped cell by its first words."""
    lines = [row for row in doc.rows if row.page is page]
    row = next((row for row in lines if compact(value) in compact(row.text)), None) or \
        next((row for row in lines if compact(value)[:6] in compact(row.text)), None)
    return Field.of_row(row, value) if row is not None else None


def boxed_tables(doc: DocumentText, labels: Sequence[str], stop: Callable[[Row], bool] | None = None
                 ) -> list[tuple[PageText, list[list[str]]]]:
    """Tables rebuilt from boxes (scans, photos, PDFs whose table lines pdfplumber misses): every row holding
    two or more of `labels` as cells of their own is a header, the rows under it its cells."""
    folded = {compact(label) for label in labels}
    found = []
    for row in doc.rows:
        if row.pieces and row.pieces[0].bbox is not None and \
                sum(1 for p in row.pieces if any(compact(p.text).startswith(label) for label in folded)) >= 2:
            table = [[clean(c) for c in line.cells] for line in rows_to_table(doc.rows, row, stop=stop)]
            found.append((row.page, _wrapped_rows_joined(table)))
    return found


def _wrapped_rows_joined(table: list[list[str]]) -> list[list[str]]:
    """A table's rows with each wrapped line joined to the row it continues: a line filling at most half
    as many cells as the row above (an address and a date running on under their cells)."""
    joined = table[:1]
    for cells in table[1:]:
        filled = sum(1 for c in cells if c)
        above = sum(1 for c in joined[-1] if c)
        if len(joined) > 1 and 0 < filled <= above / 2:
            joined[-1] = [join_wrapped(a, b) if b else a for a, b in zip(joined[-1], cells, strict=True)]
        else:
            joined.append(cells)
    return joined


def two_line_header(upper: Row, lower: Row) -> Row:
    """A header printed on two lines (基本情况 over 姓名 | 性别; 专业技术职称 spanning both) as one row: the
    lower line's cells, and the upper line's cells that stand over none of them (the spanning ones);
    a group cell over several lower cells gives way to them."""
    def overlaps(a: Piece, b: Piece) -> bool:
        return a.bbox is not None and b.bbox is not None and a.bbox[0] < b.bbox[2] and b.bbox[0] < a.bbox[2]

    spanning = [p for p in upper.pieces if p.bbox and not any(overlaps(p, q) for q in lower.pieces)]
    lower_pieces = []
    for q in lower.pieces:
        over = [p for p in upper.pieces if overlaps(p, q)]
        # One heading wrapped in its own cell (专业技术职 over 称): the two lines are one label.
        if len(compact(q.text)) <= 2 and len(over) == 1 and [r for r in lower.pieces if overlaps(over[0], r)] == [q]:
            top = over[0]
            box = (min(top.bbox[0], q.bbox[0]), min(top.bbox[1], q.bbox[1]), max(top.bbox[2], q.bbox[2]),
                   max(top.bbox[3], q.bbox[3]))
            q = Piece(top.text + q.text, box, min(top.confidence, q.confidence), q.page)
        lower_pieces.append(q)
    return Row([*lower_pieces, *spanning])


def rows_to_table(rows: Sequence[Row], header: Row, stop: Callable[[Row], bool] | None = None) -> list[TableRow]:
    """The header and the rows under it, split into the header's columns by where each piece lies
    (OCR and text-layer tables); a line that only continues wrapped cells joins the row above.
    On a photographed page the columns drift sideways down the table, so each row is split where
    the row above found its columns."""
    anchors = [p for p in header.pieces if p.bbox]
    if not anchors:
        return []
    lefts = [p.bbox[0] for p in anchors]
    shifts = [0.0] * len(anchors)
    # Where each column's cells start against its header cell, on the first row that fills it: a centred
    # heading over left-aligned cells is a constant offset, not a drift.
    aligned: dict[int, float] = {}
    table = [TableRow([p.text for p in anchors], header, lefts)]
    last_line, last_cells = header, table[0].cells
    for row in rows_below(rows, header):
        if stop and stop(row):
            break
        cells = [""] * len(anchors)
        row_lefts = [left + shift for left, shift in zip(lefts, shifts, strict=True)]
        placed: list[tuple[int, Piece]] = []
        for piece in row.pieces:
            if not piece.bbox:
                continue
            column = _column_of(piece, anchors, lefts, shifts)
            cells[column] = (cells[column] + " " + piece.text).strip()
            placed.append((column, piece))
        if len(table) > 1 and _tall_row_opened_above(table[-1], cells, placed):
            # The line above held only a tall cell's first line; this row's other cells sit centred beside it.
            table[-1].cells = [join_wrapped(above, below) if below else above
                               for above, below in zip(table[-1].cells, cells, strict=True)]
        elif _continues_row_above(cells) or len(table) > 1 and _wraps_line_above(last_line, row, cells, last_cells):
            table[-1].cells = [join_wrapped(above, below) for above, below in zip(table[-1].cells, cells, strict=True)]
            last_line, last_cells = row, cells
            continue  # a wrapped cell's fragments sit centred in their cells: no guide to how the columns drift
        else:
            table.append(TableRow(cells, row, row_lefts))
        last_line, last_cells = row, cells
        for column, piece in placed:
            aligned.setdefault(column, piece.bbox[0] - lefts[column] - shifts[column])
        shifts = _column_drift(placed, lefts, aligned) or shifts
    return table


def _column_drift(placed: Sequence[tuple[int, Piece]], lefts: Sequence[float],
                  aligned: dict[int, float] | None = None) -> list[float] | None:
    """How far each column has moved right since the first row that filled it (`aligned`: where its cells start
    against its heading): a straight line through where this row's cells start against their header cells (a
    photo's perspective stretches the table); None when the row gives too little to go by or its cells do not line up."""
    if len(placed) < 3 or len({column for column, _piece in placed}) < 3:
        return None
    starts = [lefts[column] for column, _piece in placed]
    moved = [piece.bbox[0] - lefts[column] - (aligned or {}).get(column, 0.0) for column, piece in placed]
    slope, offset = statistics.linear_regression(starts, moved)
    widths = [right - left for left, right in itertools.pairwise(lefts)]
    misfit = max(abs(m - (offset + slope * x)) for x, m in zip(starts, moved, strict=True))
    if widths and misfit > 0.25 * statistics.median(widths):
        return None  # centred or wrapped cells: no straight line fits
    return [offset + slope * left for left in lefts]


def _tall_row_opened_above(above: TableRow, cells: list[str], placed: Sequence[tuple[int, Piece]]) -> bool:
    """The row above is a tall cell's first line alone (few cells filled) and this row fills its empty cells with
    text centred beside both lines: their tops lie above the bottom of the line above."""
    filled_above = [bool(cell) for cell in above.cells]
    if not 0 < sum(filled_above) <= len(cells) / 2:
        return False
    beside = [piece for column, piece in placed if not filled_above[column]]
    bottoms = [p.bbox[3] for p in above.row.pieces if p.bbox]
    return bool(beside) and bool(bottoms) and all(piece.bbox[1] < max(bottoms) for piece in beside)


def _wraps_line_above(above: Row, row: Row, cells: list[str], above_cells: list[str]) -> bool:
    """A line printed closer to the one above than table rows ever are (over a third of a line's height into it:
    a cell's wrapped second line, 园25层11室 under 山西省…产业), filling clearly fewer cells than that line and not
    opening with a row number: the rows of a dense table's scan overlap too, each about as full as the last."""
    height = max(above.line_height, 1.0)
    filled, filled_above = sum(1 for c in cells if c), sum(1 for c in above_cells if c)
    numbered = bool(re.fullmatch(r"\d{1,3}", compact(cells[0]))) if cells else False  # a new row's 序号
    return 0 < filled <= 0.7 * filled_above and not numbered and above.bottom - row.top > height / 3


def _continues_row_above(cells: list[str]) -> bool:
    """A wrapped cell's second line: nothing in the first column and few cells filled, or nothing in the first two
    (序号 and 姓名, 项目 and 内容: a row's key cells) however many long cells wrapped."""
    filled = sum(1 for cell in cells if cell)
    return not cells[0] and (0 < filled < len(cells) / 2 or len(cells) >= 4 and not cells[1] and filled > 0)


def _column_of(piece: Piece, anchors: Sequence[Piece], lefts: Sequence[float],
               shifts: Sequence[float] | None = None) -> int:
    """The header column a piece belongs to, the header moved right by `shifts`: the one it overlaps
    most, else the nearest."""
    moves = shifts or [0.0] * len(anchors)
    bbox = piece.bbox
    # A piece that starts where a heading starts is that column's, however far it runs on (two cells OCR read as
    # one line: the left one's text first).
    starting = [i for i, anchor in enumerate(anchors) if abs(bbox[0] - (anchor.bbox[0] + moves[i])) <= 0.5 * anchor.height]
    if len(starting) == 1:
        return starting[0]
    best, best_overlap = 0, -1.0
    for index, anchor in enumerate(anchors):
        move = moves[index]
        right = lefts[index + 1] + moves[index + 1] if index + 1 < len(lefts) else float("inf")
        # A value wider than its heading reaches left of it when centred under it, not when it only runs on
        # into this column (two cells OCR read as one line: the left one's text first).
        width = bbox[2] - bbox[0]
        centred = abs(piece.centre - (anchor.centre + move)) <= 0.25 * width + anchor.height
        span_left = (min(anchor.bbox[0], anchor.centre - width / 2) if centred else anchor.bbox[0]) + move
        overlap = min(bbox[2], max(right, anchor.bbox[2] + move)) - max(bbox[0], span_left)
        if overlap > best_overlap:
            best, best_overlap = index, overlap
    if best_overlap > 0:
        return best
    return min(range(len(anchors)), key=lambda i: abs(anchors[i].centre + moves[i] - piece.centre))
