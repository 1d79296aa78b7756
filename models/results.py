"""One application's results, in the fixed `results.jsonl` shape of interface.md."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field

Decision = Literal["eligible", "ineligible", "needs_review"]
RuleStatus = Literal["pass", "fail", "review"]
RuleBasis = Literal["evidence", "claim", "none"]

DEGREES = ("博士", "硕士", "本科", "大专", "中专", "高中", "其他")
TITLES = ("高级", "副高级", "中级", "初级", "无")


class _Open(BaseModel):
    """A record that keeps keys it does not know: interface.md allows more keys."""

    model_config = ConfigDict(extra="allow")


class Evidence(_Open):
    """Where a value was read: file, page, box on the page image, and the text."""

    path: str
    page: int | None = None
    bbox: list[float] | None = None
    text: str | None = None


class Fact(_Open):
    """A value read from the documents (or claimed by the applicant) with its evidence."""

    value: Any
    confidence: float | None = None
    evidence: list[Evidence] = Field(default_factory=list)


class DocumentResult(_Open):
    """One document of an application: a file, or a page range of a bundled PDF."""

    path: str
    sha256: str
    doc_type: str | None
    pages: int | None = None
    status: Literal["ok", "error"] = "ok"
    error: str | None = None


class Mismatch(_Open):
    """A key where the applicant's claim and the documents disagree."""

    key: str
    claimed: Any
    extracted: Any


class RuleResult(_Open):
    """One rule's verdict, the article it enforces and a one-line reason in Chinese."""

    id: str
    article: str
    status: RuleStatus
    basis: RuleBasis
    reason: str
    params: dict[str, Any] = Field(default_factory=dict)  # the rule file's parameters it applied
    facts_used: list[str] = Field(default_factory=list)  # keys of `facts` it read (their values and evidence)


class Flag(_Open):
    """Something a reviewer should look at that no rule decides."""

    code: str
    detail: str


class ApplicationResult(_Open):
    """One line of results.jsonl."""

    application_id: str
    ruleset: str
    ruleset_version: str
    as_of: str
    decision: Decision | None = None
    documents: list[DocumentResult] = Field(default_factory=list)
    facts: dict[str, Fact] = Field(default_factory=dict)
    claims: dict[str, Fact] = Field(default_factory=dict)
    mismatches: list[Mismatch] = Field(default_factory=list)
    rules: list[RuleResult] = Field(default_factory=list)
    flags: list[Flag] = Field(default_factory=list)


def recommending_unit(record: dict[str, Any]) -> str | None:
    """谁推荐谁负责: the unit a reviewer set, else the batch's own assignment (推荐单位.csv), else the 推荐表's."""
    recommender = (record.get("facts") or {}).get("recommender") or {}
    if recommender.get("overridden"):
        return recommender.get("value")
    return record.get("assigned_unit") or recommender.get("value")


def summary_of(record: dict[str, Any]) -> dict[str, Any]:
    """What lists and filters need of a results record, small enough to read hundreds at once."""
    facts, claims = record.get("facts") or {}, record.get("claims") or {}

    def value(key: str) -> Any:
        for source in (facts, claims):
            found = (source.get(key) or {}).get("value")
            if found not in (None, ""):
                return found
        return None

    rules = record.get("rules") or []
    return {"application_id": record.get("application_id"), "decision": record.get("decision"),
            "ruleset": record.get("ruleset"), "ruleset_version": record.get("ruleset_version"),
            "as_of": record.get("as_of"), "org_name": value("org_name"), "credit_code": value("credit_code"),
            "unit": recommending_unit(record),
            "rules": {rule["id"]: rule["status"] for rule in rules},
            "flags": sorted({flag["code"] for flag in record.get("flags") or []}),
            "mismatches": [m["key"] for m in record.get("mismatches") or []],
            "overridden": sum(1 for f in facts.values() if f.get("overridden")) + sum(1 for r in rules if r.get("overridden")),
            "file_errors": sum(1 for d in record.get("documents") or [] if d.get("status") == "error")}


def write_results(records: Iterable[ApplicationResult | dict[str, Any]], path: Path) -> None:
    """Write records (or their JSON-ready dumps) as results.jsonl: one UTF-8 JSON object per line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            payload = record if isinstance(record, dict) else record.model_dump(mode="json")
            out.write(orjson.dumps(payload).decode())  # UTF-8, keys in the record's order
            out.write("\n")


def read_results_lines(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """Yield (line number, parsed object or None, error or None) for every non-blank line."""
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                parsed = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, None, f"第{number}行不是合法的JSON：{exc.msg}"
                continue
            if not isinstance(parsed, dict):
                yield number, None, f"第{number}行不是JSON对象"
                continue
            yield number, parsed, None
