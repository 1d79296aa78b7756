"""营业执照 and 法人证书: name, code, type, representative, capital, dates, term, address, scope."""

from __future__ import annotations

import difflib
import re
import unicodedata
from datetime import date, timedelta

from rapidfuzz.distance import Levenshtein

from extractors import vocabulary
from extractors.base import Extraction
from extractors.layout import DocumentText, Field, find_field, iter_fields
from extractors.validate import starts_with_region, validate
from extractors.values import (
    compact,
    find_credit_codes,
    find_dates,
    parse_money,
    printed_name,
    whole,
)

__all__ = ["extract"]

DOC_TYPE = "business_license"  # the certificates print the same labels (extractors/vocabulary.py)
# The sentence that closes every business scope; a reading this close to it is that sentence.
SCOPE_CLOSING, SCOPE_CLOSING_RATIO = "（依法须经批准的项目，经相关部门批准后方可开展经营活动）", 0.85
# The closing sentences licences print after the items, longest first: since 2022 the 许可项目 one names where
# the items are listed (…，具体经营项目以审批结果为准）).
SCOPE_CLOSINGS = ("（依法须经批准的项目，经相关部门批准后方可开展经营活动，具体经营项目以相关部门批准文件或许可证件为准）",
                  "（依法须经批准的项目，经相关部门批准后方可开展经营活动，具体经营项目以审批结果为准）", SCOPE_CLOSING)
ALL_LABELS = vocabulary.stops(DOC_TYPE)
# A legal-person certificate states its kind in its title, not in a 类型 row.
CERTIFICATE_TYPES = (("事业单位法人证书", "事业单位"), ("社会团体法人登记证书", "社会团体"), ("民办非企业单位登记证书", "民办非企业单位"),
                     ("社会服务机构登记证书", "民办非企业单位"), ("基金会法人登记证书", "基金会"))


def _labels(key: str) -> tuple[str, ...]:
    return vocabulary.labels(DOC_TYPE, key)


def _valid(kind: str):
    """A candidate filter: the value validates as `kind`."""
    return lambda value: validate(kind, value) is not None


def extract(doc: DocumentText) -> Extraction:
    """Every fact of a licence or legal-person certificate that can be read with confidence."""
    out = Extraction()
    rows = doc.rows
    _credit_code(doc, out)
    code = out.facts["credit_code"].value if "credit_code" in out.facts else None
    name = find_field(rows, _labels("org_name"), ALL_LABELS, accept=_valid("org"))
    if name:
        reading = validate("org", name.value)
        value, certainty = name_with_region_from_code(reading.value, code)
        out.add("org_name", value, name.confidence * certainty * reading.certainty, [name.evidence(doc.path)])
    _entity_type(doc, out)
    representative = find_field(rows, _labels("legal_representative"), ALL_LABELS, accept=_valid("person"))
    if representative:
        reading = validate("person", representative.value)
        out.add("legal_representative", reading.value, representative.confidence * reading.certainty,
                [representative.evidence(doc.path)])
    capital = find_field(rows, _labels("registered_capital_cny"), ALL_LABELS, accept=lambda v: parse_money(v) is not None)
    if capital:
        amount, currency, certainty = capital_amount(capital.value)
        if currency == "CNY":
            out.add("registered_capital_cny", amount, capital.confidence * certainty, [capital.evidence(doc.path)])
        else:
            out.add("registered_capital", {"amount": amount, "currency": currency},
                    capital.confidence * certainty, [capital.evidence(doc.path)])
    # A long term wraps in its column (营业期限2021年01月23日至2041年0 | 1月22日): read it with its next line.
    term = find_field(rows, _labels("business_term"), ALL_LABELS, accept=lambda v: _term(v) is not None) \
        or find_field(rows, _labels("business_term"), ALL_LABELS, multiline=True, accept=lambda v: _term(v) is not None)
    business_term = _term(term.value) if term else None
    if term:
        # 长期 read, but digits before it that make no date (208年0月/10日至长期): the start was misread, not absent.
        unread_start = business_term == {"start": None, "end": None} and bool(re.search(r"\d", term.value))
        out.add("business_term", business_term, term.confidence * (0.5 if unread_start else 1.0), [term.evidence(doc.path)])
    registered = find_field(rows, _labels("registration_date"), ALL_LABELS, accept=lambda v: bool(find_dates(v)))
    if registered:
        printed = find_dates(registered.value)[0][0].isoformat()
        value, certainty = registration_date_against_term(printed, business_term)
        evidence = [registered.evidence(doc.path)] + ([term.evidence(doc.path)] if term and value != printed else [])
        out.add("registration_date", value, registered.confidence * certainty, evidence)
        if term and business_term == {"start": None, "end": None}:
            # 营业期限 长期 on today's licence: the term runs from the day the business was founded.
            out.facts.pop("business_term")
            out.add("business_term", {"start": value, "end": None}, min(term.confidence, registered.confidence * certainty),
                    [term.evidence(doc.path), registered.evidence(doc.path)])
    address_field = find_field(rows, _labels("address"), ALL_LABELS, multiline=True, accept=_valid("address"))
    if address_field:
        reading = validate("address", address_field.value)
        out.add("address", reading.value, address_field.confidence * reading.certainty,
                [address_field.evidence(doc.path)])
    scope = find_field(rows, _labels("business_scope"), ALL_LABELS, multiline=True, accept=_plausible_text)
    if scope:
        out.add("business_scope", scope_with_item_separators(scope_with_printed_closing(printed_name(scope.value))),
                scope.confidence,
                [scope.evidence(doc.path)])
    return out


def _entity_type(doc: DocumentText, out: Extraction) -> None:
    """The 类型 row as the regulator's list prints it; a legal-person certificate's kind from its title."""
    for found in iter_fields(doc.rows, _labels("entity_type"), ALL_LABELS):
        read = closed_brackets(without_leading_symbols(printed_name(found.value)))
        known = known_entity_type(read)
        if known is None and len(read) < 4:
            continue
        out.add("entity_type", known or read, found.confidence * (0.95 if known and known != read else 1.0 if known else 0.6),
                [found.evidence(doc.path)])
        return
    # The 类型 label lost to a seal or a blur (类 | 有限合伙企业): a cell of its own that is one of the
    # regulator's types is the type, by content.
    for row in doc.rows:
        for piece in row.pieces:
            read = closed_brackets(without_leading_symbols(printed_name(piece.text)))
            known = known_entity_type(read) if len(read) >= 4 else None
            if known is not None:
                found = Field("", read, [piece], [row])
                out.add("entity_type", known, found.confidence * (0.85 if known == read else 0.8),
                        [found.evidence(doc.path)])
                return
    for row in doc.rows[:8]:
        text = compact(row.text)
        for title, kind in CERTIFICATE_TYPES:
            if title in text:
                found = Field.of_row(row, title)
                out.add("entity_type", kind, found.confidence * 0.95, [found.evidence(doc.path, title)])
                return


def scope_with_printed_closing(scope: str) -> str:
    """A scope whose closing sentence (the same on every licence) OCR misread a little, with the sentence as printed
    and nothing after it."""
    # Anchored where the sentence opens (依法…) or by its middle (…经批准的项目) when OCR misread 须 (依法频经, 依法制经).
    anchors = sorted({m.start() for m in re.finditer("依法", scope)} |
                     {max(0, m.start() - 3) for m in re.finditer("经批准的项目", scope)})
    for anchor in anchors:
        start = anchor - 1 if scope[anchor - 1:anchor] in ("（", "(") else anchor
        # Compared as NFKC: OCR gives a full-width comma as often as an ASCII one.
        closing = next((c for c in SCOPE_CLOSINGS if difflib.SequenceMatcher(
            None, unicodedata.normalize("NFKC", scope[start:start + len(c) + 1]),
            unicodedata.normalize("NFKC", c)).ratio() >= SCOPE_CLOSING_RATIO), None)
        if closing is not None:
            items = scope[:start]
            if items.endswith(("、", ",", "，", ";", "；")):
                items = items[:-1] + "。"  # the last item ends with a full stop before the sentence (OCR: 、 or ,)
            return items + closing  # the sentence ends the scope: what follows was read twice
    return scope


def scope_with_item_separators(scope: str) -> str:
    """A scope's items separated by ；as licences print them, where OCR read the semicolon as a colon; the colons
    of 一般项目： / 许可项目： (and those inside brackets) stay."""
    out, depth = [], 0
    for index, char in enumerate(scope):
        if char in "（(":
            depth += 1
        elif char in "）)":
            depth -= 1
        elif char in ":：" and depth == 0 and not scope[max(0, index - 2):index].endswith("项目"):
            char = "；"
        out.append(char)
    return "".join(out)


def _credit_code(doc: DocumentText, out: Extraction) -> None:
    """The 18-character code, repaired with its check digit; a code that fails the check is never kept."""
    labelled = find_field(doc.rows, _labels("credit_code"), (), max_rows_below=2,
                          accept=lambda v: bool(find_credit_codes(v)))
    if labelled:
        code, certainty = find_credit_codes(labelled.value)[0]
        out.add("credit_code", code, min(certainty, labelled.confidence), [labelled.evidence(doc.path)])
        return
    below = _code_under_label(doc)
    if below is not None:
        (code, certainty), found = below
        out.add("credit_code", code, min(certainty, found.confidence), [found.evidence(doc.path)])
        return
    for row in doc.rows:  # some layouts print the code with no label
        # Not another number the licence prints (证照编号:1197992478224786546, 注册号): an 18-character window of
        # it may pass the check digit by chance.
        pieces = [p for p in row.pieces if not OTHER_NUMBER.search(compact(p.text))]
        codes = find_credit_codes(" ".join(p.text for p in pieces))
        if codes:
            found = Field.of_row(row, codes[0][0])
            out.add("credit_code", codes[0][0], min(codes[0][1], found.confidence) * 0.9, [found.evidence(doc.path)])
            return


OTHER_NUMBER = re.compile(r"证照编号|编号|注册号|证号|电话|登记号|\d{19,}")


def _code_under_label(doc: DocumentText):
    """((code, certainty), field) for a code printed under its label, the label's line holding other text beside it
    (统一社会信用代码 | 营业执照 | the QR code's caption): the first of the next three lines starting under the label."""
    labels = _labels("credit_code")
    for index, row in enumerate(doc.rows):
        label = next((p for p in row.pieces if p.bbox and any(compact(p.text).startswith(x) for x in labels)), None)
        if label is None:
            continue
        for below in doc.rows[index + 1:index + 4]:
            for piece in below.pieces:
                if piece.bbox and abs(piece.bbox[0] - label.bbox[0]) <= 2 * label.height:
                    codes = find_credit_codes(piece.text)
                    if codes:
                        return codes[0], Field("", piece.text, [label, piece], [row, below])
    return None


def region_names(credit_code: str) -> list[str]:
    """Province, prefecture and county of a credit code's registration authority, without 省/市/区/县."""
    from stdnum import numdb

    region = credit_code[2:8]
    names = []
    for code in (region[:2] + "0000", region[:4] + "00", region):
        for _part, props in numdb.get("cn/loc").info(code):
            for name in props.get("province", props.get("county", "")).split(","):
                name = re.sub(r"^\[[^\]]*\]", "", name)
                short = re.sub(r"(?:特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|地区|省|市|区|县)$", "", name)
                if len(short) >= 2 and short not in names:
                    names.append(short)
    return names


def name_with_region_from_code(name: str, credit_code: str | None) -> tuple[str, float]:
    """The name with its leading place repaired from the credit code (招兴… → 绍兴… for a 3306 code), and a certainty.

    Names begin with the registering authority's province, city or county, which the check-digit
    verified code states: one character of it misread is restored, never more. A name that states
    its place elsewhere (长盛（长治）投资有限公司) begins with its trade name and is left alone."""
    if not credit_code:
        return name, 1.0
    places = region_names(credit_code)
    if any(place in name for place in places):
        return name, 1.0
    for place in places:
        head = name[:len(place)]
        if len(head) == len(place) and sum(a != b for a, b in zip(head, place, strict=True)) == 1:
            return place + name[len(place):], 0.9
    return name, 1.0


def capital_amount(value: str) -> tuple[int | float, str, float]:
    """(amount, currency, certainty) of a printed capital; a decimal point lost in OCR is put back.

    2019+ licences print 万元 with four decimals (100000.0000万元); read without its point that is a
    thousand times the largest registered capital in the country (~8,300亿元), so the last four
    digits were decimals."""
    money = parse_money(value)
    amount = money.amount
    digits = re.search(r"(\d{5,})\s*万", compact(value))
    if amount >= 1e12 and digits and digits.group(1).endswith("0000"):
        return whole(amount / 10_000), money.currency, 0.8
    return whole(amount), money.currency, 1.0


def registration_date_against_term(printed: str, term: dict[str, str | None] | None) -> tuple[str, float]:
    """(成立日期, certainty) checked against 营业期限, which starts on it: when the two differ by one
    character, the term's start wins if its end confirms it (start + N years − 1 day)."""
    start = (term or {}).get("start")
    if not start or start == printed or sum(a != b for a, b in zip(start, printed, strict=True)) != 1:
        return printed, 1.0
    end = (term or {}).get("end")
    if end and _whole_years_apart(start, end):
        return start, 0.85
    return printed, 0.5


def _whole_years_apart(start: str, end: str) -> bool:
    """Whether a term ends the day before a whole number of years after it starts (2015-03-04 → 2035-03-03)."""
    begin, finish = date.fromisoformat(start), date.fromisoformat(end)
    following = finish + timedelta(days=1)
    return following.year > begin.year and (following.month, following.day) == (begin.month, begin.day)


def without_leading_symbols(value: str) -> str:
    """A value without the box marks or bullets OCR reads before it (☑其他有限责任公司)."""
    return value.lstrip("".join(c for c in value[:3] if unicodedata.category(c).startswith("S")))


# The types the market regulator prints on licences (市场主体类型), as written there. A type read
# a character off one of them, and nearer to it than to any other, is that type.
ENTITY_TYPES = (
    # 有限责任公司
    "有限责任公司", "有限责任公司（自然人投资或控股）", "有限责任公司（自然人独资）",
    "有限责任公司（非自然人投资或控股的法人独资）", "有限责任公司（自然人投资或控股的法人独资）",
    "有限责任公司（国有独资）", "有限责任公司（国有控股）", "有限责任公司（外商投资、非独资）",
    "有限责任公司（外商投资企业法人独资）", "有限责任公司（外商投资企业投资）", "有限责任公司（外商投资企业合资）",
    "有限责任公司（外商投资企业与内资合资）", "有限责任公司（外国法人独资）", "有限责任公司（外国自然人独资）",
    "有限责任公司（外国非法人经济组织独资）", "有限责任公司（中外合资）", "有限责任公司（中外合作）",
    "有限责任公司（台港澳法人独资）", "有限责任公司（台港澳自然人独资）", "有限责任公司（台港澳非法人经济组织独资）",
    "有限责任公司（台港澳与境内合资）", "有限责任公司（台港澳与外国投资者合资）", "有限责任公司（台港澳合资）",
    "有限责任公司（台港澳与境内合作）", "有限责任公司（港澳台法人独资）", "其他有限责任公司",
    # 股份有限公司
    "股份有限公司（非上市、自然人投资或控股）", "股份有限公司（非上市、国有控股）", "股份有限公司（上市、自然人投资或控股）",
    "股份有限公司（上市、国有控股）", "股份有限公司（非上市）", "股份有限公司（上市）", "股份有限公司（中外合资、未上市）",
    "股份有限公司（中外合资、上市）", "股份有限公司（外商投资、未上市）", "股份有限公司（外商投资、上市）",
    "股份有限公司（台港澳与境内合资、未上市）", "股份有限公司（台港澳与境内合资、上市）",
    "股份有限公司（台港澳与外国投资者合资、未上市）", "其他股份有限公司（非上市）", "其他股份有限公司（上市）",
    # 分公司 and other branches
    "有限责任公司分公司（自然人投资或控股）", "有限责任公司分公司（自然人独资）", "有限责任公司分公司（国有独资）",
    "有限责任公司分公司（国有控股）", "有限责任公司分公司（非自然人投资或控股的法人独资）",
    "有限责任公司分公司（自然人投资或控股的法人独资）", "有限责任公司分公司（外商投资企业法人独资）",
    "有限责任公司分公司（中外合资）", "有限责任公司分公司（台港澳与境内合资）", "其他有限责任公司分公司", "外商投资企业分公司",
    "股份有限公司分公司（非上市、自然人投资或控股）", "股份有限公司分公司（上市、自然人投资或控股）",
    "股份有限公司分公司（非上市、国有控股）", "股份有限公司分公司（上市、国有控股）", "其他股份有限公司分公司（非上市）",
    "其他股份有限公司分公司（上市）", "全民所有制分支机构（非法人）", "集体分支机构（非法人）", "个人独资企业分支机构",
    "合伙企业分支机构", "农民专业合作社分支机构",
    # 非公司企业, 合伙, 个体, 合作社
    "全民所有制", "集体所有制", "股份制", "股份合作制", "联营", "个人独资企业", "普通合伙企业", "特殊普通合伙企业",
    "有限合伙企业", "外商投资普通合伙企业", "外商投资有限合伙企业", "个体工商户", "农民专业合作社", "农民专业合作社联合社",
    # legal-person certificates
    "事业单位", "社会团体", "民办非企业单位", "基金会",
)
ENTITY_TYPE_SLIPS = 1  # characters a reading may be off by, per 12 characters of the type
ENTITY_TYPE_FORMS = {unicodedata.normalize("NFKC", name): name for name in ENTITY_TYPES}  # as readings are folded


def known_entity_type(read: str) -> str | None:
    """The printed type the reading is, when it is one or unambiguously a slip away from one; a type
    followed only by a bracketed place (…（自然人投资或控股）（北京）, another column's text) is that type.
    A reading is never taken for a shorter type it merely begins with (…分公司（…） is not 有限责任公司)."""
    folded = unicodedata.normalize("NFKC", read)
    if folded in ENTITY_TYPE_FORMS:
        return ENTITY_TYPE_FORMS[folded]
    nearest = sorted((Levenshtein.distance(folded, form), name) for form, name in ENTITY_TYPE_FORMS.items())
    (best, name), (runner_up, _other) = nearest[0], nearest[1]
    allowed = ENTITY_TYPE_SLIPS * max(1, len(name) // 12)
    # One slip more when the reading is still far nearer to that type than to any other.
    if best <= allowed and runner_up > best or best <= allowed + 1 and runner_up >= best + 3:
        return name
    for form, name in sorted(ENTITY_TYPE_FORMS.items(), key=lambda item: -len(item[0])):
        rest = folded[len(form):]
        if folded.startswith(form) and re.fullmatch(r"\((?:[^()]{2,6})\)", rest) and starts_with_region(rest[1:-1]):
            return name
        # The next column's date after a whole type, its 成立日期 label lost (…（自然人独资）2016年09月22日,
        # …法人独资）月2018年03月05日): no type holds a digit.
        if folded.startswith(form) and form.endswith(")") and re.match(r"^\D{0,2}\d", rest) and find_dates(rest):
            return name
        # A watermark's or the next column's scrap after a whole type (其他有限责任公司申报同): the type, unless
        # the scrap could begin a longer type (有限责任公司 + （自然人投资或控股）).
        if folded.startswith(form) and 1 <= len(rest) <= 4 and len(form) >= 4 and re.fullmatch(r"[\u4e00-\u9fff]+", rest) \
                and not any(other != form and other.startswith(form + rest[0]) for other in ENTITY_TYPE_FORMS):
            return name
    return None


def closed_brackets(value: str) -> str:
    """An entity type whose closing bracket ran into the next label (…法人独资）成立日期) closed again."""
    return value + "）" if value.count("（") > value.count("）") else value


def _plausible_text(value: str) -> bool:
    return len(compact(value)) >= 2


# No end: 长期, or an end the licence leaves starred out or blank (2021年05月14日至******, 至 年 月 日).
TERM_OPEN = re.compile(r"长期|永久|不约定期限|[*＊]{3,}|至\s*年\s*月\s*日")


def _term(value: str) -> dict[str, str | None] | None:
    """营业期限 → {start, end}; end None for 长期."""
    dates = find_dates(value)
    if not dates:
        return {"start": None, "end": None} if TERM_OPEN.search(value) else None
    start = dates[0][0].isoformat()
    if len(dates) >= 2:
        return {"start": start, "end": dates[1][0].isoformat()}
    if TERM_OPEN.search(value[dates[0][1][1]:]):
        return {"start": start, "end": None}
    return None
