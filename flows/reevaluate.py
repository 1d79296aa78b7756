"""The re-evaluation flow: every stored application judged again under a rule set, no file read."""

from __future__ import annotations

from prefect import flow

from pipeline.reading import close_store, store_for
from pipeline.reevaluate import Reevaluation, reevaluate
from rules import load_ruleset

__all__ = ["reevaluate_stored"]


def judge_stored_again(rules: str, as_of: str | None = None, db: str | None = None) -> Reevaluation:
    """`pipeline.reevaluate.reevaluate` over the store at `db`, as one flow run (a second or two of work:
    one task would only add its overhead)."""
    try:
        return reevaluate(store_for(db), load_ruleset(rules), as_of)
    finally:
        close_store(db)


reevaluate_stored = flow(name="shenhe-reevaluate", validate_parameters=False)(judge_stored_again)
