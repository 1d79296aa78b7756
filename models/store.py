"""The stored tables: batches, runs, applications, files, file contents, pages, documents, OCR cache, results;
and for the web application: accounts, login sessions, reviewers' acts, re-evaluations."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

Json = JSON()  # plain JSON keeps key order (JSONB would reorder results records)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Every shenhe table."""


class Batch(Base):
    """A batch folder, known by its absolute path."""

    __tablename__ = "batches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    path: Mapped[str] = mapped_column(String(1024), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    applications: Mapped[list[Application]] = relationship(back_populates="batch")


class Run(Base):
    """One `process` run over a batch: when, with which settings, and what it found."""

    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"))
    ruleset: Mapped[str] = mapped_column(String(200))
    as_of: Mapped[str] = mapped_column(String(10))
    ocr_engine: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    counts: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)


class Application(Base):
    """One application of a batch (a folder or a zip)."""

    __tablename__ = "applications"
    __table_args__ = (UniqueConstraint("batch_id", "application_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"))
    application_id: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(1024))
    error: Mapped[str | None] = mapped_column(Text)
    last_run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    # From its newest results record, for lists and access checks without reading the record: the
    # recommending unit (推荐表, or a reviewer's correction) and what the overview shows and filters on.
    unit: Mapped[str | None] = mapped_column(String(300), index=True)
    summary: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    batch: Mapped[Batch] = relationship(back_populates="applications")
    files: Mapped[list[File]] = relationship(back_populates="application", order_by="File.path")


class Content(Base):
    """The bytes of a file, known by sha256: read once, however many files carry them."""

    __tablename__ = "contents"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    size: Mapped[int] = mapped_column(BigInteger)
    reader_key: Mapped[str | None] = mapped_column(String(100))  # reader version + OCR engine key
    page_count: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    error_code: Mapped[str | None] = mapped_column(String(40))  # pipeline.problems' code for `error`
    converted_from: Mapped[str | None] = mapped_column(String(20))
    read_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    ocr_pages: Mapped[int] = mapped_column(Integer, default=0)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    pages: Mapped[list[Page]] = relationship(back_populates="content", order_by="Page.page_no",
                                             cascade="all, delete-orphan")


class Page(Base):
    """The text of one page with its boxes, and where the text came from."""

    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("content_sha256", "page_no"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    content_sha256: Mapped[str] = mapped_column(ForeignKey("contents.sha256"))
    page_no: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer, default=0)
    height: Mapped[int] = mapped_column(Integer, default=0)
    dpi: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(20))  # text_layer | ocr | docx | xlsx | none
    engine: Mapped[str | None] = mapped_column(String(100))
    rotation: Mapped[int] = mapped_column(Integer, default=0)
    skew_deg: Mapped[float] = mapped_column(Float, default=0.0)
    image_sha256: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text, default="")
    lines: Mapped[list[Any]] = mapped_column(Json, default=list)
    tables: Mapped[list[Any]] = mapped_column(Json, default=list)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str | None] = mapped_column(Text)
    image_meta: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    seals: Mapped[list[Any] | None] = mapped_column(Json, nullable=True)
    ink: Mapped[str | None] = mapped_column(Text, nullable=True)
    flattened: Mapped[list[Any] | None] = mapped_column(Json, nullable=True)  # a photographed sheet's homography
    content: Mapped[Content] = relationship(back_populates="pages")


class File(Base):
    """A file as submitted in one application, at its relative path."""

    __tablename__ = "files"
    __table_args__ = (UniqueConstraint("application_pk", "path"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_pk: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    path: Mapped[str] = mapped_column(String(1024))
    sha256: Mapped[str] = mapped_column(ForeignKey("contents.sha256"))
    kind: Mapped[str] = mapped_column(String(20))
    size: Mapped[int] = mapped_column(BigInteger)
    intake_error: Mapped[str | None] = mapped_column(Text)
    intake_error_code: Mapped[str | None] = mapped_column(String(40))
    last_run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    application: Mapped[Application] = relationship(back_populates="files")
    content: Mapped[Content] = relationship()
    documents: Mapped[list[Document]] = relationship(back_populates="file", order_by="Document.page_start",
                                                     cascade="all, delete-orphan")


class Document(Base):
    """A document found in a file: its type and page range."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("file_id", "page_start"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("files.id"))
    page_start: Mapped[int] = mapped_column(Integer)
    page_end: Mapped[int] = mapped_column(Integer)
    doc_type: Mapped[str] = mapped_column(String(40))
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    clues: Mapped[list[Any]] = mapped_column(Json, default=list)
    identify_version: Mapped[str] = mapped_column(String(40))
    # Facts (and the report's claims) read from this document's stored pages, and by which extractors.
    extraction: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    extract_version: Mapped[str | None] = mapped_column(String(40), nullable=True)
    file: Mapped[File] = relationship(back_populates="documents")


class OcrCacheEntry(Base):
    """OCR output of one page image by one engine (version + settings in `engine_key`)."""

    __tablename__ = "ocr_cache"
    image_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    engine_key: Mapped[str] = mapped_column(String(32), primary_key=True)
    engine: Mapped[str] = mapped_column(String(100))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    rotation: Mapped[int] = mapped_column(Integer, default=0)
    skew_deg: Mapped[float] = mapped_column(Float, default=0.0)
    lines: Mapped[list[Any]] = mapped_column(Json, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Result(Base):
    """An application's results record (results.jsonl shape) per rule set version and as-of date."""

    __tablename__ = "results"
    __table_args__ = (UniqueConstraint("application_pk", "ruleset", "ruleset_version", "as_of"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_pk: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    ruleset: Mapped[str] = mapped_column(String(200))
    ruleset_version: Mapped[str] = mapped_column(String(100))
    as_of: Mapped[str] = mapped_column(String(10))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    payload: Mapped[dict[str, Any]] = mapped_column(Json)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class Account(Base):
    """Someone who signs in to the web application: a provincial reviewer, a recommending unit or an administrator."""

    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))  # reviewer | unit | admin
    unit: Mapped[str | None] = mapped_column(String(300))  # the recommending unit a `unit` account speaks for
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LoginSession(Base):
    """A signed-in browser, known by the hash of its cookie's token (the token itself is never stored)."""

    __tablename__ = "login_sessions"
    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ReviewEvent(Base):
    """One reviewer's act on an application, kept for good (the audit trail): a fact, verdict or document
    type overridden, or the decision accepted; who, when, the value before and after, and why."""

    __tablename__ = "review_events"
    # Each act replaces the newest act on the same thing that its reviewer saw (0: none), and only one
    # act may replace it: a second reviewer working from the same page gets a conflict, not a silent loss.
    __table_args__ = (UniqueConstraint("application_pk", "action", "key", "supersedes", name="uq_review_events_supersedes"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_pk: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    action: Mapped[str] = mapped_column(String(20))  # fact | verdict | doc_type | accept
    key: Mapped[str] = mapped_column(String(300), default="")  # fact key, rule id, or "path#page_start"
    old_value: Mapped[Any] = mapped_column(Json, nullable=True)
    new_value: Mapped[Any] = mapped_column(Json, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    supersedes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    account: Mapped[Account] = relationship()


class StoredRuleSet(Base):
    """The text of a rule set a run or a re-evaluation applied, so the web application can judge again
    under it when it is a file of the engineer's, not a built-in one."""

    __tablename__ = "rulesets"
    __table_args__ = (UniqueConstraint("ruleset", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ruleset: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Reevaluation(Base):
    """One `reevaluate`: under which rule set, and whose decision changed and why."""

    __tablename__ = "reevaluations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ruleset: Mapped[str] = mapped_column(String(200))
    as_of: Mapped[str | None] = mapped_column(String(10))
    applications: Mapped[int] = mapped_column(Integer, default=0)
    # [{application_pk, application_id, before, before_ruleset, after, rules: [[id, old, new, reason]]}]
    changes: Mapped[list[Any]] = mapped_column(Json, default=list)
