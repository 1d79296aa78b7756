"""Stage `store`: everything read and decided, kept in SQLite (default, WAL) or PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from models.pages import PageText, TextLine
from models.results import summary_of
from models.rules import RuleSet
from models.store import (
    Account,
    Application,
    Batch,
    Content,
    Document,
    File,
    OcrCacheEntry,
    Page,
    Reevaluation,
    Result,
    ReviewEvent,
    Run,
    StoredRuleSet,
    utcnow,
)
from pipeline.ocr import OcrResult
from pipeline.store.database import StoreError, make_engine, migrate, normalise_url

__all__ = ["ReviewConflict", "Store", "StoreError", "StoredResult", "normalise_url"]


class ReviewConflict(Exception):
    """A reviewer's act on something another act has changed since the reviewer's page was made."""


class StoredResult(NamedTuple):
    """An application's stored results record and where it belongs."""

    batch: str
    application_pk: int
    payload: dict[str, Any]


class Store:
    """The one way stages read and write the database; each write is its own transaction."""

    def __init__(self, url: str | None = None, engine: Engine | None = None) -> None:
        self.engine = engine or make_engine(url)
        migrate(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_lock = threading.Lock()

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        """A write transaction. Writers of one process take turns: a SQLite transaction that read
        before writing fails at once, rather than waiting, when another connection wrote meanwhile."""
        with self._write_lock, self.sessions.begin() as session:
            yield session

    # ── batches, runs, applications, files ───────────────────────────────────────────────

    def start_run(self, batch_path: str, ruleset: str, as_of: str, ocr_engine: str) -> Run:
        """Record a run over a batch (the batch row is made the first time it is seen)."""
        with self._writing() as session:
            batch = session.scalar(select(Batch).where(Batch.path == batch_path))
            if batch is None:
                batch = Batch(path=batch_path)
                session.add(batch)
                session.flush()
            run = Run(batch_id=batch.id, ruleset=ruleset, as_of=as_of, ocr_engine=ocr_engine, counts={})
            session.add(run)
        return run

    def finish_run(self, run_id: int, counts: dict[str, Any]) -> None:
        with self._writing() as session:
            run = session.get(Run, run_id)
            run.finished_at = datetime.now(UTC)
            run.counts = counts

    def save_application(self, run: Run, application_id: str, source: str, error: str | None,
                         files: list[dict[str, Any]]) -> int:
        """Upsert an application and its files as found by this run; returns its key."""
        with self._writing() as session:
            app = session.scalar(select(Application).where(Application.batch_id == run.batch_id,
                                                           Application.application_id == application_id))
            if app is None:
                app = Application(batch_id=run.batch_id, application_id=application_id, source=source)
                session.add(app)
                session.flush()
            app.source, app.error, app.last_run_id = source, error, run.id
            known = {f.path: f for f in session.scalars(select(File).where(File.application_pk == app.id))}
            stored = set(session.scalars(select(Content.sha256).where(Content.sha256.in_({f["sha256"] for f in files}))))
            for item in files:
                if item["sha256"] not in stored:
                    session.add(Content(sha256=item["sha256"], kind=item["kind"], size=item["size"]))
                    session.flush()
                    stored.add(item["sha256"])
                row = known.get(item["path"])
                if row is None:
                    row = File(application_pk=app.id, path=item["path"], sha256=item["sha256"], kind=item["kind"],
                               size=item["size"])
                    session.add(row)
                elif row.sha256 != item["sha256"]:
                    # The applicant replaced the file: its old documents describe other bytes.
                    session.execute(delete(Document).where(Document.file_id == row.id))
                    row.sha256, row.kind, row.size = item["sha256"], item["kind"], item["size"]
                row.intake_error, row.intake_error_code, row.last_run_id = item.get("error"), item.get("error_code"), run.id
            return app.id

    def current_files(self, application_pk: int) -> list[File]:
        """The application's files seen by its latest run, with their content and documents."""
        with self.sessions() as session:
            app = session.get(Application, application_pk)
            return list(session.scalars(
                select(File).where(File.application_pk == application_pk, File.last_run_id == app.last_run_id)
                .options(selectinload(File.content), selectinload(File.documents)).order_by(File.path)))

    # ── contents and pages ───────────────────────────────────────────────────────────────

    def read_with(self, sha256s: Iterable[str], reader_key: str) -> set[str]:
        """Those of these contents already read with this reader (so nothing is read again)."""
        with self.sessions() as session:
            return set(session.scalars(select(Content.sha256).where(Content.sha256.in_(set(sha256s)),
                                                                    Content.reader_key == reader_key)))

    def read_cleanly(self, reader_key: str) -> set[str]:
        """Every content this reader read without error (intake need not check their bytes again)."""
        with self.sessions() as session:
            return set(session.scalars(select(Content.sha256).where(Content.reader_key == reader_key,
                                                                    Content.error.is_(None))))

    def save_pages(self, sha256: str, reader_key: str, pages: list[PageText], error: str | None,
                   seconds: float, ocr_pages: int, converted_from: str | None, error_code: str | None = None) -> None:
        """Replace the stored pages of one content in a single transaction; the documents found in
        the old pages (type, page range, facts) go with them, so they are found again in the new."""
        with self._writing() as session:
            content = session.get(Content, sha256)
            session.execute(delete(Page).where(Page.content_sha256 == sha256))
            files = select(File.id).where(File.sha256 == sha256)
            session.execute(delete(Document).where(Document.file_id.in_(files)))
            for page in pages:
                session.add(page_to_row(sha256, page))
            content.reader_key, content.error, content.error_code = reader_key, error, error_code if error else None
            content.page_count = len(pages) if not error else None
            content.read_seconds, content.ocr_pages, content.converted_from = seconds, ocr_pages, converted_from
            content.read_at = datetime.now(UTC)

    def pages(self, sha256: str) -> list[PageText]:
        with self.sessions() as session:
            rows = session.scalars(select(Page).where(Page.content_sha256 == sha256).order_by(Page.page_no))
            return [row_to_page(row) for row in rows]

    # ── documents ────────────────────────────────────────────────────────────────────────

    def save_documents(self, file_id: int, documents: list[dict[str, Any]]) -> list[Document]:
        """Replace the documents found in one file (with their facts, where a worker read them too);
        returns them as stored (with ids)."""
        with self._writing() as session:
            session.execute(delete(Document).where(Document.file_id == file_id))
            rows = [Document(**({"extraction": None, "extract_version": None} | item), file_id=file_id) for item in documents]
            session.add_all(rows)
        return rows

    def correct_doc_type(self, document_id: int, doc_type: str) -> Document:
        """Set a document's type as a reviewer corrected it; its facts are to be read again as that type."""
        with self._writing() as session:
            document = session.get(Document, document_id)
            document.doc_type, document.confidence = doc_type, 1.0
            document.extraction, document.extract_version = None, None
        return document

    def retype_document(self, document_id: int, doc_type: str, confidence: float, clue: str) -> Document:
        """Set a document's type as its neighbours show it (a photographed lease's later page); its facts are
        to be read again as that type."""
        with self._writing() as session:
            document = session.get(Document, document_id)
            document.doc_type, document.confidence = doc_type, confidence
            document.clues = [*(document.clues or []), clue]
            document.extraction, document.extract_version = None, None
        return document

    def save_extraction(self, document_id: int, version: str, extraction: dict[str, Any]) -> None:
        """Store what the extractors read from one document (replacing an older version's)."""
        with self._writing() as session:
            document = session.get(Document, document_id)
            document.extraction, document.extract_version = extraction, version

    # ── OCR cache ────────────────────────────────────────────────────────────────────────

    def get(self, image_sha256: str, engine_key: str) -> OcrResult | None:
        """OCR cache lookup (the `OcrCache` protocol of pipeline.pages)."""
        with self.sessions() as session:
            row = session.get(OcrCacheEntry, (image_sha256, engine_key))
            if row is None:
                return None
            return OcrResult([TextLine.model_validate(line) for line in row.lines], row.width, row.height,
                             row.rotation, row.skew_deg)

    def put(self, image_sha256: str, engine_key: str, result: OcrResult, engine: str) -> None:
        with self._writing() as session:
            if session.get(OcrCacheEntry, (image_sha256, engine_key)) is None:
                session.add(OcrCacheEntry(image_sha256=image_sha256, engine_key=engine_key, engine=engine,
                                          width=result.width, height=result.height, rotation=result.rotation,
                                          skew_deg=result.skew_deg,
                                          lines=[line.model_dump(mode="json") for line in result.lines]))

    # ── results ──────────────────────────────────────────────────────────────────────────

    def save_result(self, application_pk: int, run_id: int | None, payload: dict[str, Any]) -> None:
        """Keep one results record per (application, rule set, version, as-of); a re-run replaces it."""
        self.save_results([(application_pk, run_id, payload)])

    def result_payload(self, application_pk: int, ruleset: str, version: str, as_of: str) -> dict[str, Any]:
        """The stored results record of one application under a rule set version and as-of date."""
        with self.sessions() as session:
            return session.scalars(select(Result.payload).where(
                Result.application_pk == application_pk, Result.ruleset == ruleset, Result.ruleset_version == version,
                Result.as_of == as_of)).one()

    def latest_results(self) -> Iterator[StoredResult]:
        """The newest result of every application, in batch and id order."""
        newest = (select(Result.id, func.row_number().over(
            partition_by=Result.application_pk, order_by=(Result.updated_at.desc(), Result.id.desc())).label("rank"))
                  .subquery())
        query = (select(Batch.path, Application.id, Result.payload)
                 .join(Application, Application.batch_id == Batch.id)
                 .join(Result, Result.application_pk == Application.id)
                 .join(newest, (newest.c.id == Result.id) & (newest.c.rank == 1))
                 .order_by(Batch.path, Application.application_id))
        with self.sessions() as session:
            for batch_path, application_pk, payload in session.execute(query):
                yield StoredResult(batch_path, application_pk, payload)

    def save_results(self, results: list[tuple[int, int | None, dict[str, Any]]]) -> None:
        """Many (application_pk, run_id, payload) saved as save_result does, in one transaction."""
        with self._writing() as session:
            existing = {(application_pk, ruleset, version, as_of): result_id
                        for result_id, application_pk, ruleset, version, as_of in session.execute(
                            select(Result.id, Result.application_pk, Result.ruleset, Result.ruleset_version,
                                   Result.as_of).where(Result.application_pk.in_({pk for pk, _r, _p in results})))}
            now = utcnow()
            updates, inserts = [], []
            for application_pk, run_id, payload in results:
                key = (application_pk, payload["ruleset"], payload["ruleset_version"], payload["as_of"])
                if key in existing:
                    updates.append({"id": existing[key], "payload": payload, "run_id": run_id, "updated_at": now})
                else:
                    inserts.append({"application_pk": application_pk, "ruleset": key[1], "ruleset_version": key[2],
                                    "as_of": key[3], "run_id": run_id, "payload": payload, "updated_at": now})
            if updates:
                session.execute(update(Result), updates)
            if inserts:
                session.execute(insert(Result), inserts)
            # The newest record of each application is the one just saved: lists and access checks read this.
            summaries = {application_pk: summary_of(payload) for application_pk, _run_id, payload in results}
            session.execute(update(Application), [{"id": pk, "summary": summary, "unit": summary["unit"]}
                                                  for pk, summary in summaries.items()])

    def fill_missing_summaries(self) -> int:
        """Give each application stored before summaries existed the summary of its newest record."""
        with self.sessions() as session:
            missing = set(session.scalars(select(Application.id).where(Application.summary.is_(None))))
        if not missing:
            return 0
        newest = [stored for stored in self.latest_results() if stored.application_pk in missing]
        with self._writing() as session:
            for stored in newest:
                summary = summary_of(stored.payload)
                session.execute(update(Application).where(Application.id == stored.application_pk)
                                .values(summary=summary, unit=summary["unit"]))
        return len(newest)

    # ── reviewers' acts and re-evaluations ──────────────────────────────────────────────

    def add_review_event(self, application_pk: int, account_id: int, action: str, key: str, old_value: Any,
                         new_value: Any, reason: str, supersedes: int = 0) -> ReviewEvent:
        """Record a reviewer's act (never updated, never deleted), replacing act `supersedes` (0: the
        first on this thing); ReviewConflict when another act has replaced it already."""
        try:
            with self._writing() as session:
                newest = session.scalar(select(func.max(ReviewEvent.id)).where(
                    ReviewEvent.application_pk == application_pk, ReviewEvent.action == action, ReviewEvent.key == key))
                if (newest or 0) != supersedes:
                    raise ReviewConflict()
                event = ReviewEvent(application_pk=application_pk, account_id=account_id, action=action, key=key,
                                    old_value=old_value, new_value=new_value, reason=reason, at=utcnow(),
                                    supersedes=supersedes)
                session.add(event)
        except IntegrityError:  # another process wrote its act in between: the same check, in the database
            raise ReviewConflict() from None
        return event

    def review_events(self, application_pks: Iterable[int]) -> dict[int, list[ReviewEvent]]:
        """Each application's reviewers' acts, oldest first, with the accounts that made them."""
        found: dict[int, list[ReviewEvent]] = {}
        with self.sessions() as session:
            for event in session.scalars(select(ReviewEvent).where(ReviewEvent.application_pk.in_(set(application_pks)))
                                         .options(selectinload(ReviewEvent.account)).order_by(ReviewEvent.id)):
                found.setdefault(event.application_pk, []).append(event)
        return found

    def save_reevaluation(self, ruleset: str, as_of: str | None, applications: int, changes: list[dict[str, Any]]) -> int:
        with self._writing() as session:
            row = Reevaluation(ruleset=ruleset, as_of=as_of, applications=applications, changes=changes, at=utcnow())
            session.add(row)
            session.flush()
            return row.id

    def remember_ruleset(self, ruleset: RuleSet) -> None:
        """Keep the text of a rule set being applied, by id and version (the newest, if a version's file
        was edited), so its records can be judged again later even when it came from a file of the
        engineer's (the web application's overrides)."""
        if not ruleset.source or not Path(ruleset.source).is_file():
            return
        text, ruleset_id, version = Path(ruleset.source).read_text(encoding="utf-8"), ruleset.id, ruleset.version
        with self._writing() as session:
            row = session.scalar(select(StoredRuleSet).where(StoredRuleSet.ruleset == ruleset_id,
                                                             StoredRuleSet.version == version))
            if row is None:
                session.add(StoredRuleSet(ruleset=ruleset_id, version=version, text=text, saved_at=utcnow()))
            elif row.text != text:
                row.text, row.saved_at = text, utcnow()

    def ruleset_text(self, ruleset_id: str, version: str) -> str | None:
        with self.sessions() as session:
            return session.scalar(select(StoredRuleSet.text).where(StoredRuleSet.ruleset == ruleset_id,
                                                                   StoredRuleSet.version == version))

    # ── accounts ─────────────────────────────────────────────────────────────────────────

    def add_account(self, name: str, role: str, unit: str | None, password_hash: str) -> Account:
        with self._writing() as session:
            if session.scalar(select(Account.id).where(Account.name == name)) is not None:
                raise StoreError(f"账号已存在：{name}")
            account = Account(name=name, role=role, unit=unit, password_hash=password_hash, active=True, created_at=utcnow())
            session.add(account)
        return account


def page_to_row(sha256: str, page: PageText) -> Page:
    return Page(content_sha256=sha256, page_no=page.page_no, width=page.width, height=page.height, dpi=page.dpi,
                source=page.source, engine=page.engine, rotation=page.rotation, skew_deg=page.skew_deg,
                image_sha256=page.image_sha256, text=page.text,
                lines=[line.model_dump(mode="json", exclude_none=True) for line in page.lines],
                tables=page.tables, seconds=page.seconds, error=page.error, image_meta=page.image_meta,
                seals=[list(box) for box in page.seals], ink=page.ink, flattened=page.flattened)


def row_to_page(row: Page) -> PageText:
    return PageText(page_no=row.page_no, width=row.width, height=row.height, dpi=row.dpi, source=row.source,
                    engine=row.engine, rotation=row.rotation, skew_deg=row.skew_deg, image_sha256=row.image_sha256,
                    lines=[TextLine.model_validate(line) for line in row.lines], tables=row.tables,
                    seconds=row.seconds, error=row.error, image_meta=row.image_meta,
                    seals=[tuple(box) for box in row.seals or []], ink=row.ink, flattened=row.flattened)
