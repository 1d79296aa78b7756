"""Verdicts: an application's stored facts and claims → each rule's verdict, the decision, mismatches, flags.

Reads no file: everything comes from a results record as `process` stored it (a results.jsonl
line, as a dict), so a changed rule set re-applies to a thousand applications in seconds. Each
check is a small function named in the rule files (`check = "document_minimum"`); it returns an
`Outcome` naming which of the rule's reasons applies and the values that fill it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from extractors.validate import far_from, name_standing
from extractors.values import compact
from extractors.vocabulary import FACT_LABELS
from models.results import DEGREES, TITLES
from models.rules import Rule, RuleSet
from pipeline.agreement import agreement_of, reading_confidence
from pipeline.export import DOC_TYPE_NAMES, FACT_NAMES

__all__ = ["Application", "Verdicts", "application_flags", "batch_flags", "evaluate", "extracted_counts", "find_inconsistencies",
           "find_mismatches", "judge"]

DEGREE_RANK = {degree: len(DEGREES) - index for index, degree in enumerate(DEGREES)}  # listed highest first
TITLE_RANK = {title: len(TITLES) - index for index, title in enumerate(TITLES)}
LICENCES = ("business_license", "legal_person_certificate")
# domain.md's keys where a claim is compared with the documents; a claim whose documentary
# counterpart has another name is compared with that.
MISMATCH_KEYS = ("org_name", "credit_code", "legal_representative", "registration_date", "registered_capital_cny",
                 "premises_area_m2", "staff_fulltime_count", "staff_qualified_count", "total_assets_cny",
                 "satisfaction_rate", "smes_served_per_year")
FACT_FOR_CLAIM = {"satisfaction_rate": "service_satisfaction_rate", "smes_served_per_year": "service_smes_served"}
STAFF_FACT = {"staff_fulltime_count": "staff", "staff_qualified_count": "staff"}  # counts made from the roster
NAME_KEYS = ("org_name", "legal_representative")
BATCH_FLAG_CODES = ("photo_reused", "staff_on_two_rosters")  # flags only the whole batch can raise


@dataclass(frozen=True)
class Application:
    """What the rules read of one application: stored facts and claims, and which documents came legible."""

    as_of: date
    facts: dict[str, dict[str, Any]]  # as in results.jsonl: key → {"value", "confidence", "evidence"}
    claims: dict[str, dict[str, Any]]
    present: frozenset[str]  # doc_types of documents read without error
    unreadable: int = 0  # files that could not be read: one may be a missing material
    upload_error: str | None = None  # the application's zip could not be opened, or only in part
    doc_types: dict[str, str] = field(default_factory=dict)  # path → doc_type of each document read

    @classmethod
    def of_record(cls, record: dict[str, Any], as_of: str | None = None) -> Application:
        """What a results record offers the rules (at `as_of`, else the record's own)."""
        documents = record.get("documents") or []
        return cls(as_of=date.fromisoformat(as_of or record["as_of"]), facts=record.get("facts") or {},
                   claims=record.get("claims") or {},
                   present=frozenset(d["doc_type"] for d in documents if d.get("status") == "ok" and d.get("doc_type")),
                   unreadable=sum(1 for d in documents if d.get("status") == "error"), upload_error=record.get("error"),
                   doc_types={d["path"]: d["doc_type"] for d in documents if d.get("path") and d.get("doc_type")})

    def fact(self, key: str) -> Any:
        return self.facts[key].get("value") if key in self.facts else None

    def claim(self, key: str) -> Any:
        return self.claims[key].get("value") if key in self.claims else None

    def confidence(self, section: str, key: str) -> float:
        """How sure the reading of a fact or claim is, the applicant's other papers weighed (pipeline.agreement);
        a value without a confidence was typed (1.0)."""
        return reading_confidence(self.facts, self.claims, section, key)

    def where(self, section: str, key: str) -> str:
        """Where a reviewer finds a value: "营业执照（执照.jpg）第1页的成立日期"; the kind of paper when none was read."""
        name = FACT_NAMES.get(key, key)
        entry = (self.facts if section == "facts" else self.claims).get(key) or {}
        evidence = (entry.get("evidence") or [{}])[0]
        path = evidence.get("path")
        if not path:
            return f"{'申请报告' if section == 'claims' else '材料'}中的{name}"
        kind = DOC_TYPE_NAMES.get(self.doc_types.get(path, ""), "")
        page = f"第{evidence['page']}页" if evidence.get("page") else ""
        what = "" if name == kind else f"的{name}"  # the roster is itself the 人员名册
        return f"{kind}（{path}）{page}{what}" if kind else f"{path}{page}{what}"

    @property
    def applicant(self) -> str | None:
        """The applicant's name: the licence's, else the report's own."""
        return self.fact("org_name") or self.claim("org_name")


@dataclass
class Outcome:
    """What a check found: the reason to give (one of the rule's outcomes), status, basis, the values
    that fill the reason, and the fact keys it read."""

    case: str
    status: str
    basis: str
    values: dict[str, Any] = field(default_factory=dict)
    used: tuple[str, ...] = ()
    # The (section, key) readings a fail or review rests on; None: every key of `used`, in the section its
    # basis names (facts for evidence, claims for a claim).
    rests_on: tuple[tuple[str, str], ...] | None = None
    places: tuple[str, ...] = ()  # where to look, when the check knows better than its readings' evidence
    confidence: float | None = None  # how sure the evidence is, when the check knows better than its readings' own
    margin: int | None = None  # roster people who would have to be misread to turn a fail on the roster around


@dataclass
class Verdicts:
    """One application under one rule set."""

    rules: list[dict[str, Any]]
    decision: str
    for_reviewer: list[dict[str, str]]


# ---------------------------------------------------------------- small helpers

def _folded_name(text: Any) -> str:
    return _fold(str(text))


@lru_cache(maxsize=4096)  # the same few names are compared many times per application
def _fold(text: str) -> str:
    return compact(text).replace("【", "(").replace("】", ")")


def same_name(a: Any, b: Any) -> bool:
    """Names compared as labels are (`compact`: width folded, （ → (, no spaces), 【】 taken as ()."""
    return a is not None and b is not None and _folded_name(a) == _folded_name(b)


def add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def shown(value: Any, unit: str = "") -> str:
    """A value as a reason shows it: 80 → "80", 0.8 with unit % → "80%", 1000000.0 → "1000000"."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int | float):
        if unit == "%":
            return f"{value * 100:.4g}%"
        return f"{value:.6g}" if abs(value) < 1e6 else f"{value:.0f}"
    return str(value)


def qualifies(person: dict[str, Any], degree_at_least: str, title_at_least: str) -> bool:
    """Degree or title at or above the floor: a person with both counts once."""
    return (DEGREE_RANK.get(person.get("degree") or "其他", 0) >= DEGREE_RANK[degree_at_least]
            or TITLE_RANK.get(person.get("title") or "无", 0) >= TITLE_RANK[title_at_least])


def counted_staff(app: Application, counted: str) -> list[dict[str, Any]] | None:
    """The roster's people a rule counts (`fulltime` or `all`); None without a roster."""
    staff = app.fact("staff")
    if staff is None:
        return None
    return [p for p in staff if p.get("fulltime")] if counted == "fulltime" else list(staff)


def counted_premises(app: Application) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(premises that count, every premises document): held by the applicant; a lease covering as_of."""
    every = app.fact("premises") or []
    return [place for place in every if _premises_standing(place, app) == "counts"], every


def unsure_premises(app: Application) -> list[dict[str, Any]]:
    """Premises papers whose holder or term was not read well enough to count them or rule them out: the
    holder or the term missing, or the holder's name another paper's name with its bracketed form
    (（有限合伙）) more or less, or one character apart (an OCR misreading)."""
    return [place for place in app.fact("premises") or [] if _premises_standing(place, app) == "unsure"]


def unsure_premises_where(app: Application, unread_area: list[dict[str, Any]] = ()) -> tuple[str, ...]:
    """Each unsure premises paper and what on it was not read well enough ("租赁合同（租赁.pdf）第1页的承租方"), and
    each counted one whose area was not read."""
    pages = {item.get("path"): item.get("page") for item in (app.facts.get("premises") or {}).get("evidence") or []}
    found = []
    for place, what in [*((place, None) for place in unsure_premises(app)), *((place, "面积") for place in unread_area)]:
        kind = "租赁合同" if place.get("kind") == "lease" else "产权证"
        what = what or ("租赁期限" if name_standing(place.get("holder"), app.applicant) == "same"
                        else "承租方" if place.get("kind") == "lease" else "权利人")
        page = f"第{pages[place.get('path')]}页" if pages.get(place.get("path")) else ""
        found.append(f"{kind}（{place.get('path') or '未知文件'}）{page}的{what}")
    return tuple(found)


def staff_count_confidence(app: Application, margin: float, floor: float) -> float | None:
    """How sure a figure counted from the roster is to be off by `margin` people or more: sure when more people than
    were read doubtfully (below `floor`) would have to be misread, else as sure as those people's readings; never surer
    than the roster's rows (its own stated total disagreeing). None: a record without per-person confidences."""
    staff = app.facts.get("staff") or {}
    people = staff.get("value") or []
    if "rows_confidence" not in staff or any("confidence" not in person for person in people):
        return None
    doubtful = [person["confidence"] for person in people if person["confidence"] < floor]
    people_confidence = 1.0 if abs(margin) > len(doubtful) else min(doubtful)
    return min(staff["rows_confidence"], people_confidence)


def premises_fail_confidence(app: Application) -> float | None:
    """How sure a premises fail is: for each paper, the reading that decided how it counts — a counted one's area,
    a paper not the applicant's its holder (sure however its characters read when far from the applicant's name:
    far_from), an expired one its term. None: a record from before the parts' confidences were kept."""
    confidences = []
    for place in app.fact("premises") or []:
        if "area_confidence" not in place:
            return None
        standing = _premises_standing(place, app)
        if standing == "counts":
            confidence = place["area_confidence"]
        elif name_standing(place.get("holder"), app.applicant) != "same":
            holder_read = (place.get("holder_confidence") or 0.0) >= FAR_NAME_READ
            confidence = 1.0 if holder_read and far_from(place.get("holder"), app.applicant) else place["holder_confidence"]
        else:
            confidence = place["term_confidence"]
        confidences.append(1.0 if confidence is None else confidence)
    return min(confidences, default=None)


FAR_NAME_READ = 0.5  # a name read at least this well is read as a name at all


def _premises_standing(place: dict[str, Any], app: Application) -> str:
    """counts | unsure | refuted."""
    standing = name_standing(place.get("holder"), app.applicant)
    if standing != "same":
        return "unsure" if standing == "unsure" else "refuted"
    if place.get("kind") == "lease":
        start, end = place.get("start"), place.get("end")
        if not (start and end):
            return "unsure"
        if not date.fromisoformat(start) <= app.as_of <= date.fromisoformat(end):
            return "refuted"
    return "counts"


# ---------------------------------------------------------------- checks: (parameters, application) → outcome

def check_legal_entity(params: dict[str, Any], app: Application) -> Outcome:
    licence = any(kind in app.present for kind in LICENCES)
    code = app.fact("credit_code") or app.claim("credit_code")
    entity_type = app.fact("entity_type") or ""
    used = ("credit_code", "entity_type")
    if not licence and not code:
        return Outcome("review_none", "review", "none", used=used)
    basis = "evidence" if licence else "claim"
    if str(code or "").startswith("92") or "个体" in entity_type:
        read = (("facts" if app.fact("credit_code") else "claims", "credit_code") if str(code or "").startswith("92")
                else ("facts", "entity_type"))
        return Outcome("sole_trader", "fail", basis, used=used, rests_on=(read,))
    # A partnership's name must say so (合伙企业法 第十五条、第六十二条: 普通合伙 / 有限合伙), on the licence
    # or in the applicant's own report: a type the OCR missed is still known from the name.
    licence_name, claimed_name = str(app.fact("org_name") or ""), str(app.claim("org_name") or "")
    partnership = "合伙" in entity_type or (not entity_type and "合伙" in licence_name + claimed_name)
    if partnership and not params.get("partnership_accepted", False):
        named_by = basis if "合伙" in entity_type + licence_name else "claim"
        read = (("facts", "entity_type") if "合伙" in entity_type else ("facts", "org_name") if "合伙" in licence_name
                else ("claims", "org_name"))
        return Outcome("partnership", "fail", named_by, used=(*used, "org_name"), rests_on=(read,))
    if not licence:
        return Outcome("review_claim", "review", "claim", used=used)
    if not entity_type:
        # 公司法 第三条: a company is a legal person, and its name says it is one.
        if re.search(r"(?:有限责任公司|股份有限公司|有限公司|公司)$", licence_name) and "合伙" not in claimed_name:
            return Outcome("pass", "pass", "evidence", {"entity_type": f"主体类型未读出，名称“{licence_name}”为公司"},
                           (*used, "org_name"))
        return Outcome("review_type", "review", "evidence", used=used, rests_on=(("facts", "entity_type"),))
    return Outcome("pass", "pass", "evidence", {"entity_type": entity_type}, used)


def check_operating_years(params: dict[str, Any], app: Application) -> Outcome:
    years = params["years"]
    values = {"years": years, "as_of": app.as_of.isoformat()}
    registered = app.fact("registration_date")
    if registered:
        old_enough = add_years(date.fromisoformat(registered), years) <= app.as_of
        return Outcome("pass" if old_enough else "fail", "pass" if old_enough else "fail", "evidence",
                       {**values, "registration_date": registered}, ("registration_date",))
    term = app.fact("business_term")
    term_start = term.get("start") if isinstance(term, dict) else None
    if term_start and add_years(date.fromisoformat(term_start), years) <= app.as_of:
        # 营业期限 runs from the day of establishment (or from a later change), so its start bounds the age: a pass
        # is sure, a term starting later proves nothing.
        return Outcome("pass_term", "pass", "evidence", {**values, "term_start": term_start}, ("business_term",))
    claimed = app.claim("registration_date")
    if claimed:
        old_enough = add_years(date.fromisoformat(claimed), years) <= app.as_of
        return Outcome("review_claim" if old_enough else "fail_claim", "review" if old_enough else "fail", "claim",
                       {**values, "registration_date": claimed}, ("registration_date",),
                       (("claims", "registration_date"),))
    return Outcome("review_none", "review", "none", values)


def _at_least(value: float | None, claimed: float | None, minimum: float, values: dict[str, Any],
              used: tuple[str, ...], claim_key: str) -> Outcome:
    """A condition a document proves: the document's value decides; without it, the claim only bounds."""
    if value is not None:
        enough = value >= minimum
        return Outcome("pass" if enough else "fail", "pass" if enough else "fail", "evidence",
                       {**values, "value": value}, used)
    if claimed is None:
        return Outcome("review_none", "review", "none", values, used)
    if claimed >= minimum:
        return Outcome("review_claim", "review", "claim", {**values, "claim": claimed}, used, (("claims", claim_key),))
    return Outcome("fail_claim", "fail", "claim", {**values, "claim": claimed}, used, (("claims", claim_key),))


def check_document_minimum(params: dict[str, Any], app: Application) -> Outcome:
    return _at_least(app.fact(params["fact"]), app.claim(params["claim"]), params["minimum"], params,
                     (params["fact"],), params["claim"])


def check_staff_count(params: dict[str, Any], app: Application) -> Outcome:
    people = counted_staff(app, params["counted"])
    outcome = _at_least(None if people is None else len(people), app.claim(params["claim"]), params["minimum"],
                        params, ("staff",), params["claim"])
    if outcome.status == "fail" and outcome.basis == "evidence":
        outcome.margin = math.ceil(params["minimum"] - len(people))  # people more the roster would need to list
    return outcome


def check_qualified_staff_ratio(params: dict[str, Any], app: Application) -> Outcome:
    minimum = params["minimum"]
    people = counted_staff(app, params["counted"])
    values = {"minimum": shown(minimum, "%")}
    if people:
        qualified = sum(qualifies(p, params["degree_at_least"], params["title_at_least"]) for p in people)
        ratio = qualified / len(people)
        enough = ratio >= minimum - 1e-9  # 7 of 10 is 70 %, whatever the float says
        # how many more qualified people would make the ratio: a fail holds unless that many were misread
        margin = None if enough else math.ceil(minimum * len(people) - 1e-9) - qualified
        return Outcome("pass" if enough else "fail", "pass" if enough else "fail", "evidence",
                       {**values, "qualified": qualified, "ratio": f"{ratio:.1%}"}, ("staff",), margin=margin)
    fulltime, qualified = app.claim("staff_fulltime_count"), app.claim("staff_qualified_count")
    if not fulltime or qualified is None:
        return Outcome("review_none", "review", "none", values, ("staff",))
    ratio = qualified / fulltime
    enough = ratio >= minimum - 1e-9
    return Outcome("review_claim" if enough else "fail_claim", "review" if enough else "fail", "claim",
                   {**values, "claim": f"{ratio:.1%}"}, ("staff",),
                   (("claims", "staff_fulltime_count"), ("claims", "staff_qualified_count")))


def check_premises_area(params: dict[str, Any], app: Application) -> Outcome:
    counted, every = counted_premises(app)
    if not every:
        return _at_least(None, app.claim("premises_area_m2"), params["minimum"], params, ("premises",), "premises_area_m2")
    area = sum(place.get("area_m2") or 0 for place in counted)
    unread_area = [place for place in counted if place.get("area_m2") is None]  # an area not read is not 0 m²
    if area < params["minimum"] and (unsure_premises(app) or unread_area):
        return Outcome("review_unread", "review", "evidence", {**params, "value": area}, ("premises",),
                       places=unsure_premises_where(app, unread_area))
    why = "" if counted else "（场所证明的承租人或权利人不是申报单位，或租期未覆盖评审日）"
    outcome = _at_least(area, None, params["minimum"], {**params, "why": why}, ("premises",), "premises_area_m2")
    outcome.confidence = premises_fail_confidence(app) if outcome.status == "fail" else None
    return outcome


def check_premises_present(params: dict[str, Any], app: Application) -> Outcome:
    counted, every = counted_premises(app)
    values = {"as_of": app.as_of.isoformat()}
    if counted:
        return Outcome("pass", "pass", "evidence", values, ("premises",))
    if unsure_premises(app):  # a holder or term not read is no proof that the premises are not the applicant's
        return Outcome("review_unread", "review", "evidence", values, ("premises",), places=unsure_premises_where(app))
    if every:
        return Outcome("fail", "fail", "evidence", values, ("premises",), confidence=premises_fail_confidence(app))
    if app.claim("premises_area_m2"):
        return Outcome("review_claim", "review", "claim", values, ("premises",), (("claims", "premises_area_m2"),))
    return Outcome("review_none", "review", "none", values, ("premises",))


def check_claim_minimum(params: dict[str, Any], app: Application) -> Outcome:
    """A condition only the applicant can state: it passes on the claim unless a document contradicts it."""
    claimed, minimum = app.claim(params["claim"]), params["minimum"]
    found = app.fact(params["contradicted_by"]) if params.get("contradicted_by") else None
    used = (params["contradicted_by"],) if params.get("contradicted_by") else ()
    if found is not None and found < minimum:
        return Outcome("contradicted", "review", "evidence", {**params, "claim": claimed, "value": found}, used)
    if claimed is None:
        return Outcome("review_none", "review", "none", params, used)
    enough = claimed >= minimum
    return Outcome("pass" if enough else "fail", "pass" if enough else "fail", "claim", {**params, "claim": claimed}, used,
                   (("claims", params["claim"]),))


def check_claim_growth(params: dict[str, Any], app: Application) -> Outcome:
    now, before = app.claim(params["claim"]), app.claim(params["previous"])
    if now is None or before is None:
        return Outcome("review_none", "review", "none", params)
    grew = now > before
    return Outcome("pass" if grew else "fail", "pass" if grew else "fail", "claim",
                   {**params, "claim": now, "previous": before}, (),
                   (("claims", params["claim"]), ("claims", params["previous"])))


def check_credit_record(params: dict[str, Any], app: Application) -> Outcome:
    years = params["years"]
    window_start = add_years(app.as_of, -years)
    own_creditchina = "creditchina_report" in app.present and same_name(app.fact("credit_subject_name"), app.applicant)
    own_ccgp = "ccgp_record" in app.present and same_name(app.fact("ccgp_subject_name"), app.applicant)
    used = ("credit_penalties", "credit_dishonest_listed", "credit_abnormal_listed", "ccgp_listed",
            "credit_subject_name", "ccgp_subject_name")
    values = {"years": years}
    if own_creditchina:
        recent = [p for p in app.fact("credit_penalties") or []
                  if p.get("date") and window_start <= date.fromisoformat(p["date"]) <= app.as_of]
        undated = [p for p in app.fact("credit_penalties") or [] if not p.get("date")]
        if recent:
            first = recent[0]
            return Outcome("penalty", "fail", "evidence", {**values, "decision_date": first["date"],
                           "authority": first.get("authority") or "机关未读出",
                           "decision_no": first.get("decision_no") or "文号未读出"}, used,
                           (("facts", "credit_penalties"), ("facts", "credit_subject_name")))
        if app.fact("credit_dishonest_listed"):
            return Outcome("dishonest", "fail", "evidence", values, used,
                           (("facts", "credit_dishonest_listed"), ("facts", "credit_subject_name")))
        if undated:  # a penalty whose date was not read may be within the window: never a pass
            return Outcome("penalty_undated", "review", "evidence",
                           {**values, "decision_no": undated[0].get("decision_no") or "文号未读出"}, used,
                           (("facts", "credit_penalties"),))
    if own_ccgp and app.fact("ccgp_listed"):
        return Outcome("ccgp_listed", "fail", "evidence", values, used,
                       (("facts", "ccgp_listed"), ("facts", "ccgp_subject_name")))
    if not own_creditchina or not own_ccgp:
        some = "creditchina_report" in app.present or "ccgp_record" in app.present
        # what to check: the screenshot that is there, whose subject was not read as the applicant
        unread = tuple(("facts", key) for kind, key in (("creditchina_report", "credit_subject_name"),
                                                       ("ccgp_record", "ccgp_subject_name")) if kind in app.present)
        return Outcome("review_missing", "review", "evidence" if some else "none", values, used, unread)
    if app.fact("credit_abnormal_listed"):
        return Outcome("abnormal", "review", "evidence", values, used, (("facts", "credit_abnormal_listed"),))
    return Outcome("pass", "pass", "evidence", values, used)


def check_credit_evidence(params: dict[str, Any], app: Application) -> Outcome:
    sources = {"creditchina_report": ("信用中国", "credit_subject_name"), "ccgp_record": ("政府采购网", "ccgp_subject_name")}
    used = ("credit_subject_name", "ccgp_subject_name")
    unsure = []
    for kind, (source, key) in sources.items():
        if kind not in app.present or not app.applicant:
            continue
        standing = name_standing(app.fact(key), app.applicant)
        if standing == "other":
            return Outcome("wrong_subject", "fail", "evidence", {"source": source, "subject": app.fact(key)}, used,
                           (("facts", key),))
        if standing == "unsure":
            unsure.append((source, key, app.fact(key)))
    if unsure:  # a name not read, or read a character or two apart: the reviewer looks, never a rejection
        source, key, subject = unsure[0]
        return Outcome("unsure_subject" if subject else "unread_subject", "review", "evidence",
                       {"source": source, "subject": f"“{subject}”", "applicant": app.applicant}, used, (("facts", key),))
    missing = [source for kind, (source, _key) in sources.items() if kind not in app.present]
    if not missing:
        return Outcome("pass", "pass", "evidence", {}, used)
    return Outcome("review_missing", "review", "none", {"missing": "、".join(missing)}, used, ())  # nothing to check


def check_function_requirement(params: dict[str, Any], app: Application) -> Outcome:
    category = app.claim("service_category")
    if category in params.get("alone", {}):
        key, minimum, what = params["alone"][category]
        value = app.claim(key)
        if value is not None and value >= minimum:
            return Outcome("pass", "pass", "claim", {"category": category, "figures": f"{what}{shown(value)}"})
    needs = params["categories"].get(category)
    if needs is None:
        return Outcome("review_category", "review", "none", {}, (), (("claims", "service_category"),))
    contradicting = params.get("contradicted_by", {})
    for key, minimum, what in needs:  # a figure the service evidence states below the minimum: never on the claim
        documented = app.fact(contradicting[key]) if key in contradicting else None
        if documented is not None and documented < minimum:
            return Outcome("contradicted", "review", "evidence", {"category": category, "what": what,
                           "value": documented, "minimum": minimum}, (contradicting[key],))
    figures = []
    for key, minimum, what in needs:
        value = app.claim(key)
        if value is None:
            return Outcome("review_none", "review", "none", {"category": category, "what": what})
        if value < minimum:
            return Outcome("fail", "fail", "claim",
                           {"category": category, "what": what, "value": value, "minimum": minimum}, (),
                           (("claims", key),))
        figures.append(f"{what}{shown(value)}")
    return Outcome("pass", "pass", "claim", {"category": category, "figures": "，".join(figures)})


def check_materials_complete(params: dict[str, Any], app: Application) -> Outcome:
    missing = [DOC_TYPE_NAMES.get(kinds[0], kinds[0]) for kinds in params["required"]
               if not any(kind in app.present for kind in kinds)]
    if not missing:
        return Outcome("pass", "pass", "evidence")
    case = "review_unreadable" if app.unreadable else "fail"
    return Outcome(case, "review" if app.unreadable else "fail", "evidence", {"missing": "、".join(missing)})


CHECKS: dict[str, Callable[[dict[str, Any], Application], Outcome]] = {
    "legal_entity": check_legal_entity, "operating_years": check_operating_years,
    "document_minimum": check_document_minimum, "staff_count": check_staff_count,
    "qualified_staff_ratio": check_qualified_staff_ratio, "premises_area": check_premises_area,
    "premises_present": check_premises_present, "claim_minimum": check_claim_minimum,
    "claim_growth": check_claim_growth, "credit_record": check_credit_record,
    "credit_evidence": check_credit_evidence, "function_requirement": check_function_requirement,
    "materials_complete": check_materials_complete,
}


# ---------------------------------------------------------------- rule set → verdicts, decision

def _reason(rule: Rule, outcome: Outcome) -> str:
    """The rule's reason for the outcome, its {placeholders} filled (numbers shown in the rule's unit)."""
    unit = str(rule.params.get("unit", ""))
    values = {key: shown(value, unit) if isinstance(value, int | float) and not isinstance(value, bool) else value
              for key, value in outcome.values.items()}
    if unit == "%":
        values["unit"] = ""  # shown() already wrote the percent sign
    try:
        return rule.reasons[outcome.case].format(**values)
    except (KeyError, IndexError):  # a user's template naming a value this check has not: show it unfilled
        return rule.reasons[outcome.case]


def rests_on(outcome: Outcome) -> tuple[tuple[str, str], ...]:
    """The (section, key) readings an outcome rests on: as the check named them, else every key it used."""
    if outcome.rests_on is not None:
        return outcome.rests_on
    return tuple(("claims" if outcome.basis == "claim" else "facts", key) for key in outcome.used)


def readings_behind(outcome: Outcome, app: Application) -> list[tuple[str, str]]:
    """The readings an outcome rests on that the application holds."""
    return [(section, key) for section, key in rests_on(outcome) if key in (app.facts if section == "facts" else app.claims)]


def unread_where(outcome: Outcome, app: Application) -> list[str]:
    """Papers the application has where a key the outcome needed was looked for and not read:
    "人员名册（名册.xlsx）中未读出人员名册"."""
    found = []
    for section, key in rests_on(outcome):
        if key in (app.facts if section == "facts" else app.claims):
            continue
        papers = ("application_report",) if section == "claims" else PAPERS_READING.get(key, papers_labelling(key))
        for path, doc_type in app.doc_types.items():
            if doc_type in papers:
                found.append(f"{DOC_TYPE_NAMES.get(doc_type, doc_type)}（{path}）中未读出{FACT_NAMES.get(key, key)}")
    return list(dict.fromkeys(found))


def papers_labelling(key: str) -> tuple[str, ...]:
    """Document types (other than the report) that print a fact under one of its labels."""
    return tuple(doc_type for f in FACT_LABELS if f.key == key for doc_type in f.doc_types if doc_type != "application_report")


# Facts no label names: the papers they are read from.
PAPERS_READING = {"staff": ("staff_roster",), "premises": ("lease_contract", "property_certificate"),
                  "credit_penalties": ("creditchina_report",), "credit_dishonest_listed": ("creditchina_report",),
                  "credit_abnormal_listed": ("creditchina_report",), "ccgp_listed": ("ccgp_record",),
                  "total_assets_cny": ("audit_report",), "service_smes_served": ("service_evidence",),
                  "service_satisfaction_rate": ("service_evidence",), "service_trainees": ("service_evidence",),
                  "service_activities_count": ("service_evidence",)}


def apply_rule(rule: Rule, app: Application, sure_confidence: float) -> dict[str, Any]:
    """One rule's verdict with its reason, parameters, the keys of the facts it read (whose values and
    evidence the record's `facts` hold) and, for a fail or review, where to look (`to_check`). A fail resting
    on a reading less sure than `sure_confidence` is a review: a doubtful reading never rejects."""
    outcome = CHECKS[rule.check](rule.params, app)
    status, reason = outcome.status, _reason(rule, outcome)
    behind = readings_behind(outcome, app) if status != "pass" else []
    if outcome.margin is not None:
        outcome.confidence = staff_count_confidence(app, outcome.margin, sure_confidence)
    to_check = [{"section": section, "key": key, "where": app.where(section, key),
                 "confidence": app.confidence(section, key) if outcome.confidence is None else outcome.confidence}
                for section, key in behind]
    if status == "fail":
        doubtful = [item for item in to_check if item["confidence"] < sure_confidence]
        if doubtful:
            status = "review"
            # floored, so 0.897 reads 89 %, not a 90 % that "falls short of 90 %"
            reason += "；" + "、".join(f"所据{item['where']}识别置信度{math.floor(item['confidence'] * 100)}%" for item in doubtful)
            reason += f"，未达{sure_confidence:.0%}，不据此否决，请核对原件"
            to_check = doubtful
    elif status == "review":
        places = list(outcome.places) or [item["where"] for item in to_check] or unread_where(outcome, app)
        if places:
            reason += "（请核对：" + "、".join(places) + "）"
            # places the check named: their evidence is the fact the check read (the premises papers)
            shown_fact = next((("facts", key) for key in outcome.used if key in app.facts), (None, None))
            to_check = to_check if not outcome.places and to_check else [
                {"section": shown_fact[0], "key": shown_fact[1], "where": place, "confidence": None} for place in places]
    return {"id": rule.id, "title": rule.title, "article": rule.article, "status": status, "basis": outcome.basis,
            "outcome": outcome.case, "reason": reason, "params": rule.params, "facts_used": [key for key in outcome.used if key in app.facts],
            "to_check": to_check}


def not_failed_on_an_unread_upload(rule: dict[str, Any], upload_error: str) -> dict[str, Any]:
    """A rule's fail turned into review when the application's zip could not be read whole: what the rule
    missed may be in the part that was lost, so the upload is what the reviewer must look at first."""
    if rule["status"] != "fail":
        return rule
    return rule | {"status": "review", "reason": f"申报材料未能完整读取（{upload_error}），据已读取的材料：{rule['reason']}"}


def decide(ruleset: RuleSet, rules: list[dict[str, Any]], recognitions: list[str]) -> str:
    """Any fail → ineligible, unless 适当放宽 applies (a county-level recognition and only quantitative
    failures) → needs_review; else any review → needs_review; else eligible."""
    failed = [r["id"] for r in rules if r["status"] == "fail"]
    if failed:
        relief = ruleset.relief
        recognised = relief is not None and any(
            not any(word in recognition for word in relief.below_county) for recognition in recognitions)
        if recognised and all(rule_id in relief.rules for rule_id in failed):
            return "needs_review"
        return "ineligible"
    return "needs_review" if any(r["status"] == "review" for r in rules) else "eligible"


def evaluate(ruleset: RuleSet, app: Application) -> Verdicts:
    """Every rule of the set applied to the application, and the decision they make."""
    rules = [apply_rule(rule, app, ruleset.verdicts.sure_confidence) for rule in ruleset.rules]
    if app.upload_error:
        rules = [not_failed_on_an_unread_upload(rule, app.upload_error) for rule in rules]
    recognitions = app.claim("recognitions") or []
    return Verdicts(rules=rules, decision=decide(ruleset, rules, list(recognitions)),
                    for_reviewer=[{"article": item.article, "quote": item.quote} for item in ruleset.for_reviewer])


# ---------------------------------------------------------------- mismatches and flags

def extracted_counts(ruleset: RuleSet, app: Application) -> dict[str, Any]:
    """Staff counts the roster gives, counted as the rule set's ratio rule counts them."""
    staff = app.fact("staff")
    if staff is None:
        return {}
    ratio_rule = next((rule for rule in ruleset.rules if rule.check == "qualified_staff_ratio"), None)
    counted = counted_staff(app, ratio_rule.params["counted"]) if ratio_rule else list(staff)
    qualified = (sum(qualifies(p, ratio_rule.params["degree_at_least"], ratio_rule.params["title_at_least"])
                     for p in counted or []) if ratio_rule else None)
    counts = {"staff_fulltime_count": sum(bool(p.get("fulltime")) for p in staff)}
    if qualified is not None:
        counts["staff_qualified_count"] = qualified
    return counts


def find_mismatches(ruleset: RuleSet, app: Application) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every claim of domain.md's list that its documents contradict: numbers beyond the rule set's
    tolerance, names after folding width and brackets, anything else as written. Returned as (sure,
    unsure): an unsure one rests on a claim or document value read with less than the rule set's
    confidence, or on names `name_standing` calls unsure where either was read by OCR (text layers read 1.0)."""
    extracted = {key: fact.get("value") for key, fact in app.facts.items()} | extracted_counts(ruleset, app)
    tolerance, floor = ruleset.mismatch.relative_tolerance, ruleset.mismatch.min_confidence
    sure, unsure = [], []
    for key in MISMATCH_KEYS:
        fact_key = FACT_FOR_CLAIM.get(key, key)
        if key not in app.claims or extracted.get(fact_key) is None:
            continue
        claimed, value = app.claim(key), extracted[fact_key]
        standing = name_standing(claimed, value) if key in NAME_KEYS else None
        if isinstance(value, int | float) and not isinstance(value, bool) and isinstance(claimed, int | float):
            differs = abs(float(claimed) - float(value)) > max(tolerance * abs(float(value)), 1e-9)
        elif standing is not None:
            differs = standing != "same"
        else:
            differs = str(claimed) != str(value)
        if differs:
            source_key = STAFF_FACT.get(key, fact_key)
            confidence = app.confidence("facts", source_key) if source_key in app.facts else None
            if key in STAFF_FACT:  # a count off by more people than were read doubtfully is surely off
                counted = staff_count_confidence(app, float(claimed) - float(value), floor)
                confidence = confidence if counted is None else counted
            mismatch = {"key": key, "claimed": claimed, "extracted": value, "confidence": confidence}
            weakest = min(1.0 if confidence is None else confidence, app.confidence("claims", key))
            # A name read imperfectly (one contained in the other, a character or two apart) may be the same
            # entity: doubtful unless both sides were typed (text layers read 1.0).
            # A sum of premises areas one of whose papers' area was not read is no figure to hold against the claim.
            incomplete = key == "premises_area_m2" and any(place.get("area_m2") is None for place in app.fact("premises") or [])
            # Names no misreading could turn into each other (邱昊兰 for 范赵林建) differ surely, however their characters read.
            far = key in NAME_KEYS and standing == "other" and far_from(claimed, value) and weakest >= FAR_NAME_READ
            doubtful = incomplete or (weakest < floor and not far) or (weakest < 1.0 and key in NAME_KEYS and standing == "unsure")
            (unsure if doubtful else sure).append(mismatch)
    return sure, unsure


# Where else the papers name the applicant: (fact key, which paper, the licence's fact it should equal).
NAMED_ELSEWHERE = (("credit_subject_name", "信用中国截图的主体名称", "org_name"),
                   ("credit_subject_code", "信用中国截图的统一社会信用代码", "credit_code"),
                   ("ccgp_subject_name", "政府采购网截图的主体名称", "org_name"),
                   ("roster_org_name", "人员名册的填报单位", "org_name"))


def find_inconsistencies(app: Application) -> list[dict[str, Any]]:
    """Papers that name the applicant otherwise than its licence: the credit screenshots, the staff
    roster, and the lessee or owner of each premises document (the report's claims are mismatches)."""
    found = []
    named = [(key, paper, app.fact(key), licence_key) for key, paper, licence_key in NAMED_ELSEWHERE]
    named += [("premises", f"{'租赁合同的承租方' if place.get('kind') == 'lease' else '产权证的权利人'}"
               f"（{place.get('path', '')}）", place.get("holder"), "org_name") for place in app.fact("premises") or []]
    for key, paper, value, licence_key in named:
        on_licence = app.fact(licence_key)
        if value and on_licence and not same_name(value, on_licence):
            # how sure the paper's own reading is, the other papers weighed: a lone misreading-like one is doubtful
            confidence = app.confidence("facts", key) if key != "premises" else None
            found.append({"key": key, "source": paper, "value": value, "licence": on_licence, "confidence": confidence})
    return found


def application_flags(ruleset: RuleSet, app: Application) -> list[dict[str, Any]]:
    """Flags one application's own facts raise: stale credit screenshots, a lease ending soon.
    (Reuse across applications is found over the batch.)"""
    flags = []
    stale_days = ruleset.flags.credit_stale_days
    for key, source in (("credit_query_date", "信用中国"), ("ccgp_query_date", "政府采购网")):
        day = app.fact(key)
        if day and date.fromisoformat(day) < app.as_of - timedelta(days=stale_days):
            flags.append({"code": "credit_screenshot_stale",
                          "detail": f"{source}截图查询日期{day}，早于评审日{stale_days}天以上"})
    ending_days = ruleset.flags.lease_ending_days
    for place in counted_premises(app)[0]:
        if place.get("kind") == "lease" and date.fromisoformat(place["end"]) <= app.as_of + timedelta(days=ending_days):
            flags.append({"code": "lease_ending_soon",
                          "detail": f"租赁合同于{place['end']}到期，距评审日不足{ending_days}天"})
    return flags


PHOTO_SAME_BITS = 3  # perceptual hashes (64 bits) this close are one photo: copies measured 0–2 bits apart, distinct fixture photos of like scenes from 4
PHOTO_BANDS = 8  # hashes within PHOTO_SAME_BITS agree exactly on at least one of 8 bands of 8 bits


def _hash_bands(photo_hash: str) -> list[tuple[int, str]]:
    width = len(photo_hash) // PHOTO_BANDS
    return [(band, photo_hash[band * width:(band + 1) * width]) for band in range(PHOTO_BANDS)]


def _hash_distance(a: str, b: str) -> int:
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def flag_view(record: dict[str, Any]) -> dict[str, Any]:
    """What batch_flags reads of a record, and its decision: a batch keeps these, not whole records."""
    facts = record["facts"]
    people = (facts.get("staff") or {}).get("value") or []
    return {"application_id": record["application_id"], "decision": record["decision"],
            "facts": {"photo_hashes": {"value": list((facts.get("photo_hashes") or {}).get("value") or [])},
                      "staff": {"value": [{key: person.get(key) for key in ("name", "fulltime", "id_masked")}
                                          for person in people]}}}


def batch_flags(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Flags only the whole batch shows, per application id: the same photo in two applications, the
    same person (name and masked ID) full-time on two rosters."""
    flags: dict[str, list[dict[str, Any]]] = {}
    # Photos: the same hash is one photo wherever it appears; distinct hashes are candidates when they
    # share a band exactly (cheap), then compared bit by bit.
    owners: dict[str, set[str]] = {}
    for record in records:
        for photo_hash in (record["facts"].get("photo_hashes") or {}).get("value") or []:
            owners.setdefault(photo_hash, set()).add(record["application_id"])
    by_band: dict[tuple[int, str], list[str]] = {}
    same_photo: dict[str, set[str]] = {photo_hash: set(apps) for photo_hash, apps in owners.items()}
    for photo_hash in owners:
        for band in _hash_bands(photo_hash):
            for other in by_band.get(band, []):
                if _hash_distance(photo_hash, other) <= PHOTO_SAME_BITS:
                    same_photo[photo_hash] |= owners[other]
                    same_photo[other] |= owners[photo_hash]
            by_band.setdefault(band, []).append(photo_hash)
    photo_pairs: dict[str, set[str]] = {}
    for photo_hash, apps in same_photo.items():
        for application_id in owners[photo_hash]:
            if apps - {application_id}:
                photo_pairs.setdefault(application_id, set()).update(apps - {application_id})
    for application_id, others in photo_pairs.items():
        flags.setdefault(application_id, []).append(
            {"code": "photo_reused", "detail": f"活动照片与申请{'、'.join(sorted(others))}中的照片相同", "with": sorted(others)})
    # People: full-time on two applications' rosters, known by name and masked ID number.
    rosters: dict[tuple[str, str], set[str]] = {}
    for record in records:
        for person in (record["facts"].get("staff") or {}).get("value") or []:
            if person.get("fulltime") and person.get("name") and person.get("id_masked"):
                rosters.setdefault((person["name"], person["id_masked"]), set()).add(record["application_id"])
    for (name, _id_masked), owners in sorted(rosters.items()):
        for application_id in owners if len(owners) > 1 else ():
            others = sorted(owners - {application_id})
            flags.setdefault(application_id, []).append(
                {"code": "staff_on_two_rosters", "detail": f"{name}同时列为申请{'、'.join(others)}的专职人员", "with": others})
    return flags


def judge(ruleset: RuleSet, record: dict[str, Any], as_of: str | None = None) -> dict[str, Any]:
    """The results record (a results.jsonl line) with its rule verdicts, decision, mismatches and own
    flags made anew from its facts and claims alone; the batch's flags it had are kept."""
    app = Application.of_record(record, as_of)
    verdicts = evaluate(ruleset, app)
    batch_wide = [flag for flag in record.get("flags") or [] if flag.get("code") in BATCH_FLAG_CODES]
    sure, unsure = find_mismatches(ruleset, app)
    return {**record, "ruleset": ruleset.id, "ruleset_version": ruleset.version, "as_of": app.as_of.isoformat(),
            "decision": verdicts.decision, "rules": verdicts.rules, "mismatches": sure, "mismatches_unsure": unsure,
            "inconsistencies": find_inconsistencies(app),
            "agreement": [agreement_of(app.facts, app.claims, key).as_record() for key in ("org_name", "credit_code")],
            "flags": application_flags(ruleset, app) + batch_wide, "for_reviewer": verdicts.for_reviewer}
