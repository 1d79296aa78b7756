"""申报条件对照表: what the applicant states against each condition of the measure, as claims.

Offices answer the measure's conditions in a table: 序号 | 认定条件 | 本单位情况 | 证明材料 (also 申报条件 |
实际情况, 基本条件 | 自评情况 | 佐证材料 …). The condition cell quotes the article (资产总额不低于100万元（第六条
（一）)) and is never a claim; the answer cell beside it is, read by what its own words say (专职人员15名，其中本科
以上学历或中级以上职称人员11名) and, for a bare figure (占12%), by the condition it answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from extractors.layout import DocumentText, Field, boxed_tables, cell_field
from extractors.validate import Reading, validated_value
from extractors.values import FIGURE, compact, parse_area, parse_count, parse_ratio

__all__ = ["Stated", "conditions_claims"]

# Column headings: the condition quoted, and what the applicant has (the first matching heading wins).
# (序号 and the condition's heading read as one cell on a scan: 序号认定条件.)
CONDITION_HEADINGS = re.compile(r"^(?:序号)?(?:(?:认定|申报|基本|评审|评价|入选|遴选)?(?:条件|标准|要求|指标)(?:要求|内容)?|"
                                r"(?:认定|申报)(?:条件|标准)及要求)$")
ANSWER_HEADINGS = re.compile(r"^(?:本单位|本机构|本中心|申报单位|申请单位|单位|机构|实际|具体|自评|完成|达标|符合|现有|目前)"
                             r"(?:实际)?(?:情况|现状|条件|数据|说明|自评情况)(?:说明)?$|^(?:自评|实际情况|情况说明|现状)$")
HEADINGS_FOR_SCANS = ("序号", "认定条件", "申报条件", "基本条件", "条件", "本单位情况", "实际情况", "单位情况",
                      "自评情况", "证明材料", "佐证材料", "备注")

DATE = r"(?:19|20)\d{2}\s*[年.\-/]\s*\d{1,2}\s*[月.\-/]\s*\d{1,2}\s*日?"
# Money with thousands separators (1,500,000.00元) or in Chinese numerals (伍佰万元).
MONEY = r"(?:\d[\d,，]*(?:\.\d+)?|[零一二两三四五六七八九十百千万壹贰叁肆伍陆柒捌玖拾佰仟]+)\s*(?:亿|万)?\s*元"
RATIO = r"\d+(?:\.\d+)?\s*[%％]|百分之[零一二两三四五六七八九十点]+"


def _date(text: str) -> Any:
    return validated_value("date", text)


def _money(text: str) -> Any:
    value = validated_value("money", text)
    return value if value else None  # 0元 is a misread figure, never a claim


@dataclass(frozen=True)
class Statement:
    """How an answer cell states one claim: after its own words, or (`topic`) bare under a condition about it."""

    key: str
    labelled: re.Pattern[str]  # group "value" holds the figure
    parse: Callable[[str], Any]
    topic: re.Pattern[str] | None = None  # the condition's words that make a bare figure of this kind this claim
    bare: re.Pattern[str] | None = None


STATEMENTS: tuple[Statement, ...] = (
    Statement("registration_date", re.compile(rf"(?:成立|注册|设立|创建|登记)(?:于|时间|日期)?[:：为是]?\s*(?P<value>{DATE})"), _date,
              re.compile(r"成立|运营|设立|注册.{0,3}年"), re.compile(DATE)),
    Statement("registered_capital_cny", re.compile(rf"注册(?:资本|资金)[:：为是达]?\s*(?:人民币)?(?P<value>{MONEY})"), _money,
              re.compile(r"注册(?:资本|资金)"), re.compile(MONEY)),
    Statement("total_assets_cny", re.compile(rf"资产(?:总额|总计)[:：为是达]?\s*(?:人民币)?(?P<value>{MONEY})|总资产[:：为是达]?\s*(?P<value2>{MONEY})"),
              _money, re.compile(r"资产总额|总资产|资产总计"), re.compile(MONEY)),
    Statement("staff_fulltime_count", re.compile(rf"专职(?:服务|工作|技术)?(?:人员|员工)?[:：为有共达]?\s*(?P<value>{FIGURE}\s*[人名位])"),
              parse_count),
    Statement("staff_qualified_count", re.compile(rf"(?:学历|职称)[^，,；;。\d]{{0,10}}?(?:人员|员工)?[:：为有共达]?\s*(?P<value>{FIGURE}\s*[人名位])"),
              parse_count),
    Statement("premises_area_m2", re.compile(rf"面积[:：为是达约]?\s*(?P<value>{FIGURE}\s*(?:平方米|㎡|m²|m2|平米))"), parse_area,
              re.compile(r"场所|面积|场地|用房"), re.compile(rf"{FIGURE}\s*(?:平方米|㎡|m²|m2|平米)")),
    Statement("satisfaction_rate", re.compile(rf"满意(?:度|率)[:：为是达到保持在]{{0,4}}\s*(?P<value>{RATIO})"), parse_ratio),
    Statement("public_service_ratio", re.compile(rf"(?:公益|低收费)\S{{0,14}}?(?:占比|比例|比重|占)[:：为是达到]{{0,3}}\s*(?P<value>{RATIO})"),
              parse_ratio, re.compile(r"公益|低收费"), re.compile(RATIO)),
    Statement("partner_institutions_count", re.compile(rf"(?:合作|集聚|聚集|整合|联合)\S{{0,6}}?机构[:：为有共达]{{0,2}}\s*(?P<value>{FIGURE}\s*家)"),
              parse_count, re.compile(r"集聚|聚集|合作|整合"), re.compile(rf"{FIGURE}\s*家")),
    Statement("activities_per_year", re.compile(rf"活动[:：为有共达累计]{{0,3}}\s*(?P<value>{FIGURE}\s*[场次期])"), parse_count),
    Statement("trainees_per_year", re.compile(rf"培训\S{{0,6}}?(?P<value>{FIGURE}\s*人次)"), parse_count),
    Statement("financing_total_cny", re.compile(rf"融资(?:总额|金额)?[:：为共达累计]{{0,3}}\s*(?P<value>{MONEY})"), _money),
)


@dataclass(frozen=True)
class Stated:
    """One claim an answer cell states, with the row it was read from."""

    key: str
    reading: Reading
    field: Field


def _columns(header: list[str]) -> tuple[int, int] | None:
    """(condition column, answer column) of a header row, when it has both."""
    cells = [compact(c).strip(":：") for c in header]
    condition = next((i for i, c in enumerate(cells) if CONDITION_HEADINGS.match(c)), None)
    answer = next((i for i, c in enumerate(cells) if ANSWER_HEADINGS.match(c) and i != condition), None)
    return (condition, answer) if condition is not None and answer is not None else None


def _tables(doc: DocumentText) -> Iterator[tuple[Any, list[list[str]]]]:
    """Tables of the document's text layer (Word, Excel, PDF) and tables rebuilt from a scan's boxes."""
    yield from ((page, table) for page in doc.pages for table in page.tables)
    if not any(page.tables for page in doc.pages):
        yield from boxed_tables(doc, HEADINGS_FOR_SCANS)


def _statements_in(answer: str, condition: str) -> Iterator[tuple[str, Any]]:
    """(claim key, value) for what the answer states: each claim after its own words, a bare figure by its condition."""
    for statement in STATEMENTS:
        value = None
        for match in statement.labelled.finditer(answer):
            figure = match.groupdict().get("value") or match.groupdict().get("value2")
            value = statement.parse(figure) if figure else None
            if value is not None:
                break
        if value is None and statement.topic is not None and statement.topic.search(condition):
            figures = statement.bare.findall(answer) if statement.bare else []
            if len(figures) == 1:  # one figure only: two would leave which one unknown
                value = statement.parse(figures[0])
        if value is not None:
            yield statement.key, value


def _class_in_brackets(condition: str, category: Callable[[str], Reading | None]) -> Reading | None:
    """The class a condition names in brackets: 服务功能（数字化服务类）, 服务功能（融资服务）."""
    match = re.search(r"[（(]([^（）()]{2,12}?)(?:服务)?类?[）)]", condition)
    return category(f"（{match.group(1)}服务类）") if match else None


def conditions_claims(doc: DocumentText, category: Callable[[str], Reading | None]) -> list[Stated]:
    """Every claim the document's conditions tables state, the first statement of each claim kept; `category`
    reads a service class (a 服务功能（数字化服务类） condition names the applicant's own class)."""
    found: dict[str, Stated] = {}
    for page, table in _tables(doc):
        columns = next(((r, cols) for r, row in enumerate(table[:3]) if (cols := _columns(row))), None)
        if columns is None:
            continue
        header_row, (condition_col, answer_col) = columns
        for cells in table[header_row + 1:]:
            if max(condition_col, answer_col) >= len(cells):
                continue
            condition, answer = cells[condition_col] or "", cells[answer_col] or ""
            if not compact(answer):
                continue
            field = cell_field(doc, page, answer)
            if field is None:
                continue
            for key, value in _statements_in(compact(answer), compact(condition)):
                found.setdefault(key, Stated(key, Reading(value, 0.95), field))
            if re.search(r"服务功能|服务类别|服务类型|服务领域|机构类别", condition):
                reading = category(answer) or _class_in_brackets(condition, category)
                if reading is not None:
                    found.setdefault("service_category", Stated("service_category", reading, field))
        _column_statements(doc, page, table[header_row + 1:], condition_col, answer_col, category, found)
    return list(found.values())


def _column_statements(doc: DocumentText, page, rows: list[list[str]], condition_col: int, answer_col: int,
                       category: Callable[[str], Reading | None], found: dict[str, Stated]) -> None:
    """What the answer column states read as one text, for claims whose words a scan's rows split (成立于 /
    2012年9月15日, 满 / 意度97%: a tall row cut into lines); only claims stated by their own words, less sure."""
    answers = [r[answer_col] for r in rows if answer_col < len(r) and r[answer_col]]
    conditions = [r[condition_col] for r in rows if condition_col < len(r) and r[condition_col]]
    if not answers:
        return
    text = compact("".join(answers))
    field = cell_field(doc, page, answers[0])
    if field is None:
        return
    for key, value in _statements_in(text, ""):
        found.setdefault(key, Stated(key, Reading(value, 0.85), field))
    named = re.search(r"服务功能[（(][^（）()]{2,14}[）)]", compact("".join(conditions)))
    reading = _class_in_brackets(named.group(0), category) if named else None
    if reading is not None:
        found.setdefault("service_category", Stated("service_category", Reading(reading.value, 0.85), field))
