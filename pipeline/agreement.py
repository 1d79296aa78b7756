"""Cross-document agreement: the applicant's name and credit code as each of its papers reads them.

The licence, the report, the credit screenshots, the roster and the premises papers all name the
applicant. Papers read apart (another scan, another recogniser's mistakes) that print the same name
make each reading surer; a reading that alone differs from names the others agree on, and differs
as a misreading would (a character or two, a bracket lost), is the doubtful one. Computed from a
stored record at judging time, so the stored facts keep the confidence their reading gave them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from extractors.validate import name_standing
from extractors.values import compact

__all__ = ["Agreement", "Reading", "agreement_of", "reading_confidence", "readings_of", "weighed"]

# Papers other than the licence that name the applicant: (section, key, what the reviewer calls the paper).
NAME_READINGS = (("claims", "org_name", "申请报告"), ("facts", "credit_subject_name", "信用中国截图"),
                 ("facts", "ccgp_subject_name", "政府采购网截图"), ("facts", "roster_org_name", "人员名册"))
CODE_READINGS = (("claims", "credit_code", "申请报告"), ("facts", "credit_subject_code", "信用中国截图"))
# Two independent readings alike are wrong alike only if both are wrong the same way; the combined odds
# are capped short of a typed text's certainty.
AGREED_CEILING = 0.995
# A lone reading that differs from what two or more other papers agree on, as a misreading would.
LONE_CEILING = 0.5
# Keys that read the applicant's name or code → the licence's key they should equal.
APPLICANT_KEYS = {"org_name": "org_name", "credit_subject_name": "org_name", "ccgp_subject_name": "org_name",
                  "roster_org_name": "org_name", "credit_code": "credit_code", "credit_subject_code": "credit_code"}


@dataclass(frozen=True)
class Reading:
    """One paper's reading of the applicant's name or code."""

    source: str  # 营业执照, 申请报告, 信用中国截图 …
    section: str  # facts | claims
    key: str
    value: str
    confidence: float  # as read (a typed text layer: 1.0)


@dataclass
class Agreement:
    """One licence key (org_name, credit_code) across the papers: who agrees, who differs, and the
    confidence the licence's value earns from them."""

    key: str
    value: str | None
    confidence: float | None
    agree: list[str] = field(default_factory=list)  # papers reading the licence's value alike
    differ: list[dict[str, Any]] = field(default_factory=list)  # {"source", "value", "lone"}

    def as_record(self) -> dict[str, Any]:
        return {"key": self.key, "value": self.value, "confidence": self.confidence, "agree": self.agree,
                "differ": self.differ}


def _confidence(entry: dict[str, Any]) -> float:
    confidence = entry.get("confidence")
    return 1.0 if confidence is None else float(confidence)


def readings_of(record_facts: dict[str, Any], record_claims: dict[str, Any], key: str) -> list[Reading]:
    """Every paper's reading of the applicant's name (key org_name) or code (credit_code), the licence first."""
    sections = {"facts": record_facts, "claims": record_claims}
    found: list[Reading] = []
    licence = record_facts.get(key) or {}
    if licence.get("value"):
        # A licence value taken from the other papers (pipeline.facts) is not the licence's own reading.
        own = licence.get("other_reading") or licence["value"]
        found.append(Reading("营业执照", "facts", key, str(own), _confidence(licence)))
    for section, other_key, source in NAME_READINGS if key == "org_name" else CODE_READINGS:
        entry = sections[section].get(other_key) or {}
        if isinstance(entry.get("value"), str) and entry["value"]:
            found.append(Reading(source, section, other_key, entry["value"], _confidence(entry)))
    if key == "org_name":
        premises = record_facts.get("premises") or {}
        for place in premises.get("value") or []:
            if place.get("holder"):
                source = "租赁合同" if place.get("kind") == "lease" else "产权证"
                found.append(Reading(source, "facts", "premises", str(place["holder"]), _confidence(premises)))
    return found


def _alike(a: str, b: str, key: str) -> bool:
    return name_standing(a, b) == "same" if key == "org_name" else compact(a) == compact(b)


def _misread(a: str, b: str, key: str) -> bool:
    """Could `a` be `b` read imperfectly? Names: name_standing's unsure; codes: same length, ≤2 apart."""
    if key == "org_name":
        return name_standing(a, b) == "unsure"
    a, b = compact(a), compact(b)
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) <= 2


def weighed(reading: Reading, readings: list[Reading], key: str) -> tuple[float, list[str], bool]:
    """(confidence, papers agreeing, lone) for one reading among all: the odds it is right given every other
    paper reading it alike; LONE_CEILING when it alone differs, as a misreading would, from a value two
    other papers share."""
    others = [r for r in readings if r is not reading]
    agree = [r for r in others if _alike(r.value, reading.value, key)]
    if agree:
        doubt = 1.0 - reading.confidence
        for other in agree:
            doubt *= 1.0 - other.confidence
        combined = max(reading.confidence, min(AGREED_CEILING, 1.0 - doubt))
        return round(combined, 3), sorted({r.source for r in agree}), False
    shared = next((r for r in others if any(_alike(r.value, o.value, key) for o in others if o is not r)), None)
    if shared is not None and reading.confidence < 1.0 and _misread(reading.value, shared.value, key):  # typed: no misreading
        return round(min(reading.confidence, LONE_CEILING), 3), [], True
    return reading.confidence, [], False


def reading_confidence(record_facts: dict[str, Any], record_claims: dict[str, Any], section: str, key: str) -> float:
    """A fact's or claim's confidence once the other papers' readings of the applicant are weighed (other keys:
    as read)."""
    entry = (record_facts if section == "facts" else record_claims).get(key) or {}
    licence_key = APPLICANT_KEYS.get(key)
    if licence_key is None:
        return _confidence(entry)
    readings = readings_of(record_facts, record_claims, licence_key)
    reading = next((r for r in readings if (r.section, r.key) == (section, key)), None)
    if reading is not None and entry.get("other_reading"):
        # The licence's value was taken from the papers that agree on it: as sure as they are together.
        reading = next((r for r in readings if r.source != "营业执照" and _alike(r.value, str(entry["value"]), licence_key)),
                       None)
        return _confidence(entry) if reading is None else min(weighed(reading, readings, licence_key)[0], 0.85)
    return _confidence(entry) if reading is None else weighed(reading, readings, licence_key)[0]


def agreement_of(record_facts: dict[str, Any], record_claims: dict[str, Any], key: str) -> Agreement:
    """How the papers bear on the licence's `key` (org_name, credit_code): who reads it alike, who differs
    (a lone misreading-like difference marked), and the licence value's weighed confidence."""
    readings = readings_of(record_facts, record_claims, key)
    licence = record_facts.get(key) or {}
    if not readings or readings[0].source != "营业执照":
        return Agreement(key, None, None)
    confidence, agree, _lone = weighed(readings[0], readings, key)
    result = Agreement(key, str(licence.get("value")), confidence, agree=agree)
    for reading in readings[1:]:
        if not _alike(reading.value, readings[0].value, key):
            result.differ.append({"source": reading.source, "value": reading.value,
                                  "lone": weighed(reading, readings, key)[2]})
    return result
