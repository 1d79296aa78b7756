"""A rule set as data: its rules, each with the article and sentence it enforces, parameters and reasons."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field, model_validator


class Rule(BaseModel):
    """One condition of a measure: what the engine checks (`check`), with which parameters, and why."""

    id: str
    title: str  # what a reviewer sees it called: 经营服务场所面积
    article: str  # 第五条（二）
    quote: str  # the sentence of the measure the rule enforces
    check: str  # the engine's check that applies it (pipeline.rules)
    params: dict[str, Any] = Field(default_factory=dict)
    reasons: dict[str, str]  # outcome → Chinese reason template with {placeholders}


class Relief(BaseModel):
    """适当放宽: a recognition at county level or above turns these rules' failures into needs_review."""

    article: str
    quote: str
    rules: list[str]
    below_county: list[str]  # words that mark a recognition as below county level (街道, 乡镇 …)


class ForReviewer(BaseModel):
    """A condition no document can settle: shown to the reviewer, outside the decision."""

    article: str
    quote: str


class FlagSettings(BaseModel):
    credit_stale_days: int = 30  # a credit screenshot older than this before as_of is flagged
    lease_ending_days: int = 90  # a lease ending within this after as_of is flagged


class MismatchSettings(BaseModel):
    relative_tolerance: float = 0.005  # numbers closer than this share of the extracted value agree
    # A document value read with less confidence than this is not held against the claim: the
    # disagreement is listed apart (mismatches_unsure) for the reviewer to look at.
    min_confidence: float = 0.6


class VerdictSettings(BaseModel):
    # A rule fails only on readings at least this sure (the applicant's other papers weighed); a fail
    # resting on a less sure reading is a review naming the reading to check.
    sure_confidence: float = 0.9


class RuleSet(BaseModel):
    """One version of a measure's rules, as read from its file in rules/ (or a user's copy)."""

    id: str
    version: str
    effective: date
    title: str
    rules: list[Rule] = Field(alias="rule")
    relief: Relief | None = None
    for_reviewer: list[ForReviewer] = Field(default_factory=list)
    flags: FlagSettings = Field(default_factory=FlagSettings)
    mismatch: MismatchSettings = Field(default_factory=MismatchSettings)
    verdicts: VerdictSettings = Field(default_factory=VerdictSettings)
    source: str = ""  # the file it was read from

    model_config = {"populate_by_name": True}

    @model_validator(mode="after")
    def _rule_ids_are_unique_and_relief_names_rules(self) -> RuleSet:
        ids = [rule.id for rule in self.rules]
        twice = sorted({rule_id for rule_id in ids if ids.count(rule_id) > 1})
        if twice:
            raise ValueError(f"规则编号重复：{'、'.join(twice)}")
        unknown = sorted(set(self.relief.rules) - set(ids)) if self.relief else []
        if unknown:
            raise ValueError(f"适当放宽中列出的规则不存在：{'、'.join(unknown)}")
        return self

    @property
    def label(self) -> str:
        """How a result names it: id and version."""
        return f"{self.id} {self.version}"

    def rule(self, rule_id: str) -> Rule:
        return next(rule for rule in self.rules if rule.id == rule_id)
