"""Stage `pages` in parallel: one file's bytes read into pages wherever a worker runs (a process of
the local pool, or a Dask worker on another machine), and stored by whoever holds the store."""

from __future__ import annotations

import ctypes
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from pipeline.documents import documents_with_facts
from pipeline.ocr import OcrEngine, OcrResult, engine_key, make_engine
from pipeline.pages import READER_VERSION, FileRead, PageReader
from pipeline.store import Store, page_to_row, row_to_page

__all__ = ["FileToRead", "ReadOutcome", "close_store", "end_with_parent", "engine_for", "read_file", "reader_key",
           "store_for"]


@dataclass(frozen=True)
class FileToRead:
    """A file's bytes and what the store knows it by; `path` only names it in messages."""

    sha256: str
    kind: str
    data: bytes
    path: str
    name: str = ""  # its path within the application, which identification reads; "" leaves that to the flow


@dataclass
class ReadOutcome:
    """A file's pages, and the OCR results the worker made that the store's cache should keep."""

    sha256: str
    path: str
    read: FileRead
    new_ocr: list[tuple[str, str, OcrResult, str]] = field(default_factory=list)
    name: str = ""
    documents: list[dict[str, Any]] | None = None  # pipeline.documents.documents_with_facts, when found


class _LookupCache:
    """The store's OCR cache as a worker uses it: lookups go to the store, new results are collected
    for the writer, so a pool worker never writes to a SQLite file the flow is writing."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.new: list[tuple[str, str, OcrResult, str]] = []

    def get(self, image_sha256: str, engine_key: str) -> OcrResult | None:
        return self.store.get(image_sha256, engine_key)

    def put(self, image_sha256: str, engine_key: str, result: OcrResult, engine: str) -> None:
        self.new.append((image_sha256, engine_key, result, engine))


try:
    _libc: ctypes.CDLL | None = ctypes.CDLL("libc.so.6") if sys.platform.startswith("linux") else None
except OSError:  # not glibc (musl, …): nothing to trim
    _libc = None

# One OCR engine and one store connection per worker process, made on its first file.
_engines: dict[str, OcrEngine] = {}
_stores: dict[str, Store] = {}


def store_for(db_url: str | None) -> Store:
    """This process's connection to the store at `db_url` (opened, and migrated, once)."""
    key = db_url or ""
    if key not in _stores:
        _stores[key] = Store(db_url)
    return _stores[key]


def close_store(db_url: str | None) -> None:
    """Close this process's connection to `db_url` (a SQLite file is then whole, its log merged in)."""
    store = _stores.pop(db_url or "", None)
    if store is not None:
        store.close()


def engine_for(engine_name: str) -> OcrEngine:
    """This process's OCR engine of that name (made once)."""
    if engine_name not in _engines:
        _engines[engine_name] = make_engine(engine_name)
    return _engines[engine_name]


def reader_key(engine: OcrEngine) -> str:
    """What a file's stored pages were read with; a file read with another key is read again."""
    return f"{READER_VERSION}:{engine_key(engine)}"


def read_file(item: FileToRead, engine_name: str, db_url: str | None) -> ReadOutcome:
    """One file read in this process: pages, errors and timings, never an exception."""
    cache = _LookupCache(store_for(db_url))  # a reader per file: a Dask worker may read in several threads
    read = PageReader(lambda: engine_for(engine_name), cache=cache)(item.kind, item.data)
    documents = None
    if item.name and not read.error:
        # The facts are read from the pages as the store will give them back, so a file whose documents
        # the flow finds again later (after a kill) gets the very same facts.
        stored = [row_to_page(page_to_row(item.sha256, page)) for page in read.pages]
        documents = documents_with_facts(item.name, item.kind, stored)
    _return_freed_memory()
    return ReadOutcome(item.sha256, item.path, read, cache.new, item.name, documents)


def end_with_parent(parent_pid: int) -> None:
    """A pool worker's initializer: the worker ends when the process that started it is gone (killed
    with -9, its pool never shut down), instead of waiting forever, holding its memory."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="end-with-parent", daemon=True).start()


def _return_freed_memory() -> None:
    """Hand the heap a file's page images left free back to the system (glibc keeps it otherwise):
    measured on 111 files of scanned applications, a worker's RSS after each file stayed at ~290 MB
    with this and climbed to ~650 MB without."""
    if _libc is not None:
        _libc.malloc_trim(0)


def save_outcome(store: Store, key: str, outcome: ReadOutcome) -> dict[str, Any]:
    """Keep what a worker read (its new OCR results first, then the pages); what the run counts of it."""
    for image_sha256, engine, result, label in outcome.new_ocr:
        store.put(image_sha256, engine, result, label)
    read = outcome.read
    store.save_pages(outcome.sha256, key, read.pages, read.error, read.seconds, read.ocr_pages, read.converted_from,
                     read.error_code)
    return {"path": outcome.path, "pages": len(read.pages), "ocr_pages": read.ocr_pages, "error": read.error,
            "sha256": outcome.sha256, "name": outcome.name, "documents": outcome.documents}
