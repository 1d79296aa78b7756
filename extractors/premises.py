"""房屋租赁合同 and 不动产权证书: who holds the premises, where, how large, for how long.

Contracts come from many model texts: parties as `出租方（以下简称"甲方"）：`, `甲方（出租方）：`,
`出租人：`, `甲　方：`, with the name on the next line or in a party block (法定代表人 / 地址 /
电话 under it), or only in the signature block; the premises `坐落于…` / `位于…` / `房屋地址：`;
areas as 建筑面积, 计租面积, 使用面积; terms `自…起至…止`, `2024.01.01—2026.12.31` or
`租期三年，自…起`. Every candidate is validated by its kind (extractors/validate.py).
"""

from __future__ import annotations

import re

from extractors import vocabulary
from extractors.base import Extraction
from extractors.layout import DocumentText, Field, Passage, boxed_tables, iter_fields, table_cells
from extractors.validate import SQUARE_LOST_CERTAINTY, Reading, address, org_name, party_name
from extractors.values import AREA, clean, cn_number, compact, find_dates, join_wrapped, parse_area

__all__ = ["extract_lease", "extract_property", "lease_term"]

LEASE, PROPERTY = "lease_contract", "property_certificate"
# Between a party's label and its name: brackets naming the role or the seal place, then a colon.
PARTY_LEAD = re.compile(r"^\s*(?:[（(][^（）()]{0,16}[）)]\s*)*[:：]")
PARTY_ALONE = re.compile(r"\s*(?:[（(][^（）()]{0,16}[）)]\s*)*")  # the label alone on its line: the name is below
# A signature block's role bracket (乙方（盖章）武汉市…): the colon is often left out, or lost under the seal.
PARTY_SIGNED = re.compile(r"^\s*[（(](?:盖章|签章|公章|签字|签名|签字盖章|盖章签字|签字或盖章|签章处)[）)]")
# Another party's or person's lines in a party block: a value never runs on into them.
PARTY_STOPS = ("住所", "地址", "通讯地址", "法定代表人", "负责人", "委托代理人", "联系电话", "电话", "统一社会信用代码",
               "身份证号", "证件号码", "营业执照号码", "签字", "签订日期", "日期")
# An area printed beside the premises' own that is not it (公摊, the land's).
NOT_PREMISES_AREA = re.compile(r"(?:公摊|分摊|宗地|土地|共有宗地|共用|绿化|车位)\S{0,2}$")
SQUARE_LOST = re.compile(r"[为是:：]?\s*(\d+(?:\.\d+)?)\s*[mM](?=[。，,；;）)\s]|$)")
ADDRESS_END = re.compile(r"的(?:房屋|房产|物业|写字楼|商铺|厂房|办公用房|场地)|[，。,；;（(]|(?:房屋|出租|租赁|作为|用于|给乙方|给承租)")
# Joins a term's two dates: 至, 到, any dash OCR reads (hyphen, en and em dash, bar, full-width, box drawing) or a
# tilde; with 日/起 before it.
TERM_JOIN = re.compile(r"^\s*(?:日)?\s*(?:起)?\s*(?:至|到|止至|[-‐‑‒–—―－─]+|[~～〜])\s*$")
# 租期三年 / 租赁期限为伍年 (contracts write the figure in 大写 as often as in 小写).
TERM_YEARS = re.compile(r"(?:租赁期限|租期|租赁期)[为是:：]?\s*(?P<years>[\d一二两三四五六七八九十壹贰叁肆伍陆柒捌玖拾]+)\s*(?:个)?\s*年")


def extract_lease(doc: DocumentText) -> Extraction:
    """Lessor, lessee, address, area (and which area), start and end of a lease."""
    out = Extraction()
    rows = doc.rows
    stops = vocabulary.stops(LEASE) + PARTY_STOPS
    for key in ("premises_lessor", "premises_lessee"):
        candidates = list(_parties(doc, vocabulary.labels(LEASE, key), stops))
        if candidates:
            (reading, found), *others = candidates
            # A name the party block and the signature block agree on is surer; one they disagree on less so.
            agree = [r for r, _f in others if compact(r.value) == compact(reading.value)]
            differ = [r for r, _f in others if compact(r.value) != compact(reading.value)]
            certainty = reading.certainty * (0.8 if differ and not agree else 1.0)
            out.add(key, reading.value, found.confidence * certainty, [found.evidence(doc.path)])
            alternatives = [r.value for r in differ]
            if alternatives:
                out.alternatives[key] = list(dict.fromkeys(alternatives))
    _from_table(doc, out)
    passage = Passage(rows)
    _address(passage, doc, out)
    _area(passage, doc, out)
    if "premises_area_m2" not in out.facts:
        # 一、租赁房屋明细 as a table whose header cell wraps (计租面积（ / 建筑面积) / (m²)), the figure alone under it
        under = area_under_its_column_header(rows, header_chars=12)
        if under is not None:
            value, found = under
            out.add("premises_area_m2", value, found.confidence * 0.9, [found.evidence(doc.path)])
            out.facts["premises_area_m2"].area_kind = "建筑面积"  # type: ignore[attr-defined]
    term = lease_term(passage.text)
    if term is not None:
        start, end, certainty, span = term
        found = passage.field(*span)
        evidence = [found.evidence(doc.path, clean(passage.text[span[0]:span[1]]))]
        out.add("premises_lease_start", start, found.confidence * certainty, evidence)
        out.add("premises_lease_end", end, found.confidence * certainty, evidence)
    return out


def _parties(doc: DocumentText, labels: tuple[str, ...], stops: tuple[str, ...]):
    """(reading, field) of every place the document names a party: its own line or block, its
    signature; in reading order. A label only counts where a colon (after role brackets) or the end
    of its line follows it: 出租方应保证… is a clause, not the party."""
    seen = 0
    for found in iter_fields(doc.rows, labels, stops, max_rows_below=2):
        row = found.rows[0]
        at = row.text.find(found.label)
        after = row.text[at + len(found.label):] if at >= 0 else ""
        if not (PARTY_LEAD.match(after) or PARTY_ALONE.fullmatch(after) or PARTY_SIGNED.match(after)):
            continue
        tail = _wrapped_name_tail(doc.rows, found)
        if tail is not None:
            found = Field(found.label, join_wrapped(found.value, tail.text), found.pieces + [tail], found.rows)
        reading = party_name(found.value)
        if reading is not None:
            seen += 1
            yield reading, found
        if seen >= 4:
            return


BRACKETED_TAIL = re.compile(r"^[（(][^（）()]{1,10}[）)]$")


def _wrapped_name_tail(rows, found: Field):
    """The second line of a party's name wrapped in its cell (乙方（盖章）长治市…中心 / （有限合伙）, …股份有限公 / 司):
    straight under the cell's first line, a bracketed part, the rest of a bracket the first line left open, or the
    end of a legal form the wrap cut."""
    last = found.rows[-1]
    at = next((i for i, row in enumerate(rows) if row is last), None)
    if at is None or at + 1 >= len(rows) or not found.pieces or found.pieces[-1].bbox is None:
        return None
    cell = found.pieces[-1]
    height = max(last.line_height, 1.0)
    opened = found.value.count("（") + found.value.count("(") > found.value.count("）") + found.value.count(")")
    unfinished = org_name(found.value) is None  # 湖北楚天科技服务股份有限公 / 司: the legal form cut by the wrap
    # The rows just below; in a two-column signature block the other party's line, set a little lower,
    # may come first (乙方（盖章）：恒远（荆州）人力资源有限公 | 甲方（盖章）：… | 司).
    for below in rows[at + 1: at + 3]:
        if below.page is not last.page or below.top - last.bottom > height:
            return None
        for piece in below.pieces:
            if piece.bbox is None or abs(piece.bbox[0] - cell.bbox[0]) > 1.5 * height:
                continue
            text = compact(piece.text)
            if BRACKETED_TAIL.match(text) or opened and re.match(r"^[^（）()]{1,10}[）)]", text):
                return piece
            joined = org_name(join_wrapped(found.value, piece.text)) if unfinished and len(text) <= 6 else None
            if joined is not None and joined.certainty == 1.0:
                return piece
    return None


def _address(passage: Passage, doc: DocumentText, out: Extraction) -> None:
    """The premises' address after 坐落于 / 位于 / 房屋地址：, up to 的房屋 or the clause's end, if it is an address."""
    text = passage.text
    for label in vocabulary.labels(LEASE, "premises_address"):
        for match in re.finditer(re.escape(label) + r"(?:于|在)?[为是:：\s]*", text):  # 房屋坐落于…
            rest = text[match.end(): match.end() + 90]
            end = ADDRESS_END.search(rest)
            value = rest[:end.start()] if end else rest
            reading = address(value)
            if reading is None:
                continue
            found = passage.field(match.start(), match.end() + len(value))
            out.add("premises_address", reading.value, found.confidence * reading.certainty,
                    [found.evidence(doc.path, clean(text[match.start(): match.end() + len(value)]))])
            return


CLAUSE_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|第[一二三四五六七八九十\d]+条)")


def area_kind(label: str) -> str:
    """Which area a label names: 租赁建筑面积 and 房屋建筑面积 are the 建筑面积."""
    return re.sub(r"^(?:租赁|房屋)(?=(?:建筑|使用|套内建筑)面积)", "", label)


def _bare_number(text: str) -> float | None:
    """A cell that is only a number (180.25), else None."""
    match = re.fullmatch(r"\d{1,6}(?:\.\d{1,2})?", compact(text).replace(",", ""))
    return float(match.group(0)) if match else None


def _from_table(doc: DocumentText, out: Extraction) -> None:
    """Address, area and term from a table of the premises (房屋地址 | 建筑面积 | 租赁期限 | 月租金, the labels over
    their values or beside them): its cells say which value is which, where the page's lines interleave them."""
    headers = [label for key in ("premises_address", "premises_area_m2", "premises_lease_start")
               for label in vocabulary.labels(LEASE, key)]
    boxed = boxed_tables(doc, headers, stop=lambda row: bool(CLAUSE_HEADING.match(compact(row.text))))
    for text, found in table_cells(doc, vocabulary.labels(LEASE, "premises_address"), boxed=boxed):
        reading = address(text)
        if reading is not None:
            out.add("premises_address", reading.value, found.confidence * reading.certainty,
                    [found.evidence(doc.path, clean(text))])
            break
    for kind in vocabulary.labels(LEASE, "premises_area_m2"):
        for text, found in table_cells(doc, (kind,), boxed=boxed):
            # Under a 建筑面积（㎡） header the cell may hold the bare number: the column gives the unit.
            value = parse_area(text.replace(",", "")) or _bare_number(text)
            if value is not None and 1 <= value <= 100_000:
                out.add("premises_area_m2", value, found.confidence, [found.evidence(doc.path, f"{kind} {clean(text)}")])
                out.facts["premises_area_m2"].area_kind = area_kind(kind)  # type: ignore[attr-defined]
                break
        if "premises_area_m2" in out.facts:
            break
    for text, found in table_cells(doc, vocabulary.labels(LEASE, "premises_lease_start"), boxed=boxed):
        term = lease_term(clean(text).replace(" ", ""))
        if term is not None:
            start, end, certainty, _span = term
            evidence = [found.evidence(doc.path, clean(text))]
            out.add("premises_lease_start", start, found.confidence * certainty, evidence)
            out.add("premises_lease_end", end, found.confidence * certainty, evidence)
            break


def _area(passage: Passage, doc: DocumentText, out: Extraction) -> None:
    """The area the contract gives, by the vocabulary's order (建筑面积 first); the kind is kept beside it."""
    text = passage.text
    for kind in vocabulary.labels(LEASE, "premises_area_m2"):
        for match in re.finditer(kind, text):
            if NOT_PREMISES_AREA.search(text[max(0, match.start() - 6):match.start()]) or \
                    kind == "面积" and text[max(0, match.start() - 2):match.start()].endswith(("建筑", "使用", "计租", "租赁")) or \
                    kind == "建筑面积" and text[max(0, match.start() - 2):match.start()] == "套内":  # its own, later label
                continue
            window = text[match.end(): match.end() + 40].replace(",", "")
            area, doubt = AREA.search(window), 1.0
            if not area or area.start() > 6:  # the next label's figure, this one's ² lost (126.5m；套内建筑面积103.73m²)
                area, doubt = SQUARE_LOST.match(window) or area, SQUARE_LOST_CERTAINTY
            if not area or area.start() > 6:
                continue
            value = parse_area(window) if doubt == 1.0 else float(area.group(1))
            if value is None or not 1 <= value <= 100_000:
                continue
            found = passage.field(match.start(), match.end() + area.end())
            out.add("premises_area_m2", value, found.confidence * doubt,
                    [found.evidence(doc.path, clean(text[match.start(): match.end() + area.end()]))])
            out.facts["premises_area_m2"].area_kind = area_kind(kind)  # type: ignore[attr-defined]
            return


def lease_term(text: str) -> tuple[str, str, float, tuple[int, int]] | None:
    """(start, end, certainty, span) of a lease's term: two dates joined by 至 / 到 / a dash, the first
    such pair after a term label (else the first anywhere); else `租期N年，自X起` with its end counted
    (the day before the N-th anniversary)."""
    dates = find_dates(text)
    label_at = min((m.start() for label in ("租赁期限", "租赁期", "租期", "期限") for m in re.finditer(label, text)),
                   default=None)
    pairs = []
    for (first, (s1, e1)), (second, (s2, e2)) in zip(dates, dates[1:], strict=False):
        if TERM_JOIN.match(text[e1:s2]) and second > first:
            pairs.append((first, second, (s1, e2)))
    after_label = [p for p in pairs if label_at is not None and p[2][0] >= label_at]
    chosen = (after_label or pairs or [None])[0]
    if chosen is not None:
        first, second, span = chosen
        return first.isoformat(), second.isoformat(), 1.0 if after_label else 0.9, span
    years = TERM_YEARS.search(text)
    return _counted_term(dates, years) if years else None


def _counted_term(dates: list, years: re.Match[str]) -> tuple[str, str, float, tuple[int, int]] | None:
    """`租期三年，自2024年1月1日起`: the end is the day before the third anniversary (民法典 第二百零二条)."""
    from datetime import timedelta

    raw = years.group("years")
    count = int(raw) if raw.isdigit() else cn_number(raw)
    begins = [(d, span) for d, span in dates if span[0] >= years.start() and span[0] - years.end() <= 12]
    if not count or not begins:
        return None
    start, span = begins[0]
    try:
        anniversary = start.replace(year=start.year + int(count))
    except ValueError:
        anniversary = start.replace(year=start.year + int(count), day=28)
    end = anniversary - timedelta(days=1)
    return start.isoformat(), end.isoformat(), 0.85, (years.start(), span[1])


def extract_property(doc: DocumentText) -> Extraction:
    """Owner, address and area of a 不动产权证书 / 房屋所有权证."""
    out = Extraction()
    rows = doc.rows
    stops = vocabulary.stops(PROPERTY) + ("共有情况", "不动产单元号", "权利类型", "权利性质", "用途", "使用期限", "房屋性质",
                                          "房屋结构", "总层数", "所在层", "规划用途", "登记时间", "附记")
    owner = _first_valid(iter_fields(rows, vocabulary.labels(PROPERTY, "premises_owner"), stops), party_name)
    if owner:
        reading, found = owner
        out.add("premises_owner", reading.value, found.confidence * reading.certainty, [found.evidence(doc.path)])
    located = _first_valid(iter_fields(rows, vocabulary.labels(PROPERTY, "premises_address"), stops, multiline=True),
                           address)
    if located:
        reading, found = located
        out.add("premises_address", reading.value, found.confidence * reading.certainty, [found.evidence(doc.path)])
    for found, certainty in _own_area_fields(iter_fields(rows, vocabulary.labels(PROPERTY, "premises_area_m2"), stops)):
        reading = _preferred_area(found.value)
        if reading is not None:
            out.add("premises_area_m2", reading.value[0], found.confidence * certainty, [found.evidence(doc.path)])
            out.facts["premises_area_m2"].area_kind = reading.value[1]  # type: ignore[attr-defined]
            break
    else:
        under = area_under_its_column_header(rows)
        if under is not None:
            value, found = under
            out.add("premises_area_m2", value, found.confidence * 0.9, [found.evidence(doc.path)])
            out.facts["premises_area_m2"].area_kind = "建筑面积"  # type: ignore[attr-defined]
    return out


BARE_FIGURE = re.compile(r"\d{1,6}(?:\.\d{1,2})?")


def area_under_its_column_header(rows, header_chars: int | None = None) -> tuple[float, Field] | None:
    """The figure under a 建筑面积（m²） column header of a certificate's 房屋状况 table (幢号 | 房号 | 结构 |
    房屋总层数 | 所在层数 | 建筑面积 | 套内建筑面积 | 其它) or a lease's premises table, found by where the header
    stands across the page: headers set close together are often read as one box (所在层数建筑面积（m²）), so the
    column is the stretch of that box the label's characters take. `header_chars`: the longest box that may be a
    header cell (a lease's clause that mentions 建筑面积 is none)."""
    for at, row in enumerate(rows):
        for piece in row.pieces:
            text = piece.text
            if header_chars is not None and len(compact(text)) > header_chars:
                continue
            start = next((m.start() for m in re.finditer("建筑面积", text) if not PART_OF_AREA.search(text[:m.start()])), None)
            if start is None or piece.bbox is None:
                continue
            left, right = piece.x_at(start), piece.bbox[2] if start + 4 >= len(text.rstrip("（(m²)）")) else piece.x_at(start + 4)
            width = (right - left) / 4  # one character
            for below in rows[at + 1: at + 4]:
                if below.page is not row.page or below.top - row.bottom > 3 * max(row.line_height, 1.0):
                    break
                figures = [p for p in below.pieces if p.bbox and BARE_FIGURE.fullmatch(compact(p.text))
                           and left - width <= p.centre <= right + width]
                if figures:  # the nearest: the next column's figure may reach into the stretch
                    nearest = min(figures, key=lambda p: abs(p.centre - (left + right) / 2))
                    return float(compact(nearest.text)), Field("建筑面积", nearest.text, [nearest], [below])
    return None


PART_OF_AREA = re.compile(r"(?:分摊|公摊|专有|套内|宗地|土地|共用)$")


def _own_area_fields(fields):
    """(field, certainty) of the area fields that are the building's own: not 分摊建筑面积 / 专有建筑面积 read under the 建筑面积 label; a
    certificate's cell holding the bare figure (房屋建筑面积 | 96: the form's unit is m²) as that figure in m²."""
    for found in fields:
        row = found.rows[0]
        at = row.text.find(found.label)
        if at > 0 and PART_OF_AREA.search(compact(row.text[:at])):
            continue
        bare = re.fullmatch(r"\d{1,6}(?:\.\d{1,2})?", compact(found.value))
        if bare:
            yield Field(found.label, f"{found.label}{bare.group(0)}平方米", found.pieces, found.rows), 0.9
        else:
            yield found, 1.0


def _first_valid(fields, validator) -> tuple[Reading, Field] | None:
    """The first candidate field whose value validates, with its reading."""
    for found in fields:
        reading = validator(found.value)
        if reading is not None:
            return reading, found
    return None


def _preferred_area(value: str) -> Reading | None:
    """(area, kind) from '共有宗地面积5000㎡/房屋建筑面积150㎡': the building's area, not the land's."""
    text = compact(value)
    for kind in ("房屋建筑面积", "建筑面积", "房屋使用面积", "使用面积", "房屋"):
        at = text.find(kind)
        if at >= 0:
            area = parse_area(text[at + len(kind):])
            if area is not None:
                return Reading((area, kind.removeprefix("房屋") or "建筑面积"))
    areas = [parse_area(m.group(0)) for m in AREA.finditer(text) if not NOT_PREMISES_AREA.search(text[:m.start()])]
    return Reading((areas[-1], "面积")) if areas and areas[-1] is not None else None
