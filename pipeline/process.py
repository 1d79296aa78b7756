"""The stages of a batch: register → (pages, read by workers) → identify → facts → verdicts → batch flags."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extractors import EXTRACT_VERSION
from models.pages import PageText
from models.results import ApplicationResult, DocumentResult
from models.rules import RuleSet
from models.store import Run
from pipeline.documents import IDENTIFY_VERSION, extraction_of, identified_rows
from pipeline.facts import merge_extractions
from pipeline.identify import CONTINUED_SHOT_CONFIDENCE, Shot, shots_to_continuations
from pipeline.intake import IntakeApplication, unit_assignment
from pipeline.pages import IMAGE_KINDS
from pipeline.reading import FileToRead
from pipeline.review import as_overrides, doc_type_corrections, document_key, reviewed
from pipeline.store import Store
from pipeline.verdicts import BATCH_FLAG_CODES, batch_flags


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
    """The stages of a batch for a flow to drive: register an application and say which of its files
    still need reading; judge it once they are read; add what only the whole batch shows."""

    def __init__(self, store: Store, ruleset: RuleSet, as_of: str, reader_key: str, engine_label: str,
                 listener: Listener | None = None) -> None:
        self.store = store
        self.ruleset = ruleset
        self.as_of = as_of
        self.reader_key = reader_key
        self.engine_label = engine_label
        # A file's documents and facts as its worker found them, by (sha256, path in the application),
        # until the application they belong to is judged.
        self.found: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.listener = listener or (lambda _event, _data: None)
        self.assigned_units: dict[str, str] = {}

    def start(self, batch: Path) -> Run:
        self.store.remember_ruleset(self.ruleset)
        self.assigned_units = unit_assignment(batch)
        return self.store.start_run(str(batch.resolve()), self.ruleset.label, self.as_of, self.engine_label)

    def register(self, run: Run, intake: IntakeApplication, counts: RunCounts) -> tuple[int, list[FileToRead]]:
        """Store the application and its files; the files whose bytes were never read with this reader."""
        if intake.error:
            counts.errors.append(f"{intake.application_id}：{intake.error}")
        application_pk = self.store.save_application(
            run, intake.application_id, str(intake.source), intake.error,
            [{"path": f.path, "sha256": f.sha256, "kind": f.kind, "size": len(f.data), "error": f.error,
              "error_code": f.error_code} for f in intake.files])
        to_read = []
        already = self.store.read_with((item.sha256 for item in intake.files), self.reader_key)
        for item in intake.files:
            counts.files += 1
            if item.error:
                counts.file_errors += 1
                counts.errors.append(f"{intake.application_id}/{item.path}：{item.error}")
                self.listener("file", {"path": item.path, "pages": 0, "ocr_pages": 0, "error": item.error})
            elif item.sha256 in already:
                counts.files_reused += 1
                self.listener("file", {"path": item.path, "pages": 0, "ocr_pages": 0, "reused": True})
            else:
                to_read.append(FileToRead(item.sha256, item.kind, item.data, f"{intake.application_id}/{item.path}", item.path))
        return application_pk, to_read

    def count_read(self, read: dict[str, Any], counts: RunCounts) -> None:
        """A file a worker read and stored (`save_outcome`'s summary), in the run's counts."""
        counts.files_read += 1
        counts.pages += read["pages"]
        counts.ocr_pages += read["ocr_pages"]
        documents = read.pop("documents", None)  # held here until judged, not by the task's result too
        if documents is not None:
            self.found[(read["sha256"], read["name"])] = documents
        if read["error"]:
            counts.file_errors += 1
            counts.errors.append(f"{read['path']}：{read['error']}")
        self.listener("file", read)

    def judge(self, run: Run, application_pk: int, intake: IntakeApplication, counts: RunCounts) -> dict[str, Any]:
        """The application's results record from its stored pages: documents, facts, verdicts (stored)."""
        judged = self.record_of(application_pk, intake.application_id, intake.error, counts, error_code=intake.error_code,
                                assigned_unit=self.assigned_units.get(intake.application_id))
        self.store.save_result(application_pk, run.id, judged)
        counts.applications += 1
        self.listener("application", {"application_id": intake.application_id, "documents": len(judged["documents"])})
        return judged

    def record_of(self, application_pk: int, application_id: str, error: str | None, counts: RunCounts,
                  batch_flags_kept: list[dict[str, Any]] | None = None, error_code: str | None = None,
                  assigned_unit: str | None = None) -> dict[str, Any]:
        """The results record made from the application's stored documents, judged with its reviewers' acts."""
        documents: list[DocumentResult] = []
        extractions: list[tuple[str, str, dict[str, Any]]] = []
        read_before: set[tuple[str, int]] = set()  # a file submitted twice is listed twice but counted once
        events = as_overrides(self.store.review_events([application_pk]).get(application_pk, []))
        corrections = doc_type_corrections(events)
        files = list(self.store.current_files(application_pk))
        found = {stored.id: self._identified(stored, counts) for stored in files}
        continued = shots_to_continuations([Shot(stored.path, docs[0].doc_type, list(docs[0].clues or []))
                                            for stored in files if (docs := found[stored.id]) and len(docs) == 1
                                            and stored.content.kind in IMAGE_KINDS])
        for stored in files:
            for result, extraction in self._documents(stored, found[stored.id], corrections, continued):
                documents.append(result)
                if extraction is not None and (result.sha256, result.page_start) not in read_before:
                    extractions.append((result.path, result.doc_type, extraction))
                    read_before.add((result.sha256, result.page_start))
        facts, claims = merge_extractions(extractions)
        record = ApplicationResult(application_id=application_id, ruleset=self.ruleset.id,
                                   ruleset_version=self.ruleset.version, as_of=self.as_of, documents=documents,
                                   facts=facts, claims=claims)
        if error:
            record.error, record.error_code = error, error_code  # type: ignore[attr-defined]
        if assigned_unit:
            record.assigned_unit = assigned_unit  # type: ignore[attr-defined]
        payload = record.model_dump(mode="json") | {"flags": batch_flags_kept or []}
        return reviewed(self.ruleset, payload, events)

    def finish(self, run: Run, judged: list[tuple[int, dict[str, Any]]], counts: RunCounts) -> None:
        """Flags only the whole batch shows (a photo or a person in two applications), from each judged
        application's `flag_view`, added to the stored records; and the run closed."""
        shared = batch_flags([view for _pk, view in judged])
        for application_pk, view in judged:
            if view["application_id"] in shared:
                record = self.store.result_payload(application_pk, self.ruleset.id, self.ruleset.version, self.as_of)
                record["flags"] = record["flags"] + shared[view["application_id"]]
                self.store.save_result(application_pk, run.id, record)
        self.store.finish_run(run.id, counts.as_dict())

    def stored_records(self, application_pks: Iterable[int]) -> Iterator[dict[str, Any]]:
        """The applications' results records under this run's rule set and as-of, one at a time."""
        for application_pk in application_pks:
            yield self.store.result_payload(application_pk, self.ruleset.id, self.ruleset.version, self.as_of)

    def _identified(self, stored, counts: RunCounts) -> list | None:
        """The file's stored documents, identifying its pages where they are not yet (None: the file failed)."""
        if stored.intake_error or stored.content.error:
            return None
        found = stored.documents
        if not found or any(d.identify_version != IDENTIFY_VERSION for d in found):
            rows = self.found.pop((stored.sha256, stored.path), None)
            if rows is None:
                rows = identified_rows(stored.path, stored.content.kind, self.store.pages(stored.sha256))
            found = self.store.save_documents(stored.id, rows)
        counts.documents += len(found)
        return found

    def _documents(self, stored, found: list | None, corrections: dict[str, str],
                   continued: dict[str, str]) -> list[tuple[DocumentResult, dict[str, Any] | None]]:
        """The file's documents for results.jsonl with their facts, extracting what is not yet; a photographed
        later page takes the type of the paper it continues; a type a reviewer corrected is kept; the
        document's facts read as its final type."""
        content = stored.content
        if found is None:
            error = stored.intake_error or content.error
            code = stored.intake_error_code if stored.intake_error else content.error_code
            return [(DocumentResult(path=stored.path, sha256=stored.sha256, doc_type=None, pages=content.page_count,
                                    status="error", error=error, error_code=code, kind=stored.kind), None)]
        pages: list[PageText] | None = None
        results = []
        for document in found:
            extraction = document.extraction
            if stored.path in continued and document.doc_type != continued[stored.path]:
                document = self.store.retype_document(document.id, continued[stored.path], CONTINUED_SHOT_CONFIDENCE,
                                                      "续拍：与前一张照片为同一份材料")
                extraction = None
            corrected = corrections.get(document_key(stored.path, document.page_start))
            if corrected is not None and corrected != document.doc_type:
                document = self.store.correct_doc_type(document.id, corrected)
                extraction = None
            if document.extract_version != EXTRACT_VERSION or extraction is None:
                pages = pages if pages is not None else self.store.pages(stored.sha256)
                extraction = extraction_of(stored.path, document.doc_type, pages[document.page_start - 1:document.page_end])
                self.store.save_extraction(document.id, EXTRACT_VERSION, extraction)
            results.append((DocumentResult(path=stored.path, sha256=stored.sha256, doc_type=document.doc_type,
                                           pages=document.page_end - document.page_start + 1, status="ok", error=None,
                                           kind=stored.kind, page_start=document.page_start,
                                           page_end=document.page_end, confidence=document.confidence),
                            extraction))
        return results


def rejudge(store: Store, application_pk: int, ruleset: RuleSet, record: dict[str, Any]) -> dict[str, Any]:
    """A stored application judged again from its stored documents and pages (no file is read), with its
    reviewers' acts and the batch's flags its record had; stored as its newest record."""
    processor = BatchProcessor(store, ruleset, record["as_of"], "", "")
    kept = [flag for flag in record.get("flags") or [] if flag.get("code") in BATCH_FLAG_CODES]
    judged = processor.record_of(application_pk, record["application_id"], record.get("error"), RunCounts(), kept,
                                 record.get("error_code"), record.get("assigned_unit"))
    store.save_result(application_pk, None, judged)
    return judged
