"""What an extractor returns for one document: facts (and, for the report, claims) with evidence."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field

from extractors.layout import DocumentText
from models.results import Evidence, Fact

__all__ = ["Extraction", "Extractor", "fact"]


class Extraction(BaseModel):
    """Facts read from one document; `claims` only from the application report."""

    facts: dict[str, Fact] = Field(default_factory=dict)
    claims: dict[str, Fact] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)  # why a value was left out (Chinese, for reviewers)
    # Other values the document gives for a key (a party named otherwise in the signature block): the
    # application's other papers may show which one is right (pipeline/facts.py).
    alternatives: dict[str, list[Any]] = Field(default_factory=dict)

    def add(self, key: str, value: Any, confidence: float, evidence: list[Evidence], claim: bool = False) -> None:
        """Keep a value unless one is already there (the first reading wins)."""
        target = self.claims if claim else self.facts
        if value is not None and key not in target:
            target[key] = fact(value, confidence, evidence)


Extractor = Callable[[DocumentText], Extraction]


def fact(value: Any, confidence: float, evidence: list[Evidence]) -> Fact:
    """A Fact with its confidence rounded for storage."""
    return Fact(value=value, confidence=round(max(0.0, min(confidence, 1.0)), 3), evidence=evidence)
