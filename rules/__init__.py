"""Rule sets as data: the built-in TOML files here, or a user's copy given by path."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from models.rules import RuleSet

__all__ = ["CHECK_OUTCOMES", "RuleSetError", "RuleChange", "builtin_rulesets", "diff_rulesets", "load_ruleset"]

RULES_DIR = Path(__file__).parent

# The engine's checks and the outcomes each can give: a rule's `reasons` must word every one.
CHECK_OUTCOMES: dict[str, tuple[str, ...]] = {
    "legal_entity": ("pass", "sole_trader", "partnership", "review_claim", "review_type", "review_none"),
    "operating_years": ("pass", "pass_term", "fail", "review_claim", "fail_claim", "review_none"),
    "document_minimum": ("pass", "fail", "review_claim", "fail_claim", "review_none"),
    "staff_count": ("pass", "fail", "review_claim", "fail_claim", "review_none"),
    "qualified_staff_ratio": ("pass", "fail", "review_claim", "fail_claim", "review_none"),
    "premises_area": ("pass", "fail", "review_claim", "fail_claim", "review_none", "review_unread"),
    "premises_present": ("pass", "fail", "review_claim", "review_none", "review_unread"),
    "claim_minimum": ("pass", "fail", "contradicted", "review_none"),
    "claim_growth": ("pass", "fail", "review_none"),
    "credit_record": ("pass", "penalty", "dishonest", "penalty_undated", "ccgp_listed", "abnormal", "review_missing"),
    "credit_evidence": ("pass", "wrong_subject", "unsure_subject", "unread_subject", "review_missing"),
    "function_requirement": ("pass", "fail", "review_none", "review_category", "contradicted"),
    "materials_complete": ("pass", "fail", "review_unreadable"),
}


# Outcomes added to a check after rule files were written: a file without its own wording gets this one, so a
# rule file copied (or stored with a run) before the outcome existed still loads.
ADDED_OUTCOME_REASONS: dict[str, dict[str, str]] = {
    "operating_years": {"pass_term": "营业执照上的成立日期未读出；营业期限自{term_start}起，成立不晚于此日，截至{as_of}已满{years}年"},
    "credit_evidence": {"unread_subject": "{source}截图上未读出单位名称，不能确认显示的是否为“{applicant}”"},
    "credit_record": {"penalty_undated": "信用中国截图上有行政处罚记录（{decision_no}），处罚决定日期未读出，不能确定是否在近{years}年内"},
}


class RuleSetError(ValueError):
    """A rule file that cannot be used; the message names the file and what is wrong, in Chinese."""


def _rule_problems(ruleset: RuleSet) -> list[str]:
    """What in the rules the engine could not apply: unknown checks, outcomes without a reason."""
    problems = []
    for rule in ruleset.rules:
        outcomes = CHECK_OUTCOMES.get(rule.check)
        if outcomes is None:
            problems.append(f"规则 {rule.id} 的检查 {rule.check} 不存在（可用：{'、'.join(CHECK_OUTCOMES)}）")
            continue
        missing = [outcome for outcome in outcomes if outcome not in rule.reasons]
        if missing:
            problems.append(f"规则 {rule.id} 缺少这些结果的理由：{'、'.join(missing)}")
        extra = [outcome for outcome in rule.reasons if outcome not in outcomes]
        if extra:
            problems.append(f"规则 {rule.id} 的理由中有检查 {rule.check} 不会给出的结果：{'、'.join(extra)}")
    return problems


def read_ruleset_file(path: Path) -> RuleSet:
    """A rule file read and checked; RuleSetError names the file and every problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleSetError(f"无法读取规则文件 {path}：{exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise RuleSetError(f"规则文件 {path} 格式有误：{exc}") from exc
    return parse_ruleset(text, str(path))


def parse_ruleset(text: str, source: str) -> RuleSet:
    """A rule file's text checked as read_ruleset_file checks it (`source` names it in messages)."""
    path = source
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleSetError(f"规则文件 {path} 格式有误：{exc}") from exc
    try:
        ruleset = RuleSet.model_validate({**data, "source": str(path)})
    except ValidationError as exc:
        details = "；".join(f"{'.'.join(str(p) for p in error['loc'])}：{'缺少此项' if error['type'] == 'missing' else error['msg']}"
                            for error in exc.errors())
        raise RuleSetError(f"规则文件 {path} 内容有误：{details}") from exc
    for rule in ruleset.rules:
        for outcome, reason in ADDED_OUTCOME_REASONS.get(rule.check, {}).items():
            rule.reasons.setdefault(outcome, reason)
    problems = _rule_problems(ruleset)
    if problems:
        raise RuleSetError(f"规则文件 {path} 内容有误：{'；'.join(problems)}")
    return ruleset


def builtin_rulesets() -> list[RuleSet]:
    """Every built-in rule set file, each id's versions in order."""
    return sorted((read_ruleset_file(path) for path in RULES_DIR.glob("*.toml")),
                  key=lambda r: (r.id, r.effective, r.version))


def load_ruleset(name: str) -> RuleSet:
    """A built-in rule set by id (its newest version) or `id@version`, or a rule file by path."""
    path = Path(name)
    if path.suffix == ".toml" or path.is_file():  # a folder named like a rule set (a batch's) is not one
        return read_ruleset_file(path)
    wanted, _, version = name.partition("@")
    matching = [r for r in builtin_rulesets() if r.id == wanted and (not version or r.version == version)]
    if not matching:
        known = "、".join(sorted({f"{r.id}@{r.version}" for r in builtin_rulesets()}))
        raise RuleSetError(f"未知的规则集：{name}（内置：{known}，或给出规则文件路径）")
    return matching[-1]


@dataclass(frozen=True)
class RuleChange:
    """One difference between two rule sets: where (a rule id or a section), what, before and after."""

    where: str
    what: str
    before: Any
    after: Any


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested dicts as {"a.b": leaf}: parameters compared leaf by leaf."""
    if isinstance(value, dict):
        return {k: v for key, item in value.items() for k, v in _flat(item, f"{prefix}{key}.").items()}
    return {prefix.rstrip("."): value}


def _leaf_changes(where: str, prefix: str, old: dict[str, Any], new: dict[str, Any]) -> list[RuleChange]:
    """Each leaf (nested keys joined by dots) that differs between two nested dicts."""
    old_leaves, new_leaves = _flat(old), _flat(new)
    keys = [*old_leaves, *(key for key in new_leaves if key not in old_leaves)]
    return [RuleChange(where, f"{prefix}{key}", old_leaves.get(key), new_leaves.get(key))
            for key in keys if old_leaves.get(key) != new_leaves.get(key)]


def diff_rulesets(old: RuleSet, new: RuleSet) -> list[RuleChange]:
    """Every rule added, removed or changed (article, quote, check, each parameter, each reason), and
    changes to relief, flags and mismatch settings."""
    changes: list[RuleChange] = []
    old_rules, new_rules = {r.id: r for r in old.rules}, {r.id: r for r in new.rules}
    for rule_id in [*old_rules, *(i for i in new_rules if i not in old_rules)]:
        before, after = old_rules.get(rule_id), new_rules.get(rule_id)
        if before is None or after is None:
            changes.append(RuleChange(rule_id, "规则", before and before.article, after and after.article))
            continue
        for field in ("article", "quote", "check"):
            if getattr(before, field) != getattr(after, field):
                changes.append(RuleChange(rule_id, field, getattr(before, field), getattr(after, field)))
        for section in ("params", "reasons"):
            changes += _leaf_changes(rule_id, f"{section}.", getattr(before, section), getattr(after, section))
    for section in ("relief", "flags", "mismatch", "verdicts"):
        changes += _leaf_changes(section, "", getattr(old, section).model_dump() if getattr(old, section) else {},
                                 getattr(new, section).model_dump() if getattr(new, section) else {})
    return changes
