"""A batch through the stages: intake → pages (text layer | OCR) → identify → facts → store → results records."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extractors import EXTRACT_VERSION, DocumentText, extract
from models.pages import PageText
from models.results import ApplicationResult, DocumentResult
from models.rules import RuleSet
from pipeline.facts import merge_extractions
from pipeline.identify import Identifier
from pipeline.intake import IntakeApplication, IntakeFile, read_batch
from pipeline.ocr import OcrEngine, engine_key, engine_label
from pipeline.pages import READER_VERSION, PageReader
from pipeline.store import Store
from pipeline.verdicts import batch_flags, judge

IDENTIFY_VERSION = "identify-2"


@dataclass
class RunCounts:
    """What a run did, for the closing line and the `runs` table."""

    applications: int = 0
    files: int = 0
    files_read: int = 0
    files_reused: int = 0
    file_errors: int = 0
    documents: int = 0
    pages: int = 0
    ocr_pages: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "errors"} | {"errors": self.errors[:200]}


Listener = Callable[[str, dict[str, Any]], None]


class BatchProcessor:
    """Reads every application of a batch into the store and returns their results records."""

    def __init__(self, store: Store, ruleset: RuleSet, as_of: str, engine: OcrEngine,
                 listener: Listener | None = None) -> None:
        self.store = store
        self.ruleset = ruleset
        self.as_of = as_of
        self.engine = engine
        self.reader = PageReader(lambda: self.engine, cache=store)
        self.reader_key = f"{READER_VERSION}:{engine_key(self.engine)}"
        self.identify = Identifier()
        self.listener = listener or (lambda _event, _data: None)

    def __call__(self, batch: Path) -> tuple[list[dict[str, Any]], RunCounts]:
        """Every application read, stored and judged; its results records (results.jsonl lines) and counts."""
        started = time.perf_counter()
        run = self.store.start_run(str(batch.resolve()), self.ruleset.label, self.as_of, engine_label(self.engine))
        counts = RunCounts()
        records, stored_as = [], []
        for intake in read_batch(batch):
            application_pk, record = self._application(run, intake, counts)
            records.append(record)
            stored_as.append(application_pk)
            counts.applications += 1
            self.listener("application", {"application_id": intake.application_id})
        # A photo or a person in two applications shows only once the whole batch is read.
        shared = batch_flags(records)
        for application_pk, record in zip(stored_as, records, strict=True):
            if record["application_id"] in shared:
                record["flags"] = record["flags"] + shared[record["application_id"]]
                self.store.save_result(application_pk, run.id, record)
        counts.seconds = round(time.perf_counter() - started, 2)
        self.store.finish_run(run.id, counts.as_dict())
        return records, counts

    def _application(self, run, intake: IntakeApplication, counts: RunCounts) -> tuple[int, dict[str, Any]]:
        if intake.error:
            counts.errors.append(f"{intake.application_id}：{intake.error}")
        application_pk = self.store.save_application(
            run, intake.application_id, str(intake.source), intake.error,
            [{"path": f.path, "sha256": f.sha256, "kind": f.kind, "size": len(f.data), "error": f.error}
             for f in intake.files])
        for item in intake.files:
            self._read(item, intake.application_id, counts)
        documents: list[DocumentResult] = []
        extractions: list[tuple[str, str, dict[str, Any]]] = []
        read_before: set[tuple[str, int]] = set()  # a file submitted twice is listed twice but counted once
        for stored in self.store.current_files(application_pk):
            for result, extraction in self._documents(stored, counts):
                documents.append(result)
                if extraction is not None and (result.sha256, result.page_start) not in read_before:
                    extractions.append((result.path, result.doc_type, extraction))
                    read_before.add((result.sha256, result.page_start))
        facts, claims = merge_extractions(extractions)
        record = ApplicationResult(application_id=intake.application_id, ruleset=self.ruleset.id,
                                   ruleset_version=self.ruleset.version, as_of=self.as_of, documents=documents,
                                   facts=facts, claims=claims)
        if intake.error:
            record.error = intake.error  # type: ignore[attr-defined]
        judged = judge(self.ruleset, record.model_dump(mode="json"))
        self.store.save_result(application_pk, run.id, judged)
        return application_pk, judged

    def _read(self, item: IntakeFile, application_id: str, counts: RunCounts) -> None:
        """Read the file's pages unless these bytes were read before (in this run or an earlier one)."""
        counts.files += 1
        if item.error:
            counts.file_errors += 1
            counts.errors.append(f"{application_id}/{item.path}：{item.error}")
            self.listener("file", {"path": item.path, "pages": 0, "ocr_pages": 0, "error": item.error})
            return
        if self.store.is_read(item.sha256, self.reader_key):
            counts.files_reused += 1
            self.listener("file", {"path": item.path, "pages": 0, "ocr_pages": 0, "reused": True})
            return
        read = self.reader(item.kind, item.data)
        self.store.save_pages(item.sha256, self.reader_key, read.pages, read.error, read.seconds, read.ocr_pages,
                              read.converted_from)
        counts.files_read += 1
        counts.pages += len(read.pages)
        counts.ocr_pages += read.ocr_pages
        if read.error:
            counts.file_errors += 1
            counts.errors.append(f"{application_id}/{item.path}：{read.error}")
        self.listener("file", {"path": item.path, "pages": len(read.pages), "ocr_pages": read.ocr_pages,
                               "error": read.error})

    def _documents(self, stored, counts: RunCounts) -> list[tuple[DocumentResult, dict[str, Any] | None]]:
        """The file's documents for results.jsonl with their facts, identifying and extracting what is not yet."""
        content = stored.content
        error = stored.intake_error or content.error
        if error:
            return [(DocumentResult(path=stored.path, sha256=stored.sha256, doc_type=None, pages=content.page_count,
                                    status="error", error=error, kind=stored.kind), None)]
        found = stored.documents
        pages: list[PageText] | None = None
        if not found or any(d.identify_version != IDENTIFY_VERSION for d in found):
            pages = self.store.pages(stored.sha256)
            identified = self.identify(stored.path, content.kind, pages)
            rows = [{"page_start": d.page_start, "page_end": d.page_end, "doc_type": d.doc_type,
                     "confidence": d.confidence, "clues": d.clues, "identify_version": IDENTIFY_VERSION}
                    for d in identified]
            found = self.store.save_documents(stored.id, rows)
        counts.documents += len(found)
        results = []
        for document in found:
            extraction = document.extraction
            if document.extract_version != EXTRACT_VERSION:
                pages = pages if pages is not None else self.store.pages(stored.sha256)
                text = DocumentText(stored.path, document.doc_type, pages[document.page_start - 1:document.page_end])
                extraction = extract(text).model_dump(mode="json")
                self.store.save_extraction(document.id, EXTRACT_VERSION, extraction)
            results.append((DocumentResult(path=stored.path, sha256=stored.sha256, doc_type=document.doc_type,
                                           pages=document.page_end - document.page_start + 1, status="ok", error=None,
                                           kind=stored.kind, page_start=document.page_start,
                                           page_end=document.page_end, confidence=document.confidence),
                            extraction))
        return results
