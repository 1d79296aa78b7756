"""申请报告: the applicant's claims, from the 基本情况 table and from the prose."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from extractors import vocabulary
from extractors.base import Extraction
from extractors.conditions_table import conditions_claims
from extractors.layout import DocumentText, Field, Passage, iter_fields, table_cells
from extractors.validate import Reading, validate, validated_value
from extractors.values import (
    FIGURE,
    clean,
    compact,
    find_credit_codes,
    parse_area,
    parse_count,
    parse_ratio,
    printed_name,
)

__all__ = ["extract"]


DOC_TYPE = "application_report"


SERVICE_CLASSES = r"(信息|数字化|技术|创业|人才和培训|人才与培训|人才培训|培训|投融资|融资|管理咨询|法律|人才|市场开拓|质量|知识产权|数字化转型)"
# The nine 专业 classes' printed names → the short name the rules use (技术创新和质量服务类 → 技术).
CLASS_SHORT = {"人才和培训": "培训", "人才与培训": "培训", "人才培训": "培训", "投融资": "融资"}
TICKED = re.compile(r"[☑■√✓✔▣]\s*" + SERVICE_CLASSES + r"|[☑■√✓✔▣]\s*(综合)")


def _category(text: str) -> Reading | None:
    """综合, or the 专业 class a report names: a bracketed class (专业服务机构（信息服务类）), a short value
    (创业服务), or the ticked box of a checkbox row; a row of boxes whose tick was not read gives none."""
    value = compact(text)
    ticked = TICKED.search(value)
    if ticked:
        word = ticked.group(1) or ticked.group(2)
        return Reading(CLASS_SHORT.get(word, word), 0.9)
    options = list(re.finditer(r"([□☐]?)" + SERVICE_CLASSES + r"(?:服务)?", value))
    unboxed = [m for m in options if not m.group(1)]
    # Every option but one kept its empty box: OCR often drops the ticked box's glyph (■, ☑) and keeps □. The
    # unboxed one must follow another option (…技术服务创业服务), or open the cell as a whole option before a boxed
    # one (信息服务 □技术服务 …), not be a wrapped option's tail (和培训服务类).
    after = value[unboxed[0].end():unboxed[0].end() + 1] if unboxed else ""
    follows = value[unboxed[0].start() - 1:unboxed[0].start()] in ("务", "类") if unboxed and unboxed[0].start() else False
    opens = bool(unboxed) and unboxed[0].start() == 0 and after in ("□", "☐")
    if len(options) >= 3 and len(unboxed) == 1 and (follows or opens):
        word = unboxed[0].group(2)
        return Reading(CLASS_SHORT.get(word, word), 0.75)
    if "□" in value or ("综合" in value and "专业" in value):
        return None  # every option printed, the chosen one's mark unread: which one is unknown
    match = re.search(r"[（(]([^（）()]+?)(?:服务)?类[）)]", value)
    if match:
        inner = re.match(SERVICE_CLASSES, match.group(1))
        word = inner.group(1) if inner else match.group(1)
        return Reading(CLASS_SHORT.get(word, word))
    match = re.search(SERVICE_CLASSES + r"(?:服务)?类?", value)
    if match and ("专业" in value or len(value) <= 8):  # 专业服务机构（信息服务类）, or the bare 创业服务
        return Reading(CLASS_SHORT.get(match.group(1), match.group(1)))
    return Reading("综合") if "综合" in value else None


# A recognition names its level: 国家级, 省级, 市级, 区级 / 县级, and below the county 街道, 乡镇, 社区.
RECOGNITION_WORDS = re.compile(r"国家|省|市|区|县|街道|乡镇|社区|园区|开发区|管委会|示范|基地|平台|孵化器|众创空间|"
                               r"专精特新|服务机构|服务中心|单位|之星|称号")
# A list item's number and what follows the name: the body that granted it and when (…（武汉市经信局，2023年）).
ITEM_NUMBER = re.compile(r"^(?:\d+|[一二三四五六七八九十]+)[.、．)）]|^[（(](?:\d+|[一二三四五六七八九十]+)[)）]|^[•·●■\-]")
PROSE_WORDS = re.compile(r"被|认定为|评为|荣获|获评|获得|授予|我单位|我中心|我公司|本单位|\d{4}年[,，]")  # a sentence, not a name
ITEM_TAIL = re.compile(r"[（(][^（）()]*(?:\d{4}|局|厅|委|办|政府|部)[^（）()]*[）)]$")
UNCLOSED_TAIL = re.compile(r"[（(][^（）()]*$")
# The form's own wording of what to list (获得县级以上认定、表彰或资金支持情况): a range of levels names no recognition.
FORM_WORDING = re.compile(r"以上|及以上|情况$")
# Where one item ends and the next begins: separators, wide gaps, and a list number after other text (a wrapped
# label's end before it: 表彰或资金支持情1.区级…).
ITEM_START = re.compile(r"[；;、\n]|\s{2,}|(?<=[^\d.．])(?=\d{1,2}[.．、](?!\d))")


def _recognitions(text: str) -> Reading | None:
    """Recognition names from a cell, a list item or a line of them (；-separated)."""
    names = []
    for part in ITEM_START.split(clean(text)):
        name = ITEM_TAIL.sub("", ITEM_NUMBER.sub("", compact(part)))
        name = UNCLOSED_TAIL.sub("", name).strip("“”\"'。，,")  # (茅 …: the rest cut by the cell or a stamp
        if 4 <= len(name) <= 30 and RECOGNITION_WORDS.search(name) and not PROSE_WORDS.search(name) and name not in names \
                and not FORM_WORDING.search(name):
            names.append(name)
    return Reading(names) if names else None


# What each kind of value is read as in a claim (extractors/vocabulary.py names the kind).
def _claim_value(kind: str, text: str) -> Reading | None:
    if kind == "category":
        return _category(text)
    if kind == "list":
        return _recognitions(text)
    if kind == "org":
        return validate("org", text) or (Reading(printed_name(text), 0.7) if len(printed_name(text)) >= 4 else None)
    return validate(kind, text)


REPORT_CLAIMS = tuple(f for f in vocabulary.FACT_LABELS if DOC_TYPE in f.doc_types)
ALL_LABELS = vocabulary.stops(DOC_TYPE)
SERVED_IN_YEAR = re.compile(r"((?:19|20)\d{2})\s*年\s*(?:度)?\s*(?:服务|服务的)(?:中小微?|小微)?企业(?:数|数量|家数|总数)")
# Prose: (claim key, pattern whose group "value" holds the figure, parser); specific wordings first.
PROSE_CLAIMS: tuple[tuple[str, re.Pattern[str], Callable[[str], Any]], ...] = (
    ("staff_qualified_count", re.compile(rf"(?:以上学历|以上职称)的?(?:专业|专职)?(?:技术)?人员(?:有|共|达)?\s*(?P<value>{FIGURE}\s*[人名位])"),
     parse_count),
    ("staff_fulltime_count", re.compile(rf"(?:现有|共有|拥有)?专职(?:服务|工作)?(?:人员|员工|团队)(?:共|有|达)?\s*(?P<value>{FIGURE}\s*[人名位])"),
     parse_count),
    ("satisfaction_rate", re.compile(r"满意(?:度|率)(?:达到|达|为|是|保持在)?\s*(?P<value>\d+(?:\.\d+)?\s*%|百分之[零一二三四五六七八九十点]+)"),
     parse_ratio),
    ("service_category", re.compile(r"主要(?:为|向)?(?:中小微?企业|企业)?提供(?P<value>信息|技术|创业|培训|投融资|融资|管理咨询|法律|人才|"
                                    r"市场开拓|质量|知识产权|数字化转型)(?:[及和与、][\u4e00-\u9fff]{1,4}?)?(?:等)?服务"),
     lambda word: CLASS_SHORT.get(word, word)),
    ("service_category", re.compile(r"定位为(?P<value>[^，。；]{2,10}?)服务机构"),
     lambda words: reading.value if (reading := _category(f"（{words}服务类）")) is not None and reading.value != "综合" else None),
    ("financing_total_cny", re.compile(r"帮助(?:中小微?|小微)?企业(?:实现|获得|完成|落实)?(?:各类)?融资(?:总额|金额)?(?:共|累计|达)?\s*"
                                       r"(?P<value>\d+(?:\.\d+)?\s*(?:亿|万)?元)"),
     lambda text: validated_value("money", text)),
    ("public_service_ratio", re.compile(r"公益性?(?:或低收费|（低收费）|\(低收费\)|、低收费|及低收费)?服务(?:占比|比例|比重|占总服务量的|占全部服务的)(?:达到|达|为)?\s*(?P<value>\d+(?:\.\d+)?\s*%|百分之[零一二三四五六七八九十点]+)"),
     parse_ratio),
    ("partner_institutions_count", re.compile(rf"(?:集聚|聚集|整合|联合)(?:各类)?(?:合作)?服务机构\s*(?P<value>{FIGURE}\s*家)|"
                                              rf"与\s*(?P<value2>{FIGURE}\s*家)\S{{0,6}}服务机构"), parse_count),
    # 组织开展政策宣讲、专题培训、对接交流等服务活动8场次: the kinds may be listed before 活动.
    ("activities_per_year", re.compile(rf"(?:开展|组织|举办)[^。；;，,]{{0,30}}?(?:服务)?活动\s*(?:共|累计)?\s*(?P<value>{FIGURE}\s*[场次期])"),
     parse_count),
    ("registration_date", re.compile(r"(?:注册成立于|成立于|创建于|设立于|始建于|登记成立于)\s*(?P<value>(?:19|20)\d{2}\s*[年.\-/]\s*\d{1,2}\s*[月.\-/]\s*\d{1,2}\s*日?)"),
     lambda v: validated_value("date", v)),
    ("trainees_per_year", re.compile(rf"培训\S{{0,6}}?(?P<value>{FIGURE}\s*人次)"), parse_count),
    ("premises_area_m2", re.compile(rf"(?:服务|办公|经营)(?:场所|场地|用房)(?:总)?面积(?:达|为|约)?\s*(?P<value>{FIGURE}\s*(?:平方米|㎡|m²|m2|平米))"),
     parse_area),
)
SERVED_PROSE = re.compile(r"(?P<year>(?:19|20)\d{2})\s*年(?:度)?[^。；]{0,10}?服务(?:中小微?|小微|各类)?企业\s*(?:共|达)?\s*"
                          r"(?P<value>[\d零一二两三四五六七八九十百千]+\s*(?:家次|家|户))")
# A table cell's shorthand: 2025年服务163家次（2024年140家次）.
SERVED_SHORT = re.compile(r"(?P<year>(?:19|20)\d{2})\s*年(?:度)?(?:共|累计)?服务\s*(?P<value>\d+\s*(?:家次|家|户))")
SERVED_ALSO = re.compile(r"(?P<year>(?:19|20)\d{2})\s*年(?:度)?(?:为|是|达|共|则为)?\s*(?P<value>[\d零一二两三四五六七八九十百千]+\s*(?:家次|家|户))")
# 被认定为 / 荣获 / 获评 a recognition (its name runs to the clause's end).
RECOGNISED_AS = re.compile(r"(?:被\S{0,12}?认定为|被\S{0,12}?评为|被\S{0,12}?授予|荣获|获评|获得|认定为|评为)[\"“「]?"
                           r"(?P<name>[^，。；,;“”\"」]{4,40}?)(?:称号|荣誉|[\"”」，。；,;]|$)")


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
    """Every claim the report makes; the tables first (a value beside its label, or under it in a table
    whose labels head the columns), then what only the prose states."""
    out = Extraction()
    rows = doc.rows
    for stated in conditions_claims(doc, _category):
        out.add(stated.key, stated.reading.value, stated.field.confidence * stated.reading.certainty,
                [stated.field.evidence(doc.path)], claim=True)
    for spec in REPORT_CLAIMS:
        found = _first_claim(doc, rows, spec)
        if found:
            reading, field = found
            out.add(spec.key, reading.value, field.confidence * reading.certainty, [field.evidence(doc.path)], claim=True)
    _recognition_list(doc, rows, out)
    passage = Passage(rows)
    _served_by_year(rows, passage, doc, out)
    _prose(passage, doc, out)
    _recognitions_in_prose(passage, doc, out)
    _org_name_in_prose(passage, doc, out)
    _credit_code_after_wrapped_label(passage, doc, out)
    return out


FOLDED_LABELS = frozenset(compact(label.lstrip("^")) for label in ALL_LABELS)


def _is_label(text: str) -> bool:
    """A cell that is itself a label (a vertical table's header row)."""
    folded = compact(text).rstrip(":：")
    return folded in FOLDED_LABELS or bool(SERVED_IN_YEAR.fullmatch(folded))


SECTION_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|第[一二三四五六七八九十]+[章部分节]|\d+[.、]\s*\D)")


def _recognition_list(doc: DocumentText, rows, out: Extraction) -> None:
    """Recognitions listed under their heading (二、获得认定或表彰情况): numbered lines, or a table
    (荣誉名称 | 授予单位 | 时间) whose first column names them, up to the next heading."""
    if "recognitions" in out.claims:
        return
    labels = vocabulary.labels(DOC_TYPE, "recognitions")
    for index, row in enumerate(rows):
        if not any(label in compact(row.text) for label in labels):
            continue
        names, used = [], []
        for below in rows[index + 1: index + 16]:
            text = compact(below.text)
            if SECTION_HEADING.match(text) and not ITEM_NUMBER.match(text) or any(
                    label in text for label in ALL_LABELS if len(label) >= 4 and label not in labels):
                break
            cell = below.pieces[0].text  # a table's first column, or the whole line
            reading = _recognitions(cell) or (None if below.pieces[0].bbox is None else _recognitions(below.text))
            if reading is not None:
                names += [n for n in reading.value if n not in names]
                used.append(below)
        if names:
            found = Field("", "；".join(names), [p for r in used for p in r.pieces], used)
            out.add("recognitions", names, found.confidence * 0.95, [found.evidence(doc.path)], claim=True)
            return


ORG_OPENING = re.compile(r"^(?P<name>[\u4e00-\u9fff（）()]{4,40}?)(?:[（(]以下简称|[（(]统一社会信用代码|成立于|始建于|创建于|注册成立于|是一家|位于)")


def _org_name_in_prose(passage: Passage, doc: DocumentText, out: Extraction) -> None:
    """The applicant's name opening a paragraph that introduces it (XX有限公司成立于…), when no field names it."""
    if "org_name" in out.claims:
        return
    for row in passage.rows:
        match = ORG_OPENING.match(compact(row.text))
        reading = validate("org", match.group("name")) if match else None
        if reading is not None and reading.value == match.group("name"):
            found = Field.of_row(row)
            out.add("org_name", reading.value, found.confidence * 0.9, [found.evidence(doc.path)], claim=True)
            return


# The end of a credit-code label a table cell's wrap cut (统一社会信 / 1用代码9114…): what stands right before a code.
CODE_LABEL_END = re.compile(r"代码[为是:：]?\s*$")
CODE_RUN = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]{18}(?![0-9A-Za-z])")


def _credit_code_after_wrapped_label(passage: Passage, doc: DocumentText, out: Extraction) -> None:
    """The applicant's credit code where its label was cut by a cell's wrap, so no field holds it: a code
    whose check digit holds, right after the label's end (…用代码), and the only such code in the report."""
    if "credit_code" in out.claims:
        return
    text = passage.text
    found = [(match, code, certainty) for match in CODE_RUN.finditer(text)
             if CODE_LABEL_END.search(text[max(match.start() - 6, 0):match.start()])
             for code, certainty in find_credit_codes(match.group()) if code == match.group().upper()]  # as printed
    if len({code for _match, code, _certainty in found}) != 1:
        return
    match, code, certainty = found[0]
    field = passage.field(match.start(), match.end())
    out.add("credit_code", code, field.confidence * certainty * 0.9, [field.evidence(doc.path, code)], claim=True)


# A 申报条件对照表 quotes each condition (资产总额不低于100万元（第六条（一））) beside what the applicant has:
# the condition's threshold is no claim.
REQUIREMENT = re.compile(r"不低于|不少于|不得低于|不得少于|不小于|\d\s*(?:家|人|场|次|万元|元|%|％)以上|（第[一二三四五六七八九十\d]+条|\(第[一二三四五六七八九十\d]+条")


def _first_claim(doc: DocumentText, rows, spec) -> tuple[Reading, Field] | None:
    """The first place the report gives a claim's value that reads as its kind: beside its label in a
    row, or in a Word/PDF table's cell right of or under the label's cell."""
    for found in iter_fields(rows, spec.labels, ALL_LABELS):
        reading = _claim_value(spec.kind, found.value)
        if reading is not None and not REQUIREMENT.search(found.value):
            return reading, found
    for cell_text, field in table_cells(doc, spec.labels, _is_label):
        reading = _claim_value(spec.kind, cell_text)
        if reading is not None and not REQUIREMENT.search(cell_text):
            return reading, field
    # A conditions table's row names the label twice: in the condition, then in what the applicant has
    # (资产总额不低于100万元 | 2025年末资产总额380万元): the later mention, up to its cell's end.
    for row in rows:
        for label in spec.labels:
            for match in re.finditer(re.escape(label), row.text):
                value = re.split(r"[\t ]", row.text[match.end():].lstrip("为是:："), maxsplit=1)[0]
                reading = _claim_value(spec.kind, value)
                if reading is not None and not REQUIREMENT.search(value):
                    return reading, Field.of_row(row, value)
    return None


def _served_by_year(rows, passage: Passage, doc: DocumentText, out: Extraction) -> None:
    """SMEs served per year, from the table ('2024年服务中小企业数 213家') and the prose ('2025年共服务中小企业236家'):
    the latest year is this year's figure, the one before it last year's."""
    by_year: dict[int, tuple[int, Field]] = {}
    for row in rows:
        matches = list(SERVED_IN_YEAR.finditer(row.text))  # a row may hold two years (四栏 tables)
        for match, after in zip(matches, [*matches[1:], None], strict=False):
            count = parse_count(row.text[match.end():after.start() if after else len(row.text)])
            if count is not None:
                by_year.setdefault(int(match.group(1)), (count, Field(match.group(0), str(count), row.pieces, [row])))
    table_labels = {compact(cell) for page in doc.pages for table in page.tables for r in table for cell in r
                    if SERVED_IN_YEAR.fullmatch(compact(cell))}
    for label in table_labels | {m.group(0) for row in rows for m in SERVED_IN_YEAR.finditer(row.text)}:
        for cell_text, field in table_cells(doc, (label,), _is_label):  # a table whose labels head its columns
            count = parse_count(cell_text)
            if count is not None:
                by_year.setdefault(int(SERVED_IN_YEAR.match(label).group(1)), (count, field))
                break
    for match in [*SERVED_PROSE.finditer(passage.text), *SERVED_SHORT.finditer(passage.text)]:
        count = parse_count(match.group("value"))
        if count is not None:
            by_year.setdefault(int(match.group("year")), (count, passage.field(match.start(), match.end())))
        # The year before in the same sentence (2025年累计服务中小企业242家，2024年为217家).
        sentence_end = passage.text.find("。", match.end())
        rest_end = sentence_end if sentence_end >= 0 else len(passage.text)
        for other in SERVED_ALSO.finditer(passage.text, match.end(), rest_end):
            count = parse_count(other.group("value"))
            if count is not None:
                by_year.setdefault(int(other.group("year")), (count, passage.field(other.start(), other.end())))
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
            for match in pattern.finditer(sentence):
                value = match.groupdict().get("value") or match.groupdict().get("value2")
                if not value or parse(value) is None or REQUIREMENT.search(sentence[match.start():match.end() + 4]):
                    continue  # a condition quoted (资产总额不低于100万元) is no claim
                found = passage.field(start + match.start(), start + match.end())
                out.add(key, parse(value), found.confidence, [found.evidence(doc.path, clean(sentence))], claim=True)
                break


def _recognitions_in_prose(passage: Passage, doc: DocumentText, out: Extraction) -> None:
    """Recognitions the prose states (2023年被武汉市经信局认定为市级中小企业公共服务示范平台), when no table lists them."""
    if "recognitions" in out.claims:
        return
    names, evidence = [], []
    for start, sentence in _sentences(passage.text):
        for match in RECOGNISED_AS.finditer(compact(sentence)):
            reading = _recognitions(match.group("name"))
            if reading is not None and len(reading.value) == 1 and reading.value[0] not in names:
                names.append(reading.value[0])
                evidence.append(passage.field(start, start + len(sentence)).evidence(doc.path, clean(sentence)))
    if names:
        out.add("recognitions", names, 0.85, evidence, claim=True)
