"""Intake: a batch folder → applications → files (safe relative path, sha256, type sniffed from bytes)."""

from __future__ import annotations

import hashlib
import io
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Container, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from pipeline.problems import Limits, Problem, limits, problem

JUNK_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}
UTF8_FLAG = 0x800


@dataclass
class IntakeFile:
    """One submitted file, read into memory once (or not at all, when it must not be)."""

    path: str  # relative to the application, '/'-separated; a zip inside it adds its own name: 附件.zip/执照.jpg
    data: bytes
    kind: str  # jpeg, png, pdf, docx, xlsx, …, or unknown
    sha256: str
    pages: int | None = None
    error: str | None = None
    error_code: str | None = None  # pipeline.problems' code for `error`


@dataclass
class IntakeApplication:
    """One application entry of a batch (a folder or a zip) with its files."""

    application_id: str
    source: Path
    files: list[IntakeFile] = field(default_factory=list)
    error: str | None = None
    error_code: str | None = None


def is_junk(path: str) -> bool:
    """OS and office leftovers that are nobody's submission: Finder and Explorer files, Office owner files
    (~$报告.docx), Word's save-time temporaries (~WRL0001.tmp, ~WRD0000.tmp), LibreOffice locks (.~lock.报告.docx#)."""
    parts = PurePosixPath(path).parts
    name = parts[-1] if parts else ""
    office_leftover = (name.startswith("~") and name.lower().endswith(".tmp")) or name.startswith(".~lock.")
    return ("__MACOSX" in parts or name in JUNK_NAMES or name.startswith("~$") or name.startswith("._")
            or office_leftover)


def zip_entry_name(info: zipfile.ZipInfo) -> str:
    """The entry's real name: UTF-8 when flagged, else the GBK bytes zipfile read as cp437."""
    if info.flag_bits & UTF8_FLAG:
        return info.filename
    return decoded_name(info.filename.encode("cp437"), ("gbk", "utf-8"))


def sniff(data: bytes) -> str:
    """The file's type from its first bytes, never from its name."""
    head = data[:16]
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG"):
        return "png"
    if head.startswith(b"%PDF") or b"%PDF" in data[:1024]:
        return "pdf"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    if head.startswith(b"BM"):
        return "bmp"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"heim"):
        return "heic"
    if head.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            return "unknown"
        if any(n.startswith("word/") for n in names):
            return "docx"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
        return "zip"
    if head.startswith((b"MZ", b"\x7fELF")):
        return "exe"  # a Windows or Linux program
    if head.startswith(bytes.fromhex("d0cf11e0a1b11ae1")):
        return "ole"  # legacy .doc/.xls/.wps
    return "unknown"


def check_file(kind: str, data: bytes, bounds: Limits | None = None) -> tuple[int | None, Problem | None]:
    """(page count, problem) after opening the file the way later stages will, within the limits."""
    bounds = bounds or limits()
    if not data:
        return None, problem("empty_file")
    if kind == "exe":
        return None, problem("executable")
    if kind in ("jpeg", "png", "tiff", "bmp", "webp"):
        return _check_image(data, bounds)
    if kind == "pdf":
        return _check_pdf(data, bounds)
    if kind == "xlsx":
        return _check_sheets(data, bounds)
    if kind == "docx":
        return 1, None
    if kind == "ole":
        return None, problem("legacy_office")
    return None, problem("unknown_format")


def _check_image(data: bytes, bounds: Limits) -> tuple[int | None, Problem | None]:
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = None  # our limits, below, are checked before anything is decoded

    try:
        with Image.open(io.BytesIO(data)) as img:
            frames = getattr(img, "n_frames", 1)
            width, height = img.size
            allowed = bounds.max_image_pixels * (bounds.max_jpeg_reduction ** 2 if img.format == "JPEG" else 1)
            if width * height > allowed:
                return None, problem("image_too_large", width=width, height=height,
                                     limit=allowed // 10_000)
            if frames > bounds.max_pages:
                return None, problem("too_many_pages", pages=frames, limit=bounds.max_pages)
            if img.format == "JPEG":
                # Decoded at an eighth of its size: every byte is still read, so a truncated or
                # damaged file still fails, at a small part of the cost (a batch's photos add up).
                img.draft(img.mode, (max(1, width // 8), max(1, height // 8)))
            img.load()
        return frames, None
    except Image.DecompressionBombError:
        return None, problem("image_too_large", width="?", height="?", limit=bounds.max_image_megapixels * 100)
    except Exception as exc:  # Pillow raises many types for damaged images
        return None, problem("image_damaged", detail=type(exc).__name__)


def _check_pdf(data: bytes, bounds: Limits) -> tuple[int | None, Problem | None]:
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        return None, problem("pdf_encrypted") if "password" in str(exc).lower() else problem("pdf_damaged", detail=exc)
    try:
        pages = len(pdf)
    finally:
        pdf.close()
    if pages > bounds.max_pages:
        return None, problem("too_many_pages", pages=pages, limit=bounds.max_pages)
    return pages, None


def _check_sheets(data: bytes, bounds: Limits) -> tuple[int | None, Problem | None]:
    """Each worksheet's own stated size (its dimension), which costs nothing to read; the reader
    counts the rows it meets as well, for a workbook that understates them."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    except Exception as exc:  # a damaged workbook: many types
        return None, problem("read_failed", detail=f"Excel文件无法打开（{type(exc).__name__}）")
    try:
        for sheet in book.worksheets:
            if (sheet.max_row or 0) > bounds.max_sheet_rows:
                return None, problem("sheet_too_large", sheet=sheet.title, limit=bounds.max_sheet_rows)
        return len(book.worksheets), None
    finally:
        book.close()


class _Unpacker:
    """One application's files: its folder walked, its zips (and zips inside them) opened, each file
    within the limits; each path made unique in the application."""

    def __init__(self, bounds: Limits, read_cleanly: Container[str]) -> None:
        self.bounds = bounds
        self.read_cleanly = read_cleanly
        self.unpacked = 0  # bytes taken out of zips so far
        self.paths: set[str] = set()

    def file(self, path: str, data: bytes, depth: int) -> Iterator[IntakeFile]:
        """A file as found: a zip is opened (its files listed under its path), anything else checked."""
        kind = sniff(data)
        if kind == "zip":
            if depth >= self.bounds.max_zip_depth:
                yield self.refused(path, problem("zip_too_deep", limit=self.bounds.max_zip_depth))
                return
            try:
                with zipfile.ZipFile(io.BytesIO(data)) as archive:
                    yield from self.zip_entries(archive, path + "/", depth + 1)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError) as exc:
                yield self.refused(path, problem("zip_damaged", detail=exc))
            return
        sha256 = hashlib.sha256(data).hexdigest()
        # Bytes a reader already read without error passed this check then; the same bytes pass it again.
        pages, found = (None, None) if sha256 in self.read_cleanly else check_file(kind, data, self.bounds)
        yield IntakeFile(self.unique(path), data, kind, sha256, pages, found.message if found else None,
                         found.code if found else None)

    def refused(self, path: str, why: Problem) -> IntakeFile:
        """A file listed with its problem and not read (its bytes are not kept)."""
        return IntakeFile(self.unique(path), b"", "unknown", EMPTY_SHA256, None, why.message, why.code)

    def unique(self, path: str) -> str:
        """The path, or the path with （2）, （3）… before its suffix when the application has it already."""
        candidate, n = path, 1
        while candidate in self.paths:
            n += 1
            stem, dot, suffix = path.rpartition(".")
            candidate = f"{stem}（{n}）.{suffix}" if dot and "/" not in suffix else f"{path}（{n}）"
        self.paths.add(candidate)
        return candidate

    def folder(self, root: Path) -> Iterator[IntakeFile]:
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            dirnames.sort()
            here = Path(dirpath)
            for name in sorted(filenames) + [d for d in dirnames if (here / d).is_symlink()]:
                full = here / name
                rel = readable_name(os.fsencode(full.relative_to(root).as_posix()))
                if is_junk(rel):
                    continue
                if full.is_symlink():
                    yield self.refused(rel, problem("symlink"))
                    continue
                size = full.stat().st_size
                if size > self.bounds.max_file_bytes:
                    yield self.refused(rel, problem("file_too_large", size=size >> 20, limit=self.bounds.max_file_mb))
                    continue
                yield from self.file(rel, full.read_bytes(), depth=0)

    def zip_entries(self, archive: zipfile.ZipFile, prefix: str, depth: int) -> Iterator[IntakeFile]:
        for info in sorted(archive.infolist(), key=zip_entry_name):
            raw = zip_entry_name(info).replace("\\", "/")
            path = zip_entry_path(info)
            if path is None:
                continue
            if _unsafe(raw):
                yield self.refused(prefix + path, problem("unsafe_path"))
                continue
            data_or_problem = self.entry_bytes(archive, info)
            if isinstance(data_or_problem, Problem):
                yield self.refused(prefix + path, data_or_problem)
            else:
                yield from self.file(prefix + path, data_or_problem, depth)

    def entry_bytes(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | Problem:
        """An entry's bytes, read no further than the limits allow (its stated sizes may lie)."""
        bounds = self.bounds
        bomb = problem("zip_bomb", limit=bounds.max_zip_ratio, size_limit=bounds.max_file_mb)
        if info.file_size > bounds.max_file_bytes or (
                info.file_size > 1 << 20 and info.file_size > bounds.max_zip_ratio * max(info.compress_size, 1)):
            return bomb
        room = (bounds.max_application_mb << 20) - self.unpacked
        if info.file_size > room:
            return problem("zip_too_large", limit=bounds.max_application_mb)
        cap = min(bounds.max_file_bytes, room)
        try:
            with archive.open(info) as entry:
                data = entry.read(cap + 1)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError) as exc:
            return problem("zip_damaged", detail=exc)
        if len(data) > cap:
            return bomb if cap == bounds.max_file_bytes else problem("zip_too_large", limit=bounds.max_application_mb)
        self.unpacked += len(data)
        return data


EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
_DRIVE = re.compile(r"^[A-Za-z]:")


def _unsafe(name: str) -> bool:
    """A zip entry name that points outside where it is unpacked: ../, an absolute path, a drive letter."""
    return name.startswith("/") or bool(_DRIVE.match(name)) or ".." in PurePosixPath(name).parts


def readable_name(raw: bytes) -> str:
    """A file name's bytes from the file system as text: UTF-8, else GBK (names from Chinese Windows)."""
    return decoded_name(raw, ("utf-8", "gbk"))


def decoded_name(raw: bytes, encodings: tuple[str, ...]) -> str:
    """A name's bytes in the first of `encodings` they fit, else in the first with U+FFFD for what does not."""
    for encoding in encodings:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode(encodings[0], errors="replace")


def zip_entry_path(info: zipfile.ZipInfo) -> str | None:
    """Where an entry lies in the application: its real name made relative and safe; None for folders
    and junk."""
    name = zip_entry_name(info).replace("\\", "/")
    if info.is_dir() or is_junk(name):
        return None
    # A root part may be "/" or "//" (POSIX keeps a leading double slash): every such part goes.
    return "/".join(p for p in PurePosixPath(name).parts if p.strip("/") not in ("", ".", "..")) or "（无名文件）"


class TruncatedZip(zipfile.BadZipFile):
    """A zip cut off before its end (an upload broken off): the members before the cut were recovered."""

    def __init__(self, recovered: int) -> None:
        super().__init__(f"recovered {recovered} members")
        self.recovered = recovered


def application_files(source: Path, read_cleanly: Container[str] = frozenset(),
                      bounds: Limits | None = None) -> Iterator[IntakeFile]:
    """An application's files, from its folder or its zip; zipfile.BadZipFile for a zip that cannot be opened,
    TruncatedZip after the members recovered from a zip cut off before its end."""
    bounds = bounds or limits()
    unpacker = _Unpacker(bounds, read_cleanly)
    if source.is_dir():
        yield from unpacker.folder(source)
        return
    try:
        archive = zipfile.ZipFile(source)
    except zipfile.BadZipFile:
        data = source.read_bytes()
        recovered = members_before_the_cut(data, bounds)
        if recovered is None:
            if data.startswith(LOCAL_SIGNATURE):
                raise TruncatedZip(0) from None  # a zip's beginning, cut before its first member ended
            raise
        with recovered:
            yield from unpacker.zip_entries(recovered, "", depth=1)
            count = len(recovered.infolist())
        raise TruncatedZip(count) from None
    with archive:
        yield from unpacker.zip_entries(archive, "", depth=1)


LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")  # PKZIP's local file header, before the name and the extra field
LOCAL_SIGNATURE = b"PK\x03\x04"


def members_before_the_cut(data: bytes, bounds: Limits) -> zipfile.ZipFile | None:
    """The whole members of a zip whose end (the central directory) is missing, read from their local
    headers, as a zip of their own; None when not one member is whole. Each member is unpacked no further
    than a file may be (a bomb stays refused), and a member whose data the cut reached is left out."""
    out = io.BytesIO()
    kept = 0
    with zipfile.ZipFile(out, "w") as rebuilt:
        at = data.find(LOCAL_SIGNATURE)
        while at >= 0 and at + LOCAL_HEADER.size <= len(data):
            (_sig, _version, flags, method, _time, _date, crc, packed, size,
             name_length, extra_length) = LOCAL_HEADER.unpack_from(data, at)
            start = at + LOCAL_HEADER.size + name_length + extra_length
            unpacked, end = _member_data(data, start, method, flags, packed, bounds.max_file_bytes)
            raw_name = data[at + LOCAL_HEADER.size: at + LOCAL_HEADER.size + name_length]
            if unpacked is not None and flags & 0x8:  # sizes and CRC in a descriptor after the data
                descriptor = end + 4 if data[end:end + 4] == b"PK\x07\x08" else end
                crc, size = (struct.unpack_from("<I", data, descriptor)[0] if descriptor + 4 <= len(data) else None,
                             len(unpacked))
            if unpacked is not None and zlib.crc32(unpacked) == crc and len(unpacked) == size:
                name = raw_name.decode("utf-8", "replace") if flags & UTF8_FLAG else decoded_name(raw_name, ("gbk", "utf-8"))
                if not name.endswith("/"):
                    rebuilt.writestr(zipfile.ZipInfo(name), unpacked, compress_type=zipfile.ZIP_STORED)
                    kept += 1
            at = data.find(LOCAL_SIGNATURE, max(end, at + 4))
    if not kept:
        return None
    out.seek(0)
    return zipfile.ZipFile(out)


def _member_data(data: bytes, start: int, method: int, flags: int, packed: int, cap: int) -> tuple[bytes | None, int]:
    """A member's unpacked bytes (None when cut off, encrypted, too large or packed some other way) and where
    its data ends."""
    if flags & 0x1 or method not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None, start
    if method == zipfile.ZIP_STORED:
        if flags & 0x8 or start + packed > len(data):
            return None, start  # its length is only in the descriptor after it, or the cut reached it
        return (data[start:start + packed] if packed <= cap else None), start + packed
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        unpacked = inflater.decompress(data[start:], cap + 1)
    except zlib.error:
        return None, start
    end = len(data) - len(inflater.unused_data)
    if not inflater.eof or len(unpacked) > cap:
        return None, end  # the stream was cut short, or unpacks past a file's limit
    return unpacked, end


def submitted_file(source: Path, path: str, sha256: str) -> bytes:
    """The bytes of one file of an application as intake found them (in its folder, its zip, or a zip
    inside either), checked against the sha256 stored then; FileNotFoundError (in Chinese) if gone or changed."""
    data = None
    if source.is_dir() or source.is_file():
        try:
            for submitted in application_files(source):
                if submitted.path == path and submitted.sha256 == sha256:
                    data = submitted.data
                    break
        except zipfile.BadZipFile:  # a truncated zip's recovered members were looked through first
            pass
    if data is None:
        raise FileNotFoundError(f"原始文件已不在批次目录中，或读取后已被改动：{path}")
    return data


UNIT_ASSIGNMENT = "推荐单位.csv"  # beside the applications: 申请编号,推荐单位 — the batch's own assignment


def unit_assignment(batch: Path) -> dict[str, str]:
    """The recommending unit of each application the batch's own 推荐单位.csv names (UTF-8 or GBK; a
    header row is skipped); empty when there is no such file."""
    import csv

    path = batch / UNIT_ASSIGNMENT
    if not path.is_file() or path.is_symlink():
        return {}
    text = readable_name(path.read_bytes()[: 4 << 20]).lstrip("\ufeff")
    assigned = {}
    for row in csv.reader(text.splitlines()):
        if len(row) >= 2 and row[0].strip() and row[1].strip() and row[0].strip() != "申请编号":
            assigned[row[0].strip()] = row[1].strip()
    return assigned


def application_entries(batch: Path) -> list[Path]:
    """The batch's application entries (folders, zips, and links, which are refused), in name order."""
    return [entry for entry in sorted(batch.iterdir()) if not is_junk(entry.name)
            and (entry.is_symlink() or entry.is_dir() or entry.suffix.lower() == ".zip")]


def read_batch(batch: Path, read_cleanly: Container[str] = frozenset()) -> Iterator[IntakeApplication]:
    """Every application of a batch, in name order; a broken or refused entry carries its problem. Files
    whose sha256 is in `read_cleanly` (read before without error) are not checked again."""
    if not batch.is_dir():
        raise NotADirectoryError(f"批次目录不存在或不是目录：{batch}")
    bounds = limits()
    for entry in application_entries(batch):
        application_id = entry.name if entry.is_dir() or entry.is_symlink() else entry.stem
        app = IntakeApplication(application_id, entry)
        if entry.is_symlink():
            why = problem("symlink")
            app.error, app.error_code = why.message, why.code
            yield app
            continue
        try:
            for submitted in application_files(entry, read_cleanly, bounds):
                app.files.append(submitted)
        except TruncatedZip as cut:
            why = (problem("zip_truncated", name=entry.name, recovered=cut.recovered) if cut.recovered
                   else problem("zip_cut_off", name=entry.name))
            app.error, app.error_code = why.message, why.code
        except zipfile.BadZipFile as exc:
            why = problem("zip_damaged", detail=f"{entry.name}（{_zip_error(exc)}）")
            app.error, app.error_code = why.message, why.code
        yield app


def _zip_error(exc: zipfile.BadZipFile) -> str:
    """What zipfile says of a zip it cannot open, in Chinese where it is one of its usual words."""
    said = str(exc)
    return {"File is not a zip file": "不是zip格式或文件为空"}.get(said, said)
