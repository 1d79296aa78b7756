"""What each page shows, gathered from the store for one viewer: who may see which application is
decided here, and nowhere else."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import select

from models.pages import PageText
from models.rules import RuleSet
from models.store import Application as StoredApplication
from models.store import Batch, File, Page, Reevaluation, Result
from pipeline.export import FACT_NAMES
from pipeline.store import Store, row_to_page
from pipeline.verdicts import (
    FACT_FOR_CLAIM,
    MISMATCH_KEYS,
    Application,
    extracted_counts,
    same_name,
)
from rules import RuleSetError, load_ruleset, parse_ruleset
from web.auth import Viewer

__all__ = ["AppRow", "ApplicationView", "application_view", "batches", "may_see", "overview_rows", "page_of",
           "ruleset_of", "visible_rows"]

PAGE_SIZE = 50
SORTS = {"application_id": "申请编号", "org_name": "机构名称", "decision": "结论", "mismatches": "不一致项",
         "unit": "推荐单位"}
DECISION_ORDER = {"ineligible": 0, "needs_review": 1, "eligible": 2, None: 3}


@dataclass(frozen=True)
class AppRow:
    """One application as lists show it (from its summary)."""

    pk: int
    batch_id: int
    application_id: str
    unit: str | None
    summary: dict[str, Any]

    def get(self, key: str) -> Any:
        return self.summary.get(key)


def may_see(viewer: Viewer, unit: str | None) -> bool:
    """谁推荐谁负责: a unit's account sees the applications it recommended; reviewers see all."""
    if viewer.sees_all:
        return True
    return bool(viewer.unit and unit and same_name(unit, viewer.unit))


def batches(store: Store) -> list[tuple[int, str]]:
    """(id, path) of every batch, newest first."""
    with store.sessions() as session:
        return [(row.id, row.path) for row in session.scalars(select(Batch).order_by(Batch.id.desc()))]


def visible_rows(store: Store, viewer: Viewer, batch_id: int | None = None) -> list[AppRow]:
    """The applications this viewer may see (of one batch, or all), by application id."""
    query = select(StoredApplication.id, StoredApplication.batch_id, StoredApplication.application_id, StoredApplication.unit,
                   StoredApplication.summary).where(StoredApplication.summary.is_not(None))
    if batch_id is not None:
        query = query.where(StoredApplication.batch_id == batch_id)
    with store.sessions() as session:
        rows = [AppRow(*row) for row in session.execute(query.order_by(StoredApplication.application_id))]
    return [row for row in rows if row.summary and may_see(viewer, row.unit)]


@dataclass
class Overview:
    """One page of the batch overview, with what its filters can choose from."""

    rows: list[AppRow]
    total: int
    page: int
    pages: int
    counts: dict[str, int]
    rule_ids: list[str]
    flag_codes: list[str]
    units: list[str]


def overview_rows(rows: list[AppRow], decision: str = "", rule: str = "", status: str = "", flag: str = "",
                  unit: str = "", q: str = "", sort: str = "application_id", order: str = "asc", page: int = 1) -> Overview:
    """Counts by decision over all the rows, then the rows filtered, searched, sorted and paginated."""
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.get("decision") or "none"] = counts.get(row.get("decision") or "none", 0) + 1
    rule_ids = sorted({rule_id for row in rows for rule_id in row.get("rules") or {}})
    flag_codes = sorted({code for row in rows for code in row.get("flags") or []})
    units = sorted({row.unit for row in rows if row.unit})
    chosen = [row for row in rows
              if (not decision or row.get("decision") == decision)
              and (not rule or (row.get("rules") or {}).get(rule) == (status or "fail"))
              and (not flag or flag in (row.get("flags") or []))
              and (not unit or row.unit == unit)
              and (not q or _matches(row, q))]
    key = {"application_id": lambda r: r.application_id, "org_name": lambda r: r.get("org_name") or "",
           "decision": lambda r: DECISION_ORDER.get(r.get("decision"), 3),
           "mismatches": lambda r: len(r.get("mismatches") or []), "unit": lambda r: r.unit or ""}.get(sort)
    if key is None:
        key = lambda r: r.application_id  # noqa: E731
    chosen.sort(key=key, reverse=order == "desc")
    pages = max(1, -(-len(chosen) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    return Overview(chosen[(page - 1) * PAGE_SIZE:page * PAGE_SIZE], len(chosen), page, pages, counts, rule_ids,
                    flag_codes, units)


def _matches(row: AppRow, q: str) -> bool:
    q = q.strip().lower()
    return any(q in str(value).lower() for value in (row.application_id, row.get("org_name") or "", row.get("credit_code") or ""))


def ruleset_of(store: Store, ruleset_id: str, version: str) -> RuleSet | None:
    """The rule set a record was judged under: built in, else as the run that applied it kept its text;
    None when neither has it."""
    found = _builtin(ruleset_id, version)
    if found is None:
        text = store.ruleset_text(ruleset_id, version)
        if text is not None:
            try:
                found = parse_ruleset(text, f"{ruleset_id}@{version}")
            except RuleSetError:
                return None
    return found


@lru_cache(maxsize=32)
def _builtin(ruleset_id: str, version: str) -> RuleSet | None:
    try:
        return load_ruleset(f"{ruleset_id}@{version}")
    except RuleSetError:
        return None


@dataclass
class PageRef:
    """A stored page an evidence item can show."""

    page_id: int
    width: int
    height: int
    has_image: bool


@dataclass
class FactRow:
    """One line of the claimed-vs-extracted table."""

    key: str
    name: str
    extracted: dict[str, Any] | None
    claimed: dict[str, Any] | None
    mismatch: str | None  # "sure" | "unsure" | None
    overridable: bool


@dataclass
class ApplicationView:
    """Everything the application page shows."""

    pk: int
    batch_id: int
    unit: str | None
    record: dict[str, Any]
    ruleset: RuleSet | None
    fact_rows: list[FactRow]
    staff: list[dict[str, Any]]
    files: list[dict[str, Any]]
    events: list[Any]
    pages: dict[str, PageRef]  # "path#page" → the stored page
    previous_pk: int | None = None
    next_pk: int | None = None
    quotes: dict[str, str] = field(default_factory=dict)

    def version(self, action: str, key: str) -> int:
        """The newest act on this thing (its id; 0 for none): what a form's act replaces."""
        return max((event.id for event in self.events if event.action == action and event.key == key), default=0)

    def evidence_json(self, fact: dict[str, Any] | None) -> str:
        """A fact's evidence for the viewer, each item with the stored page it can show."""
        items = []
        for item in (fact or {}).get("evidence") or []:
            ref = self.pages.get(f"{item.get('path')}#{item.get('page') or 1}")
            items.append({"path": item.get("path"), "page": item.get("page"), "bbox": item.get("bbox"),
                          "text": item.get("text"), "page_id": ref.page_id if ref and ref.has_image else None,
                          "width": ref.width if ref else None, "height": ref.height if ref else None})
        return json.dumps(items, ensure_ascii=False)


def newest_record(store: Store, application_pk: int) -> dict[str, Any] | None:
    with store.sessions() as session:
        return session.scalar(select(Result.payload).where(Result.application_pk == application_pk)
                              .order_by(Result.updated_at.desc(), Result.id.desc()).limit(1))


def application_view(store: Store, viewer: Viewer, application_pk: int) -> ApplicationView | None:
    """The application page's content, or None when it does not exist or this viewer may not see it
    (both look the same to the viewer: 404)."""
    with store.sessions() as session:
        app = session.get(StoredApplication, application_pk)
        if app is None or app.summary is None or not may_see(viewer, app.unit):
            return None
        files = list(session.scalars(select(File).where(File.application_pk == app.id, File.last_run_id == app.last_run_id)
                                     .order_by(File.path)))
        page_rows = session.execute(select(Page.id, Page.content_sha256, Page.page_no, Page.width, Page.height, Page.source)
                                    .where(Page.content_sha256.in_({f.sha256 for f in files}))).all()
        batch_id, unit = app.batch_id, app.unit
    record = newest_record(store, application_pk) or {}
    by_content: dict[str, list[Any]] = {}
    for row in page_rows:
        by_content.setdefault(row.content_sha256, []).append(row)
    pages = {}
    file_views = []
    for stored in files:
        has_image = stored.kind == "pdf" or stored.kind in ("jpeg", "png", "tiff", "bmp", "webp", "heic")
        first = None
        for row in sorted(by_content.get(stored.sha256, []), key=lambda r: r.page_no):
            pages[f"{stored.path}#{row.page_no}"] = PageRef(row.id, row.width, row.height, has_image and row.width > 0)
            first = first or row
        file_views.append({"id": stored.id, "path": stored.path, "kind": stored.kind,
                           "preview_page_id": first.id if first is not None and has_image else None})
    events = store.review_events([application_pk]).get(application_pk, [])
    ruleset = ruleset_of(store, record.get("ruleset", ""), record.get("ruleset_version", ""))
    staff_fact = (record.get("facts") or {}).get("staff") or {}
    view = ApplicationView(application_pk, batch_id, unit, record, ruleset, fact_rows_of(record, ruleset),
                           list(staff_fact.get("value") or []), file_views, events, pages,
                           quotes={rule.id: rule.quote for rule in ruleset.rules} if ruleset else {})
    neighbours = [row.pk for row in visible_rows(store, viewer, batch_id)]
    if application_pk in neighbours:
        at = neighbours.index(application_pk)
        view.previous_pk = neighbours[at - 1] if at > 0 else None
        view.next_pk = neighbours[at + 1] if at + 1 < len(neighbours) else None
    return view


SCALAR = (str, int, float, bool)


ALWAYS_SHOWN = ("recommender",)  # a reviewer can name the recommending unit where no 推荐表 does


def fact_rows_of(record: dict[str, Any], ruleset: RuleSet | None) -> list[FactRow]:
    """domain.md's compared keys first (claim beside document; staff counts as the rule set counts the
    roster), then every other fact and claim."""
    facts, claims = record.get("facts") or {}, record.get("claims") or {}
    sure = {m["key"] for m in record.get("mismatches") or []}
    unsure = {m["key"] for m in record.get("mismatches_unsure") or []}
    staff = facts.get("staff") or {}
    counted = extracted_counts(ruleset, Application.of_record(record)) if ruleset and staff else {}
    derived = {key: {"value": value, "confidence": staff.get("confidence"), "evidence": staff.get("evidence") or []}
               for key, value in counted.items()}
    rows, seen = [], set()
    for key in [*MISMATCH_KEYS, *ALWAYS_SHOWN, *facts, *claims]:
        fact_key = FACT_FOR_CLAIM.get(key, key)
        if key in seen or fact_key in seen or key in ("staff", "premises", "photo_hashes"):
            continue
        seen.update({key, fact_key})
        extracted, claimed = facts.get(fact_key) or derived.get(fact_key), claims.get(key)
        if extracted is None and claimed is None and key not in ALWAYS_SHOWN:
            continue
        value = (extracted or {}).get("value")
        rows.append(FactRow(fact_key, FACT_NAMES.get(key, key), extracted, claimed,
                            "sure" if key in sure else "unsure" if key in unsure else None,
                            fact_key not in derived and (value is None or isinstance(value, SCALAR))))
    return rows


@dataclass(frozen=True)
class StoredPage:
    """A stored page and the submitted file it was read from."""

    batch_path: str
    source: str
    path: str
    kind: str
    sha256: str
    page: PageText


def page_of(store: Store, viewer: Viewer, application_pk: int, page_id: int) -> StoredPage | None:
    """A stored page, only when it belongs to a file of an application this viewer may see (the browser
    names ids, never paths)."""
    with store.sessions() as session:
        app = session.get(StoredApplication, application_pk)
        if app is None or not may_see(viewer, app.unit):
            return None
        page = session.get(Page, page_id)
        if page is None:
            return None
        stored = session.scalars(select(File).where(File.application_pk == app.id, File.sha256 == page.content_sha256)
                                 .order_by(File.path).limit(1)).first()
        if stored is None:
            return None
        return StoredPage(app.batch.path, app.source, stored.path, stored.kind, stored.sha256, row_to_page(page))


def reevaluations(store: Store, viewer: Viewer, limit: int = 20) -> list[dict[str, Any]]:
    """The newest re-evaluations, each with the decision changes this viewer may see."""
    visible = {row.pk for row in visible_rows(store, viewer)}
    with store.sessions() as session:
        rows = list(session.scalars(select(Reevaluation).order_by(Reevaluation.id.desc()).limit(limit)))
    return [{"id": row.id, "at": row.at, "ruleset": row.ruleset, "as_of": row.as_of, "applications": row.applications,
             "changes": [change for change in row.changes if change.get("application_pk") in visible]} for row in rows]
