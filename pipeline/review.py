"""Reviewers' decisions on top of the machine's: facts and verdicts overridden, documents' types corrected.

They are kept as review events (the audit trail, never deleted) and applied each time an application is
judged, by `process`, `reevaluate` and the web application alike, so no later run undoes them. A
results record carries the machine's value beside each override (`overridden`), so the record with
every override taken away is always at hand."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from typing import Any

from models.rules import RuleSet
from pipeline.verdicts import decide, judge

__all__ = ["ACCEPT", "DOC_TYPE", "FACT", "VERDICT", "Override", "apply_fact_overrides", "apply_verdict_overrides", "as_overrides",
           "document_key",
           "doc_type_corrections", "latest_overrides", "parse_fact_value", "reviewed", "without_overrides"]

FACT, VERDICT, DOC_TYPE, ACCEPT = "fact", "verdict", "doc_type", "accept"
ACTIONS = (FACT, VERDICT, DOC_TYPE, ACCEPT)
STATUSES = ("pass", "fail", "review")
DATE_FACTS = ("registration_date", "credit_query_date", "ccgp_query_date")


@dataclass(frozen=True)
class Override:
    """A reviewer's newest word on one fact, verdict or document type of an application."""

    action: str
    key: str
    new_value: Any
    reason: str
    by: str
    at: str  # ISO time


def latest_overrides(events: list[Override]) -> dict[tuple[str, str], Override]:
    """The newest override of each (action, key), from events oldest first (accepts are not overrides)."""
    return {(event.action, event.key): event for event in events if event.action in (FACT, VERDICT, DOC_TYPE)}


def doc_type_corrections(events: list[Override]) -> dict[str, str]:
    """Corrected document types by "path#page_start"."""
    return {key: event.new_value for (action, key), event in latest_overrides(events).items() if action == DOC_TYPE}


def without_overrides(record: dict[str, Any]) -> dict[str, Any]:
    """The record as the machine made it: each overridden fact back to what was read (or gone, if
    nothing was), verdicts left for `judge` to make again."""
    facts = {}
    for key, fact in (record.get("facts") or {}).items():
        overridden = fact.get("overridden")
        if overridden is None:
            facts[key] = fact
        elif overridden.get("machine") is not None:
            restored = {k: v for k, v in fact.items() if k != "overridden"}
            facts[key] = restored | overridden["machine"]
    return {**record, "facts": facts}


def apply_fact_overrides(record: dict[str, Any], events: list[Override]) -> dict[str, Any]:
    """The record with each overridden fact set to the reviewer's value (confidence 1, evidence kept)."""
    facts = dict(record.get("facts") or {})
    for (action, key), event in latest_overrides(events).items():
        if action != FACT:
            continue
        before = facts.get(key)
        machine = None if before is None else {"value": before.get("value"), "confidence": before.get("confidence")}
        facts[key] = {"value": event.new_value, "confidence": 1.0,
                      "evidence": copy.deepcopy(before.get("evidence", [])) if before else [],
                      "overridden": {"by": event.by, "at": event.at, "reason": event.reason, "machine": machine}}
    return {**record, "facts": facts}


def apply_verdict_overrides(ruleset: RuleSet, record: dict[str, Any], events: list[Override]) -> dict[str, Any]:
    """The judged record with each overridden rule's status set by the reviewer, and the decision made again."""
    overrides = {key: event for (action, key), event in latest_overrides(events).items() if action == VERDICT}
    if not overrides:
        return record
    rules = []
    for rule in record["rules"]:
        event = overrides.get(rule["id"])
        if event is not None:
            rule = {**rule, "status": event.new_value, "reason": f"评审人员改判：{event.reason}",
                    "overridden": {"by": event.by, "at": event.at, "reason": event.reason,
                                   "machine": {"status": rule["status"], "reason": rule["reason"]}}}
        rules.append(rule)
    recognitions = ((record.get("claims") or {}).get("recognitions") or {}).get("value") or []
    return {**record, "rules": rules, "decision": decide(ruleset, rules, list(recognitions))}


def reviewed(ruleset: RuleSet, record: dict[str, Any], events: list[Override], as_of: str | None = None) -> dict[str, Any]:
    """`judge` with the reviewers' overrides applied: facts before the rules read them, verdicts after."""
    base = apply_fact_overrides(without_overrides(record), events)
    return apply_verdict_overrides(ruleset, judge(ruleset, base, as_of), events)


def parse_fact_value(key: str, text: str, current: Any) -> Any:
    """A reviewer's typed value as the fact's own type (the current value's, or a date for date keys);
    ValueError with a message in Chinese."""
    text = text.strip()
    if not text:
        raise ValueError("请填写新的值")
    if key in DATE_FACTS or key.endswith("_date"):
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValueError(f"日期格式应为 YYYY-MM-DD：{text}") from None
    if isinstance(current, bool):
        if text in ("是", "true", "True", "1"):
            return True
        if text in ("否", "false", "False", "0"):
            return False
        raise ValueError(f"应填“是”或“否”：{text}")
    if isinstance(current, int | float):
        try:
            number = float(text.replace(",", "").replace("，", ""))
        except ValueError:
            raise ValueError(f"应为数字：{text}") from None
        return int(number) if isinstance(current, int) and number.is_integer() else number
    return text


def as_overrides(events: list[Any]) -> list[Override]:
    """Stored review events (models.store.ReviewEvent, with their accounts) as overrides, oldest first."""
    return [Override(event.action, event.key, event.new_value, event.reason, event.account.name, event.at.isoformat())
            for event in events]


def document_key(path: str, page_start: int) -> str:
    """How a review event names a document: its file's path and first page."""
    return f"{path}#{page_start}"
