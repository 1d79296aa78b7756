"""Documents' facts → one application's facts and claims, as results.jsonl carries them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from extractors.validate import name_standing
from extractors.values import compact
from models.results import Fact

__all__ = ["merge_extractions"]

# One value per document, gathered into a list.
LIST_FACTS = {"photo_taken_at", "photo_hashes"}
# Compared against the sum over all premises documents (domain.md).
SUMMED_FACTS = {"premises_area_m2"}
# Every document's values together, each once, in order: the activity dates a summary, notices and
# sign-in sheets show.
UNION_FACTS = {"service_activity_dates"}
PREMISES_TYPES = {"lease_contract": "lease", "property_certificate": "property"}


# Names of the applicant on papers other than its licence: where a paper names it in more than one place
# (a lease's party block and its signature block, a search list's entries), the reading that agrees
# with the licence is the one to keep.
# A key read together with a name key: where the name is taken from a paper's other reading, so is it.
PAIRED_READINGS = {"credit_subject_name": "credit_subject_code"}
APPLICANT_NAMES = ("premises_lessee", "premises_owner", "credit_subject_name", "ccgp_subject_name", "roster_org_name")
LICENCE_TYPES = ("business_license", "legal_person_certificate")


def _value(extraction: dict[str, Any], section: str, key: str) -> Any:
    """A stored extraction's value of one fact or claim."""
    return ((extraction.get(section) or {}).get(key) or {}).get("value")


def _first_value(documents: Iterable[tuple[str, str, dict[str, Any]]], doc_types: tuple[str, ...], key: str) -> Any:
    """A key's value as the first document of these types gives it (a licence's facts, the report's claims)."""
    return next((v for _path, doc_type, extraction in documents if doc_type in doc_types
                 and (v := _value(extraction, "claims" if doc_type == "application_report" else "facts", key))), None)


def applicant_name(documents: list[tuple[str, str, dict[str, Any]]]) -> str | None:
    """The applicant's name as its licence gives it, else as its report claims it."""
    return _first_value(documents, LICENCE_TYPES, "org_name") or _first_value(documents, ("application_report",), "org_name")


def name_the_papers_agree_on(documents: list[tuple[str, str, dict[str, Any]]]) -> str | None:
    """The applicant's name as its report and at least one other paper print it alike (lease, screenshots, roster),
    where the licence's reading is that name read imperfectly (a character or two apart, a bracketed form lost), or
    read as something else while its credit code is the report's: the licence's scan was misread, not the papers.
    None when the papers do not agree or the licence agrees."""
    licence_name = _first_value(documents, LICENCE_TYPES, "org_name")
    claimed = _first_value(documents, ("application_report",), "org_name")
    if not licence_name or not isinstance(claimed, str):
        return None
    # The report's own name must be on another paper too: a similarly named company's lease and screenshot do not
    # outvote the licence and the applicant's own statement.
    seconded = any(isinstance(v := _value(extraction, "facts", key), str) and compact(v) == compact(claimed)
                   for _path, doc_type, extraction in documents if doc_type not in LICENCE_TYPES
                   for key in APPLICANT_NAMES)
    if not seconded:
        return None
    standing = name_standing(licence_name, claimed)
    if standing == "unsure":
        return claimed
    # However far off the licence's name reads, its credit code is the report's: the same entity, the name misread.
    code = _first_value(documents, LICENCE_TYPES, "credit_code")
    same_code = bool(code) and code == _first_value(documents, ("application_report",), "credit_code")
    return claimed if standing == "other" and same_code else None


def agreeing_reading(doc_facts: dict[str, Fact], alternatives: dict[str, list[Any]], applicant: str | None) -> None:
    """Where a paper's own other reading of an applicant-name key is the applicant's name and the first
    is not, the agreeing one is taken (its confidence kept, the other reading kept beside it)."""
    if not applicant:
        return
    for key in APPLICANT_NAMES:
        fact = doc_facts.get(key)
        if fact is None or compact(str(fact.value)) == compact(applicant):
            continue
        others = alternatives.get(key, [])
        at = next((i for i, v in enumerate(others) if compact(str(v)) == compact(applicant)), None)
        if at is None:
            continue
        fact.other_reading = fact.value  # type: ignore[attr-defined]
        fact.value = others[at]
        # A search list's entry brings the code printed under it (the page's first code was another's).
        paired = PAIRED_READINGS.get(key)
        codes = alternatives.get(paired, []) if paired else []
        if paired in doc_facts and at < len(codes) and codes[at]:
            doc_facts[paired].other_reading = doc_facts[paired].value  # type: ignore[attr-defined]
            doc_facts[paired].value = codes[at]


PARTY_KEYS = ("premises_lessee", "premises_lessor", "premises_owner")


def _compatible(first: dict[str, Any], later: dict[str, Any]) -> bool:
    """Could two premises papers' facts be pages of one contract? Every key both read agrees: a party as one
    entity read imperfectly may (a signature page's 黄石声嘉禾 for 黄石市嘉禾), an address only in a shorter form
    (another room of the building is other premises), other values alike."""
    for key in set(first) & set(later):
        a, b = first[key].get("value"), later[key].get("value")
        if a is None or b is None:
            continue
        if key in PARTY_KEYS:
            if name_standing(a, b) == "other":
                return False
        elif key == "premises_address":
            x, y = compact(str(a)), compact(str(b))
            if x not in y and y not in x:
                return False
        elif a != b:
            return False
    return True


def pages_of_one_contract(documents: list[tuple[str, str, dict[str, Any]]]) -> list[tuple[str, str, dict[str, Any]]]:
    """A lease (or certificate) photographed or scanned one page per file (IMG_6696.JPG, IMG_6697.JPG) → one document:
    a premises paper joins the one before it when both are of that type, in the same folder, one after the other,
    and nothing either reads contradicts the other (the first page's parties and area, the second's term, the last
    page's signatures). The first page's path names it; each fact keeps the page it was read on."""
    joined: list[tuple[str, str, dict[str, Any]]] = []
    for path, doc_type, extraction in documents:
        if joined:
            last_path, last_type, last = joined[-1]
            same_folder = last_path.rpartition("/")[0] == path.rpartition("/")[0]
            facts, last_facts = extraction.get("facts") or {}, last.get("facts") or {}
            if (doc_type in PREMISES_TYPES and doc_type == last_type and same_folder
                    and _compatible(last_facts, facts)):
                alternatives = dict(last.get("alternatives") or {})
                for key, values in (extraction.get("alternatives") or {}).items():
                    alternatives[key] = [*alternatives.get(key, []), *values]
                joined[-1] = (last_path, last_type, {**last, "facts": {**facts, **last_facts},
                                                     "alternatives": alternatives})
                continue
        joined.append((path, doc_type, extraction))
    return joined


def merge_extractions(documents: Iterable[tuple[str, str, dict[str, Any]]]) -> tuple[dict[str, Fact], dict[str, Fact]]:
    """(facts, claims) from (path, doc_type, extraction) in document order, leases before property
    certificates (the premises named first are the rented ones), a contract's pages as one; the first
    reading of a key wins."""
    documents = pages_of_one_contract(list(documents))
    agreed = name_the_papers_agree_on(documents)
    applicant = agreed or applicant_name(documents)
    facts: dict[str, Fact] = {}
    claims: dict[str, Fact] = {}
    premises: list[dict[str, Any]] = []
    premises_confidence: list[float] = []
    premises_evidence = []
    for path, doc_type, extraction in sorted(documents, key=lambda document: document[1] == "property_certificate"):
        doc_facts = {key: Fact.model_validate(value) for key, value in (extraction.get("facts") or {}).items()}
        agreeing_reading(doc_facts, extraction.get("alternatives") or {}, applicant)
        for key, value in (extraction.get("claims") or {}).items():
            claims.setdefault(key, Fact.model_validate(value))
        if doc_type in PREMISES_TYPES and doc_facts:
            premises.append(_premises_entry(path, PREMISES_TYPES[doc_type], doc_facts))
            premises_confidence.append(_premises_confidence(doc_facts))
            premises_evidence += [e for f in doc_facts.values() for e in f.evidence][:1]
        for key, found in doc_facts.items():
            if key in LIST_FACTS:
                merged = facts.setdefault(key, Fact(value=[], confidence=found.confidence, evidence=[]))
                merged.value.append(found.value)
                merged.confidence = min(merged.confidence or 1.0, found.confidence or 1.0)
                merged.evidence += found.evidence
            elif key in UNION_FACTS and key in facts:
                merged = facts[key]
                merged.value = sorted(set(merged.value) | set(found.value))
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
    if agreed and "org_name" in facts:
        # The licence's misread name gives way to the name its other papers agree on; less sure than a clean reading.
        found = facts["org_name"]
        found.other_reading = found.value  # type: ignore[attr-defined]
        far = name_standing(found.value, agreed) == "other"
        found.value, found.confidence = agreed, round(min(found.confidence or 1.0, 0.7 if far else 0.85), 3)
    return facts, claims


# What the rules read of a premises paper: whose it is, how large, for how long (not the lessor or the address).
PREMISES_DECIDING = ("premises_lessee", "premises_owner", "premises_area_m2", "premises_lease_start", "premises_lease_end")


def _premises_confidence(doc_facts: dict[str, Fact]) -> float:
    """How surely a premises paper's deciding facts were read; its other facts when it has none of them."""
    deciding = [fact for key, fact in doc_facts.items() if key in PREMISES_DECIDING] or list(doc_facts.values())
    return min((fact.confidence or 0.0) for fact in deciding)


def _premises_entry(path: str, kind: str, doc_facts: dict[str, Fact]) -> dict[str, Any]:
    def value(key: str) -> Any:
        return doc_facts[key].value if key in doc_facts else None

    def confidence(*keys: str) -> float | None:
        read = [doc_facts[key].confidence or 0.0 for key in keys if key in doc_facts]
        return min(read) if read else None

    holder_key = "premises_lessee" if kind == "lease" else "premises_owner"
    holder = value(holder_key)
    # how surely each deciding part was read, so a verdict knows which reading it rests on
    return {"kind": kind, "holder": holder, "holder_confidence": confidence(holder_key), "area_confidence": confidence("premises_area_m2"),
            "term_confidence": confidence("premises_lease_start", "premises_lease_end"), "lessor": value("premises_lessor"), "address": value("premises_address"),
            "area_m2": value("premises_area_m2"), "start": value("premises_lease_start"),
            "end": value("premises_lease_end"), "path": path}
