"""Re-evaluation: every stored application judged again under a rule set, from its stored facts alone."""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from typing import Any

from models.rules import RuleSet
from pipeline.review import as_overrides, reviewed
from pipeline.store import Store

__all__ = ["DecisionChange", "Reevaluation", "reevaluate"]


@dataclass
class DecisionChange:
    """An application whose decision the rule set changed, and the rules whose verdict moved."""

    application_id: str
    before: str | None  # the decision as stored before (None: never decided)
    before_ruleset: str
    after: str
    rules: list[tuple[str, str | None, str, str]] = field(default_factory=list)  # (id, before, after, new reason)
    application_pk: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"application_pk": self.application_pk, "application_id": self.application_id, "before": self.before,
                "before_ruleset": self.before_ruleset, "after": self.after, "rules": [list(rule) for rule in self.rules]}


@dataclass
class Reevaluation:
    """What one re-evaluation did: the new records (results.jsonl lines), and whose decision changed."""

    records: list[dict[str, Any]]
    changes: list[DecisionChange]


def reevaluate(store: Store, ruleset: RuleSet, as_of: str | None = None) -> Reevaluation:
    """Each application's newest stored record judged under `ruleset` (at `as_of`, else its own), stored
    beside the earlier ones (one per application, rule set version and as-of), compared with the newest."""
    # Thousands of JSON records make millions of small dicts and lists, none in a cycle: Python's
    # cycle collector would walk them again and again for nothing (a third of the time, measured).
    store.remember_ruleset(ruleset)
    collecting = gc.isenabled()
    gc.disable()
    try:
        stored = list(store.latest_results())
        events = store.review_events(pk for _batch, pk, _before in stored)
        # The batch's flags (a photo or a person in two applications) rest on facts, which do not change
        # here: `judge` keeps them as process found them. Reviewers' overrides stay applied.
        records = [reviewed(ruleset, before, as_overrides(events.get(pk, [])), as_of) for _batch, pk, before in stored]
        store.save_results([(pk, None, record) for (_batch, pk, _before), record in zip(stored, records, strict=True)])
    finally:
        if collecting:
            gc.enable()
    changes = [_change(pk, before, after) for (_batch, pk, before), after in zip(stored, records, strict=True)
               if before.get("decision") != after["decision"]]
    store.save_reevaluation(ruleset.label, as_of, len(records), [change.as_dict() for change in changes])
    return Reevaluation(records, changes)


def _change(application_pk: int, before: dict[str, Any], after: dict[str, Any]) -> DecisionChange:
    """The decision's move and the rules behind it."""
    old = {rule["id"]: rule["status"] for rule in before.get("rules") or []}
    moved = [(rule["id"], old.get(rule["id"]), rule["status"], rule["reason"])
             for rule in after["rules"] if old.get(rule["id"]) != rule["status"]]
    return DecisionChange(after["application_id"], before.get("decision"),
                          f"{before.get('ruleset')} {before.get('ruleset_version')}", after["decision"], moved,
                          application_pk)
