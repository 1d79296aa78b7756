"""Documents' facts → one application's facts and claims, as results.jsonl carries them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from models.results import Fact

__all__ = ["merge_extractions"]

# One value per document, gathered into a list.
LIST_FACTS = {"photo_taken_at", "photo_hashes"}
# Compared against the sum over all premises documents (domain.md).
SUMMED_FACTS = {"premises_area_m2"}
PREMISES_TYPES = {"lease_contract": "lease", "property_certificate": "property"}


def merge_extractions(documents: Iterable[tuple[str, str, dict[str, Any]]]) -> tuple[dict[str, Fact], dict[str, Fact]]:
    """(facts, claims) from (path, doc_type, extraction) in document order, leases before property
    certificates (the premises named first are the rented ones); the first reading of a key wins."""
    facts: dict[str, Fact] = {}
    claims: dict[str, Fact] = {}
    premises: list[dict[str, Any]] = []
    premises_confidence: list[float] = []
    premises_evidence = []
    for path, doc_type, extraction in sorted(documents, key=lambda document: document[1] == "property_certificate"):
        doc_facts = {key: Fact.model_validate(value) for key, value in (extraction.get("facts") or {}).items()}
        for key, value in (extraction.get("claims") or {}).items():
            claims.setdefault(key, Fact.model_validate(value))
        if doc_type in PREMISES_TYPES and doc_facts:
            premises.append(_premises_entry(path, PREMISES_TYPES[doc_type], doc_facts))
            premises_confidence.append(min((f.confidence or 0.0) for f in doc_facts.values()))
            premises_evidence += [e for f in doc_facts.values() for e in f.evidence][:1]
        for key, found in doc_facts.items():
            if key in LIST_FACTS:
                merged = facts.setdefault(key, Fact(value=[], confidence=found.confidence, evidence=[]))
                merged.value.append(found.value)
                merged.confidence = min(merged.confidence or 1.0, found.confidence or 1.0)
                merged.evidence += found.evidence
            elif key in SUMMED_FACTS and key in facts:
                merged = facts[key]
                merged.value = round(merged.value + found.value, 2)
                merged.confidence = min(merged.confidence or 1.0, found.confidence or 1.0)
                merged.evidence += found.evidence
            elif key not in facts:
                facts[key] = found.model_copy(deep=True)
    if premises:
        facts["premises"] = Fact(value=premises, confidence=min(premises_confidence),
                                 evidence=premises_evidence)
    return facts, claims


def _premises_entry(path: str, kind: str, doc_facts: dict[str, Fact]) -> dict[str, Any]:
    def value(key: str) -> Any:
        return doc_facts[key].value if key in doc_facts else None

    holder = value("premises_lessee") if kind == "lease" else value("premises_owner")
    return {"kind": kind, "holder": holder, "lessor": value("premises_lessor"), "address": value("premises_address"),
            "area_m2": value("premises_area_m2"), "start": value("premises_lease_start"),
            "end": value("premises_lease_end"), "path": path}
