"""Intake: a batch folder → applications → files (safe relative path, sha256, type sniffed from bytes)."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from collections.abc import Container, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

JUNK_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}
UTF8_FLAG = 0x800


@dataclass
class IntakeFile:
    """One submitted file, read into memory once."""

    path: str  # relative to the application, '/'-separated
    data: bytes
    kind: str  # jpeg, png, pdf, docx, xlsx, …, or unknown
    sha256: str
    pages: int | None = None
    error: str | None = None


@dataclass
class IntakeApplication:
    """One application entry of a batch (a folder or a zip) with its files."""

    application_id: str
    source: Path
    files: list[IntakeFile] = field(default_factory=list)
    error: str | None = None


def is_junk(path: str) -> bool:
    """OS leftovers that are nobody's submission."""
    parts = PurePosixPath(path).parts
    name = parts[-1] if parts else ""
    return "__MACOSX" in parts or name in JUNK_NAMES or name.startswith("~$") or name.startswith("._")


def zip_entry_name(info: zipfile.ZipInfo) -> str:
    """The entry's real name: UTF-8 when flagged, else the GBK bytes zipfile read as cp437."""
    if info.flag_bits & UTF8_FLAG:
        return info.filename
    raw = info.filename.encode("cp437")
    for encoding in ("gbk", "utf-8"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("gbk", errors="replace")


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
    if head.startswith(bytes.fromhex("d0cf11e0a1b11ae1")):
        return "ole"  # legacy .doc/.xls/.wps
    return "unknown"


def check_file(kind: str, data: bytes) -> tuple[int | None, str | None]:
    """(page count, error in Chinese) after opening the file the way later stages will."""
    if not data:
        return None, "文件为空（0字节）"
    if kind in ("jpeg", "png", "tiff", "bmp", "webp"):
        from PIL import Image

        try:
            with Image.open(io.BytesIO(data)) as img:
                frames = getattr(img, "n_frames", 1)
                if img.format == "JPEG":
                    # Decoded at an eighth of its size: every byte is still read, so a truncated or
                    # damaged file still fails, at a small part of the cost (a batch's photos add up).
                    img.draft(img.mode, (max(1, img.width // 8), max(1, img.height // 8)))
                img.load()
            return frames, None
        except Exception as exc:  # Pillow raises many types for damaged images
            return None, f"图像文件已损坏或不完整，无法读取（{type(exc).__name__}）"
    if kind == "pdf":
        import pypdfium2

        try:
            pdf = pypdfium2.PdfDocument(data)
            try:
                return len(pdf), None
            finally:
                pdf.close()
        except pypdfium2.PdfiumError as exc:
            return None, f"PDF文件无法打开（{exc}）"
    if kind in ("docx", "xlsx"):
        return 1, None
    if kind == "ole":
        return None, "旧版Office文件（.doc/.xls/.wps），请另存为.docx/.xlsx后重新提交"
    return None, "无法识别的文件格式"


def _make_file(path: str, data: bytes, read_cleanly: Container[str]) -> IntakeFile:
    kind = sniff(data)
    sha256 = hashlib.sha256(data).hexdigest()
    # Bytes a reader already read without error passed this check then; the same bytes pass it again.
    pages, error = (None, None) if sha256 in read_cleanly else check_file(kind, data)
    return IntakeFile(path, data, kind, sha256, pages, error)


def _folder_files(root: Path, read_cleanly: Container[str]) -> Iterator[IntakeFile]:
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            full = Path(dirpath) / name
            rel = full.relative_to(root).as_posix()
            if is_junk(rel) or full.is_symlink():
                continue
            yield _make_file(rel, full.read_bytes(), read_cleanly)


def zip_entry_path(info: zipfile.ZipInfo) -> str | None:
    """Where an entry lies in the application: its real name made relative and safe; None for folders
    and junk."""
    name = zip_entry_name(info).replace("\\", "/")
    if info.is_dir() or is_junk(name):
        return None
    return "/".join(p for p in PurePosixPath(name).parts if p not in ("", ".", "..", "/"))


def _zip_files(source: Path, read_cleanly: Container[str]) -> Iterator[IntakeFile]:
    with zipfile.ZipFile(source) as zf:
        for info in sorted(zf.infolist(), key=zip_entry_name):
            path = zip_entry_path(info)
            if path is not None:
                yield _make_file(path, zf.read(info), read_cleanly)


def submitted_file(source: Path, path: str, sha256: str) -> bytes:
    """The bytes of one file of an application as intake found them (a folder's file, or a zip's entry),
    checked against the sha256 stored then; FileNotFoundError (in Chinese) if gone or changed."""
    data: bytes | None = None
    if source.is_dir():
        target = (source / path).resolve()
        if target.is_relative_to(source.resolve()) and target.is_file() and not (source / path).is_symlink():
            data = target.read_bytes()
    elif source.is_file():
        with zipfile.ZipFile(source) as zf:
            entry = next((info for info in zf.infolist() if zip_entry_path(info) == path), None)
            data = zf.read(entry) if entry is not None else None
    if data is None:
        raise FileNotFoundError(f"原始文件已不在批次目录中：{path}")
    if hashlib.sha256(data).hexdigest() != sha256:
        raise FileNotFoundError(f"原始文件在读取后已被改动：{path}")
    return data


def application_entries(batch: Path) -> list[Path]:
    """The batch's application entries (folders and zips), in name order; links and junk left out."""
    return [entry for entry in sorted(batch.iterdir()) if not is_junk(entry.name) and not entry.is_symlink()
            and (entry.is_dir() or entry.suffix.lower() == ".zip")]


def read_batch(batch: Path, read_cleanly: Container[str] = frozenset()) -> Iterator[IntakeApplication]:
    """Every application of a batch, in name order; a broken entry carries its error. Files whose
    sha256 is in `read_cleanly` (read before without error) are not checked again."""
    if not batch.is_dir():
        raise NotADirectoryError(f"批次目录不存在或不是目录：{batch}")
    for entry in application_entries(batch):
        if entry.is_dir():
            yield IntakeApplication(entry.name, entry, list(_folder_files(entry, read_cleanly)))
        else:
            app = IntakeApplication(entry.stem, entry)
            try:
                app.files = list(_zip_files(entry, read_cleanly))
            except zipfile.BadZipFile as exc:
                app.error = f"压缩包无法打开：{entry.name}（{exc}）"
            yield app
