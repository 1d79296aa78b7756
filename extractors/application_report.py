"""申请报告: the applicant's claims, from the 基本情况 table and from the prose."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from extractors.base import Extraction
from extractors.layout import DocumentText, Field, Passage, find_field
from extractors.values import (
    clean,
    compact,
    find_credit_codes,
    parse_area,
    parse_count,
    parse_date,
    parse_money,
    parse_ratio,
    printed_name,
    whole,
)

__all__ = ["extract"]


def _money(text: str) -> int | float | None:
    money = parse_money(text)
    if money is None or money.currency != "CNY":
        return None
    return whole(money.amount)


def _date(text: str) -> str | None:
    found = parse_date(text)
    return found.isoformat() if found else None


def _code(text: str) -> str | None:
    codes = find_credit_codes(text)
    return codes[0][0] if codes else None


def _name(text: str) -> str | None:
    value = printed_name(text)
    return value if len(value) >= 2 else None


def _category(text: str) -> str | None:
    value = compact(text)
    match = re.search(r"[（(]([^（）()]+?)(?:服务)?类[）)]", value)
    if match:
        return match.group(1)
    return "综合" if "综合" in value else None


def _recognitions(text: str) -> list[str] | None:
    parts = [p for p in re.split(r"[；;、，,\n]", clean(text)) if len(compact(p)) >= 3]
    return [compact(p) for p in parts] or None


Parser = Callable[[str], Any]
# (claim key, labels in the 基本情况 table, parser)
TABLE_CLAIMS: tuple[tuple[str, tuple[str, ...], Parser], ...] = (
    ("org_name", ("申报单位名称", "申请单位名称", "机构名称", "单位名称"), _name),
    ("credit_code", ("统一社会信用代码",), _code),
    ("legal_representative", ("法定代表人",), _name),
    ("registration_date", ("成立时间", "成立日期", "注册时间", "注册日期"), _date),
    ("registered_capital_cny", ("注册资本", "注册资金", "开办资金"), _money),
    ("premises_area_m2", ("服务场所面积", "办公场所面积", "场所面积", "办公面积"), parse_area),
    ("staff_fulltime_count", ("专职人员数", "专职人员总数", "专职人员"), parse_count),
    ("staff_qualified_count", ("本科以上学历或中级以上职称人数", "大专以上学历或中级以上职称人数",
                               "本科及以上学历或中级及以上职称人数", "大专及以上学历或中级及以上职称人数"), parse_count),
    ("total_assets_cny", ("资产总额", "资产总计"), _money),
    ("service_category", ("服务类别", "机构类别", "申报类别"), _category),
    ("satisfaction_rate", ("用户满意度", "服务满意度", "满意度"), parse_ratio),
    ("public_service_ratio", ("公益性服务占比", "公益性服务比例", "公益服务占比"), parse_ratio),
    ("partner_institutions_count", ("集聚合作服务机构", "合作服务机构", "集聚服务机构"), parse_count),
    ("activities_per_year", ("年开展服务活动", "开展服务活动", "年服务活动"), parse_count),
    ("trainees_per_year", ("年培训人次", "培训人次"), parse_count),
    ("financing_total_cny", ("帮助企业融资总额", "融资总额", "帮助企业融资"), _money),
    ("guarantee_new_cny", ("新增担保额", "新增担保"), _money),
    ("recognitions", ("获得认定或表彰", "获得认定", "获得表彰", "荣誉"), _recognitions),
)
ALL_LABELS = tuple(label for _, labels, _ in TABLE_CLAIMS for label in labels) + ("项目", "内容")
SERVED_IN_YEAR = re.compile(r"((?:19|20)\d{2})\s*年\s*(?:度)?\s*服务中小企业(?:数|数量|家数)")
# Prose: (claim key, pattern whose group "value" holds the figure, parser)
PROSE_CLAIMS: tuple[tuple[str, re.Pattern[str], Parser], ...] = (
    ("staff_fulltime_count", re.compile(r"(?:现有|共有|拥有)?专职(?:服务)?人员(?:共)?\s*(?P<value>[\d零一二两三四五六七八九十百]+\s*[人名])"), parse_count),
    ("staff_qualified_count", re.compile(r"(?:以上学历|以上职称)的?(?:专业)?人员\s*(?P<value>[\d零一二两三四五六七八九十百]+\s*[人名])"), parse_count),
    ("satisfaction_rate", re.compile(r"满意度(?:达到|达|为|是)?\s*(?P<value>\d+(?:\.\d+)?\s*%|百分之[零一二三四五六七八九十点]+)"), parse_ratio),
    ("public_service_ratio", re.compile(r"公益性?服务(?:占比|比例|占总服务量的)(?:达到|为)?\s*(?P<value>\d+(?:\.\d+)?\s*%)"), parse_ratio),
)
SERVED_PROSE = re.compile(r"(?P<year>(?:19|20)\d{2})\s*年(?:度)?[^。；]{0,8}?服务(?:中小)?企业\s*(?P<value>[\d零一二两三四五六七八九十百千]+\s*家)")


@lru_cache(maxsize=1)
def _sentencizer():
    """spaCy's blank Chinese pipeline cut into sentences at Chinese stops (no model download)."""
    import spacy

    nlp = spacy.blank("zh")
    nlp.add_pipe("sentencizer", config={"punct_chars": ["。", "！", "？", "；", "!", "?", ";"]})
    return nlp


def _sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) over the text; a paragraph break (DOCX) always ends a sentence."""
    found, line_start = [], 0
    for line in text.split("\n"):
        for sentence in _sentencizer()(line).sents:
            found.append((line_start + sentence.start_char, sentence.text))
        line_start += len(line) + 1
    return found


def extract(doc: DocumentText) -> Extraction:
    """Every claim the report makes; the table first, then what only the prose states."""
    out = Extraction()
    rows = doc.rows
    for key, labels, parse in TABLE_CLAIMS:
        found = find_field(rows, labels, ALL_LABELS, accept=lambda v, p=parse: p(v) is not None)
        if found:
            out.add(key, parse(found.value), found.confidence, [found.evidence(doc.path)], claim=True)
    passage = Passage(rows)
    _served_by_year(rows, passage, doc, out)
    _prose(passage, doc, out)
    return out


def _served_by_year(rows, passage: Passage, doc: DocumentText, out: Extraction) -> None:
    """SMEs served per year, from the table ('2024年服务中小企业数 213家') and the prose ('2025年共服务中小企业236家'):
    the latest year is this year's figure, the one before it last year's."""
    by_year: dict[int, tuple[int, Field]] = {}
    for row in rows:
        match = SERVED_IN_YEAR.search(row.text)
        if not match:
            continue
        count = parse_count(row.text[match.end():])
        if count is not None:
            by_year.setdefault(int(match.group(1)), (count, Field(match.group(0), str(count), row.pieces, [row])))
    for match in SERVED_PROSE.finditer(passage.text):
        count = parse_count(match.group("value"))
        if count is not None:
            by_year.setdefault(int(match.group("year")), (count, passage.field(match.start(), match.end())))
    years = sorted(by_year, reverse=True)
    for key, year in zip(("smes_served_per_year", "smes_served_prev_year"), years, strict=False):
        count, found = by_year[year]
        out.add(key, count, found.confidence, [found.evidence(doc.path)], claim=True)


def _prose(passage: Passage, doc: DocumentText, out: Extraction) -> None:
    """Claims written as sentences ('现有专职人员十二人'), looked for one sentence at a time."""
    text = passage.text
    for start, sentence in _sentences(text):
        for key, pattern, parse in PROSE_CLAIMS:
            if key in out.claims:
                continue
            match = pattern.search(sentence)
            if match and parse(match.group("value")) is not None:
                found = passage.field(start + match.start(), start + match.end())
                out.add(key, parse(match.group("value")), found.confidence,
                        [found.evidence(doc.path, clean(sentence))], claim=True)
