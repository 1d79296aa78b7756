"""The data model shared by every stage: pydantic records for what crosses a boundary."""

from models.results import (
    ApplicationResult,
    DocumentResult,
    Evidence,
    Fact,
    Flag,
    Mismatch,
    RuleResult,
)

__all__ = [
    "ApplicationResult",
    "DocumentResult",
    "Evidence",
    "Fact",
    "Flag",
    "Mismatch",
    "RuleResult",
]
