"""Property tests over the parsers that read what applicants wrote: money, dates, areas, counts, ratios,
credit codes, identity numbers, zip names, and the label/value finder. Each parser's declared failure is
None (or an empty list); no other outcome may escape, whatever the text. The number of examples run per
parser is written to artifacts/fuzz-examples.json."""

from __future__ import annotations

import json
import os
import zipfile
from collections import Counter
from datetime import date
from pathlib import PurePosixPath

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc

from extractors.layout import find_field, page_to_pieces, pieces_to_rows
from extractors.values import (
    ID_NUMBER,
    Money,
    find_credit_codes,
    find_dates,
    mask_id_numbers,
    parse_area,
    parse_count,
    parse_date,
    parse_money,
    parse_ratio,
    repair_credit_code,
)
from models.pages import PageText, TextLine
from pipeline.intake import readable_name, zip_entry_name, zip_entry_path
from tests.conftest import REPO

EXAMPLES = int(os.environ.get("SHENHE_FUZZ_EXAMPLES", "3000"))  # per parser; raise it for a longer search
RUN: Counter[str] = Counter()
# Text as applications carry it: Chinese numerals and units, digits, dates, money and area words, noise.
PIECES = st.sampled_from(["人民币", "壹佰", "万元", "元整", "叁拾", "伍", "点", "百分之", "%", "平方米", "㎡", "m²", "年", "月",
                          "日", "2018", "03", "12", "-", "/", ".", "，", "(", ")", "（", "）", "约", "共", "人", "名",
                          "9142", "0100", "MA4K", "X", "O", "I", "成立日期", "：", "：", " ", "\n", "\t", "零", "〇",
                          "两", "亿", "拾", "佰", "仟"])
APPLICANT_TEXT = st.one_of(st.text(max_size=60), st.lists(PIECES, max_size=25).map("".join),
                           st.tuples(st.text(max_size=10), st.lists(PIECES, max_size=15).map("".join)).map("".join))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module", autouse=True)
def report_examples():
    yield
    out = REPO / "artifacts" / "fuzz-examples.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(dict(sorted(RUN.items())), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


@FUZZ
@given(APPLICANT_TEXT)
def test_money(text):
    RUN["parse_money"] += 1
    found = parse_money(text)
    assert found is None or (isinstance(found, Money) and found.amount >= 0)


@FUZZ
@given(APPLICANT_TEXT)
def test_dates(text):
    RUN["parse_date / find_dates"] += 1
    found = parse_date(text)
    assert found is None or isinstance(found, date)
    for day, (start, end) in find_dates(text):
        assert isinstance(day, date) and 0 <= start <= end <= len(text)


@FUZZ
@given(APPLICANT_TEXT)
def test_areas_counts_and_ratios(text):
    RUN["parse_area / parse_count / parse_ratio"] += 1
    area, count, ratio = parse_area(text), parse_count(text), parse_ratio(text)
    assert area is None or (isinstance(area, float) and area >= 0)
    assert count is None or (isinstance(count, int) and count >= 0)
    assert ratio is None or 0 <= ratio <= 1


@FUZZ
@given(st.one_of(APPLICANT_TEXT, st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXYZOIS", min_size=15, max_size=20)))
def test_credit_codes(text):
    RUN["repair_credit_code / find_credit_codes"] += 1
    repaired = repair_credit_code(text)
    if repaired is not None:
        code, confidence = repaired
        assert uscc.is_valid(code) and 0 < confidence <= 1  # a repair is only ever a valid code
    for code, confidence in find_credit_codes(text):
        assert uscc.is_valid(code) and 0 < confidence <= 1


@FUZZ
@given(st.one_of(APPLICANT_TEXT, st.from_regex(r"[1-6]\d{5}(19|20)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d)\d{3}[0-9X]", fullmatch=True)))
def test_identity_numbers_are_always_masked(text):
    RUN["mask_id_numbers"] += 1
    masked = mask_id_numbers(text)
    assert len(masked) == len(text) and not ID_NUMBER.search(masked)


@FUZZ
@given(st.binary(min_size=1, max_size=40), st.booleans())
def test_zip_names(raw, utf8_flag):
    RUN["zip_entry_name / zip_entry_path / readable_name"] += 1
    info = zipfile.ZipInfo("x")
    info.filename = raw.decode("utf-8", "replace") if utf8_flag else raw.decode("cp437")
    info.flag_bits = 0x800 if utf8_flag else 0
    name = zip_entry_name(info)
    assert isinstance(name, str)
    path = zip_entry_path(info)
    if path is not None:
        parts = PurePosixPath(path).parts
        assert not path.startswith("/") and ".." not in parts and "\\" not in path
    assert isinstance(readable_name(raw), str)


LINES = st.lists(st.tuples(st.one_of(APPLICANT_TEXT, st.sampled_from(["成立日期", "成立日期：2018年3月12日", "注册资本"])),
                           st.floats(0, 2000), st.floats(0, 2000), st.floats(1, 600), st.floats(1, 80),
                           st.floats(0, 1)), max_size=12)


@FUZZ
@given(LINES, st.booleans())
def test_label_and_value_finding(lines, boxed):
    RUN["page_to_pieces / pieces_to_rows / find_field"] += 1
    page = PageText(page_no=1, width=2600, height=2700, source="ocr" if boxed else "docx",
                    lines=[TextLine(text=text, bbox=(x, y, x + w, y + h) if boxed else None, confidence=conf)
                           for text, x, y, w, h, conf in lines])
    rows = pieces_to_rows(page_to_pieces(page))
    found = find_field(rows, ["成立日期", "注册日期"], stop_labels=["注册资本"], multiline=True, max_rows_below=2)
    assert found is None or isinstance(found.value, str)
