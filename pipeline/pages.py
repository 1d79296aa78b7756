"""Pages: a file's bytes → the text of each page with boxes (text layer, OCR, DOCX or XLSX structure)."""

from __future__ import annotations

import hashlib
import io
import itertools
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np
import pypdfium2
from PIL import Image, ImageOps

from extractors.values import mask_id_numbers
from models.pages import PageText, TextLine
from pipeline.ink import page_to_ink_map
from pipeline.ocr import OcrEngine, OcrResult, OcrUnavailable, engine_key, engine_label
from pipeline.ocr.preprocess import flatten_sheet, rotate_quarter
from pipeline.problems import Problem, limits, problem
from pipeline.seals import page_to_seal_boxes
from pipeline.textlayer import (
    chars_to_lines,
    lines_to_text_lines,
    page_to_chars,
    page_to_tables,
    text_layer_is_usable,
)

# Pillow's own guard refuses images over 179 megapixels at open; ours (pipeline.problems) is checked
# first and lets a large JPEG through at a reduced size.
Image.MAX_IMAGE_PIXELS = None
RENDER_DPI = 200  # PDF pages are rendered (and their text-layer boxes scaled) at this resolution
IMAGE_KINDS = ("jpeg", "png", "tiff", "bmp", "webp", "heic")
READER_VERSION = "pages-17"  # bump when what a page yields changes, so stored pages are read again
# Seals and the ink map cost a few per cent of a page's OCR each, so they are only made for pages
# whose text asks for them: a declaration, whose seal is its point; a table of people, whose ticks
# OCR may not read (and whose seal must not be taken for one).
ASKS_FOR_SEALS = re.compile(r"声明|承诺|法律责任")
ASKS_FOR_INK = re.compile(r"专职|兼职|职称|学历")


class OcrCache(Protocol):
    """Where OCR results are kept, keyed by page image hash + engine key."""

    def get(self, image_sha256: str, engine_key: str) -> OcrResult | None: ...

    def put(self, image_sha256: str, engine_key: str, result: OcrResult, engine: str) -> None: ...


@dataclass
class FileRead:
    """Every page of one file, or the reason it could not be read."""

    kind: str
    pages: list[PageText] = field(default_factory=list)
    error: str | None = None
    error_code: str | None = None  # pipeline.problems' code for `error`
    seconds: float = 0.0
    ocr_pages: int = 0
    converted_from: str | None = None


class Unreadable(RuntimeError):
    """A file the reader refuses, with its problem (code and message)."""

    def __init__(self, why: Problem) -> None:
        super().__init__(why.message)
        self.problem = why


# ── images ────────────────────────────────────────────────────────────────────────────────

@cache
def register_heif() -> bool:
    """Let Pillow open HEIC photos (pillow-heif); False when it is not installed."""
    try:
        import pillow_heif
    except ImportError:
        return False
    pillow_heif.register_heif_opener()
    return True


def photo_meta(data: bytes, first_frame: Image.Image) -> dict[str, str]:
    """A perceptual hash of the upright first frame and the photo's EXIF times as ISO text: `taken_at` the capture
    time (DateTimeOriginal or DateTimeDigitized; a camera's bare DateTime when no software touched the file),
    else `modified_at` (DateTime) with the `software` that last saved it: an editor's save time is no capture time."""
    import imagehash

    # phash looks at a 32×32 thumbnail: a box-filtered copy of ≤ 512 px keeps it the same at a tenth of the cost.
    factor = max(1, min(first_frame.size) // 512)
    thumbnail = first_frame.reduce(factor) if factor > 1 else first_frame
    meta: dict[str, str] = {"perceptual_hash": str(imagehash.phash(thumbnail))}
    with Image.open(io.BytesIO(data)) as img:  # the header only: EXIF needs no pixel decode
        exif = img.getexif()
        details = exif.get_ifd(0x8769)
        captured = _exif_time(details.get(36867)) or _exif_time(details.get(36868))
        saved = _exif_time(exif.get(306))
        software = exif.get(305)
        software = software.strip("\x00 ") if isinstance(software, str) else ""
        if captured:
            meta["taken_at"] = captured
        elif saved and exif.get(271) and not software:  # a camera that writes DateTime only
            meta["taken_at"] = saved
        elif saved:
            meta["modified_at"] = saved
            if software and software.isprintable() and "?" not in software:
                meta["software"] = software[:60]
    return meta


def _exif_time(raw: object) -> str | None:
    """An EXIF time (2025:07:01 09:12:53) as ISO text."""
    match = re.fullmatch(r"\s*(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2}).*", raw) if isinstance(raw, str) else None
    if not match:
        return None
    year, month, day, hour, minute, second = match.groups()
    return f"{year}-{month}-{day}T{hour}:{minute}:{second}"


def masked(page: PageText) -> PageText:
    """The page with every identity-card number masked in its lines and tables (char boxes kept aligned)."""
    lines = [line.model_copy(update={"text": mask_id_numbers(line.text)}) for line in page.lines]
    tables = [[[mask_id_numbers(cell) for cell in row] for row in table] for table in page.tables]
    return page.model_copy(update={"lines": lines, "tables": tables})


def image_frames(data: bytes) -> Iterator[Image.Image]:
    """Each frame of an image file (TIFFs have several), EXIF orientation applied, as RGB; a JPEG larger
    than the pixel limit decoded at a half, quarter or eighth of its size (memory stays bounded)."""
    register_heif()
    bounds = limits()
    with Image.open(io.BytesIO(data)) as img:
        width, height = img.size
        if img.format == "JPEG" and width * height > bounds.max_image_pixels:
            scale = next((s for s in (2, 4, 8) if (width // s) * (height // s) <= bounds.max_image_pixels), 8)
            img.draft(img.mode, (width // scale, height // scale))
        elif width * height > bounds.max_image_pixels:
            raise Unreadable(problem("image_too_large", width=width, height=height, limit=bounds.max_image_megapixels * 100))
        for index in range(getattr(img, "n_frames", 1)):
            img.seek(index)
            frame = ImageOps.exif_transpose(img.copy())
            yield _to_rgb(frame)


def _to_rgb(img: Image.Image) -> Image.Image:
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        array = np.asarray(img, dtype=np.float64)
        peak = array.max() or 1.0
        img = Image.fromarray((array * (255.0 / peak)).astype(np.uint8))
    if img.mode in ("RGBA", "LA", "P"):
        background = Image.new("RGB", img.size, "white")
        rgba = img.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return img.convert("RGB")


def image_sha256(bgr: np.ndarray) -> str:
    """The hash of a page image's pixels: the OCR cache key."""
    digest = hashlib.sha256(str(bgr.shape).encode())
    digest.update(np.ascontiguousarray(bgr).data)
    return digest.hexdigest()


def pil_to_bgr(img: Image.Image) -> np.ndarray:
    import cv2

    return cv2.cvtColor(np.asarray(img.convert("RGB")), cv2.COLOR_RGB2BGR)


def render_pdf_page(page: pypdfium2.PdfPage, scale: float) -> np.ndarray:
    """A PDF page rendered as a BGR image (pdfium draws BGR itself: no conversion through Pillow)."""
    bitmap = page.render(scale=scale)
    try:
        return np.array(bitmap.to_numpy())  # a copy: the view dies with the bitmap
    finally:
        bitmap.close()


# ── office documents ──────────────────────────────────────────────────────────────────────

def docx_to_page(data: bytes) -> PageText:
    """A DOCX as one page: paragraphs and table rows in document order, tables kept as cells."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(io.BytesIO(data))
    page = PageText(page_no=1, source="docx")
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            if block.text.strip():
                page.lines.append(TextLine(text=block.text.strip()))
        elif isinstance(block, Table):
            rows = []
            for row in block.rows:
                cells = _unique_cells([cell.text.strip() for cell in row.cells])
                rows.append(cells)
                if any(cells):
                    page.lines.append(TextLine(text="\t".join(cells)))
            page.tables.append(rows)
    return page


def _unique_cells(cells: list[str]) -> list[str]:
    """python-docx repeats a merged cell's text in every grid column it spans; keep it once."""
    result: list[str] = []
    for index, text in enumerate(cells):
        # Compared with the cell before as python-docx gave it: a span of three repeats it twice.
        result.append("" if index and text and text == cells[index - 1] else text)
    return result


def xlsx_to_pages(data: bytes, max_rows: int | None = None) -> list[PageText]:
    """Each worksheet as a page: non-empty rows as table rows and as tab-separated lines; Unreadable for
    a sheet longer than the limit (read no further than that)."""
    max_rows = max_rows or limits().max_sheet_rows
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    pages = []
    try:
        for number, sheet in enumerate(workbook.worksheets, start=1):
            page = PageText(page_no=number, source="xlsx", title=sheet.title)
            rows = []
            for index, row in enumerate(sheet.iter_rows(values_only=True)):
                if index >= max_rows:
                    raise Unreadable(problem("sheet_too_large", sheet=sheet.title, limit=max_rows))
                cells = [_cell_text(v) for v in row]
                while cells and not cells[-1]:
                    cells.pop()
                if any(cells):
                    rows.append(cells)
                    page.lines.append(TextLine(text="\t".join(cells)))
            page.tables.append(rows)
            pages.append(page)
    finally:
        workbook.close()
    return pages


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def legacy_office_kind(data: bytes) -> str:
    """'doc' or 'xls' for an OLE compound file, from its stream names (.wps files are Word-like)."""
    if "WordDocument".encode("utf-16-le") in data:
        return "doc"
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return "xls"
    return "doc"


def convert_legacy(data: bytes, timeout: int = 120) -> tuple[str, bytes]:
    """A .doc/.xls/.wps converted by LibreOffice to DOCX/XLSX; RuntimeError with a Chinese message."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise RuntimeError("旧版Office文件（.doc/.xls/.wps）：本机未安装 LibreOffice，无法转换；"
                           "请安装 LibreOffice，或将文件另存为 .docx/.xlsx 后重新提交")
    source_kind = legacy_office_kind(data)
    target = {"doc": "docx", "xls": "xlsx"}[source_kind]
    with tempfile.TemporaryDirectory(prefix="shenhe-lo-") as tmp:
        folder = Path(tmp)
        (folder / f"input.{source_kind}").write_bytes(data)
        try:
            subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{folder}/profile",
                            "--convert-to", target, "--outdir", str(folder), str(folder / f"input.{source_kind}")],
                           capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"LibreOffice 转换超时（{timeout} 秒）") from None
        converted = folder / f"input.{target}"
        if not converted.is_file():
            raise RuntimeError("LibreOffice 无法转换此旧版Office文件，请另存为 .docx/.xlsx 后重新提交")
        return target, converted.read_bytes()


def page_image(kind: str, data: bytes, page: PageText) -> np.ndarray | None:
    """The upright page image a page's boxes are measured on, made again from the file's bytes as the
    reader made it (rendered, flattened, turned); None for Word and Excel pages, which have none."""
    if kind == "pdf":
        pdf = pypdfium2.PdfDocument(data)
        try:
            bgr = render_pdf_page(pdf[page.page_no - 1], (page.dpi or RENDER_DPI) / 72)
        finally:
            pdf.close()
    elif kind in IMAGE_KINDS:
        bgr = pil_to_bgr(next(itertools.islice(image_frames(data), page.page_no - 1, None)))
    else:
        return None
    if page.flattened is not None:
        size = (page.width, page.height) if page.rotation % 2 == 0 else (page.height, page.width)
        bgr = cv2.warpPerspective(bgr, np.array(page.flattened), size, flags=cv2.INTER_LINEAR,
                                  borderMode=cv2.BORDER_REPLICATE)
    return rotate_quarter(bgr, page.rotation) if page.source == "ocr" else bgr


# ── the stage ─────────────────────────────────────────────────────────────────────────────

class PageReader:
    """Stage `pages` + `text`: one file's bytes → its pages' text; errors are returned, not raised."""

    def __init__(self, engine_factory: Callable[[], OcrEngine], cache: OcrCache | None = None,
                 dpi: int = RENDER_DPI) -> None:
        self._engine_factory = engine_factory
        self._engine: OcrEngine | None = None
        self._engine_key = ""
        self.cache = cache
        self.dpi = dpi

    @property
    def engine(self) -> OcrEngine:
        if self._engine is None:
            self._engine = self._engine_factory()
            self._engine_key = engine_key(self._engine)
        return self._engine

    def __call__(self, kind: str, data: bytes) -> FileRead:
        started = time.perf_counter()
        read = FileRead(kind=kind)
        try:
            if kind == "ole":
                read.converted_from = "ole"
                kind, data = convert_legacy(data)
                read.kind = kind
            if kind == "pdf":
                read.pages = list(self._pdf_pages(data, read))
            elif kind in IMAGE_KINDS:
                for number, frame in enumerate(image_frames(data), start=1):
                    page = self._ocr_page(number, pil_to_bgr(frame), read)
                    if number == 1:
                        page.image_meta = photo_meta(data, frame)
                    read.pages.append(page)
            elif kind == "docx":
                read.pages = [docx_to_page(data)]
            elif kind == "xlsx":
                read.pages = xlsx_to_pages(data)
            else:
                raise Unreadable(problem("unknown_format"))
        except Unreadable as exc:
            read.error, read.error_code = exc.problem.message, exc.problem.code
        except OcrUnavailable as exc:
            read.error, read.error_code = str(exc), "ocr_unavailable"
        except RuntimeError as exc:
            read.error, read.error_code = str(exc), "read_failed"
        except Exception as exc:  # a damaged file must not stop the batch
            why = problem("read_failed", detail=f"{type(exc).__name__}：{exc}")
            read.error, read.error_code = why.message, why.code
        read.pages = [masked(page) for page in read.pages]
        read.seconds = time.perf_counter() - started
        return read

    def _pdf_pages(self, data: bytes, read: FileRead) -> Iterator[PageText]:
        scale = self.dpi / 72
        pdf = pypdfium2.PdfDocument(data)
        try:
            for index in range(len(pdf)):
                page = pdf[index]
                chars = page_to_chars(page)
                if text_layer_is_usable("".join(char.text for char in chars)):
                    width, height = page.get_size()  # after the page's /Rotate
                    yield PageText(page_no=index + 1, width=round(width * scale), height=round(height * scale),
                                   dpi=self.dpi, source="text_layer",
                                   lines=lines_to_text_lines(chars_to_lines(chars), scale),
                                   tables=page_to_tables(page, chars))
                else:
                    bgr = render_pdf_page(page, scale)
                    yield self._ocr_page(index + 1, bgr, read, dpi=self.dpi)
        finally:
            pdf.close()

    def _ocr_page(self, number: int, bgr: np.ndarray, read: FileRead, dpi: float | None = None) -> PageText:
        started = time.perf_counter()
        sha = image_sha256(bgr)
        bgr, flattened = flatten_sheet(bgr)
        read_sha = sha if flattened is None else image_sha256(bgr)  # the OCR cache knows the image it read
        engine = self.engine
        result = self.cache.get(read_sha, self._engine_key) if self.cache else None
        if result is None:
            result = engine(bgr)
            read.ocr_pages += 1
            if self.cache:
                self.cache.put(read_sha, self._engine_key, result, engine_label(engine))
        text = "".join(line.text for line in result.lines)
        wants_ink = bool(ASKS_FOR_INK.search(text))
        wants_seals = wants_ink or bool(ASKS_FOR_SEALS.search(text))
        grey = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY) if wants_seals else None  # one conversion for both
        identity_lines = [line.bbox for line in result.lines if line.bbox and mask_id_numbers(line.text) != line.text]
        return PageText(page_no=number, width=result.width, height=result.height, dpi=dpi, source="ocr",
                        engine=engine_label(engine), rotation=result.rotation, skew_deg=result.skew_deg,
                        image_sha256=sha, lines=result.lines,
                        flattened=None if flattened is None else flattened.tolist(),
                        seals=page_to_seal_boxes(grey, result.rotation) if wants_seals else [],
                        ink=page_to_ink_map(grey, result.rotation, identity_lines) if wants_ink else None,
                        seconds=round(time.perf_counter() - started, 3))
