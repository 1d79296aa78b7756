"""Text → values in domain.md's units: dates, money, areas, counts, ratios, credit codes.

Every parser takes the text as read (OCR or text layer) and returns None when it is not
sure: a wrong value is worse than none.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from stdnum.cn import uscc

__all__ = [
    "Money", "clean", "compact", "find_dates", "parse_area", "parse_count", "parse_date",
    "parse_money", "parse_ratio", "repair_credit_code", "find_credit_codes", "mask_id_numbers", "printed_name",
    "whole",
]

CN_DIGITS = "零〇一二两三四五六七八九壹贰叁肆伍陆柒捌玖貳參陸"
CN_UNITS = "十百千万亿拾佰仟萬億"
CN_NUMBER = f"[{CN_DIGITS}{CN_UNITS}]+(?:点[{CN_DIGITS}]+)?"
# A figure as reports and tables write it, in digits or Chinese numerals (15, 十三, 8.3): a regex part.
FIGURE = r"[\d零一二两三四五六七八九十百千万]+(?:\.\d+)?"
# Variants that cn2an does not know, mapped to the ones it does.
CN_VARIANTS = str.maketrans({"萬": "万", "億": "亿", "貳": "贰", "參": "叁", "陸": "陆", "〇": "零", "圆": "元"})


SPACES = re.compile(r"\s+")


def clean(text: str) -> str:
    """Full-width forms folded (NFKC), ideographic spaces as spaces, runs of spaces single."""
    folded = unicodedata.normalize("NFKC", text).replace("\u3000", " ")
    return SPACES.sub(" ", folded).strip()


def compact(text: str) -> str:
    """`clean` without any spaces: how labels and names are compared."""
    return clean(text).replace(" ", "")


# What applicants stamp or watermark across a copy (whole, or the part that ran into a value);
# never part of a form's value.
OVERPRINT = re.compile(r"仅供\S{0,8}?使用|仅供|申?报使用|复?印无效|此件与原件一致|此件与原件相符|此件与原件|与原件核对一致|与?原件一致|"
                       r"与原件相符")


def without_overprint(text: str) -> str:
    """A value without the words of a watermark or copy stamp that OCR read into it."""
    return OVERPRINT.sub("", text)


# A copy stamp repeated across a page is read in scraps (此件与原, 件与原, 与原): a line that is
# nothing but part of one belongs to no field. The stamp's plain words alone (原件, 一致) may be text.
COPY_STAMPS = ("此件与原件一致", "此件与原件相符", "与原件核对一致", "复印无效")
STAMP_WORDS = {"此件", "原件", "一致", "核对", "复印", "无效"}


def is_stamp_scrap(text: str) -> bool:
    """Whether the text is only a piece of a copy stamp."""
    folded = compact(text)
    return len(folded) >= 2 and folded not in STAMP_WORDS and any(folded in stamp for stamp in COPY_STAMPS)


def join_wrapped(first: str, second: str) -> str:
    """Two parts of a text a line break split: CJK characters and full-width marks join directly, else a space."""
    if not first or not second:
        return first or second
    return first + second if _is_wide(first[-1]) and _is_wide(second[0]) else f"{first} {second}"


def _is_wide(char: str) -> bool:
    return "\u3000" <= char <= "\u9fff" or "\uff00" <= char <= "\uffef"


def printed_name(text: str) -> str:
    """A name or value as documents print it: no spaces, full-width brackets."""
    return compact(text).replace("(", "（").replace(")", "）")


def whole(amount: float) -> int | float:
    """An amount as an int when it has no fraction (1000000, not 1000000.0)."""
    return int(round(amount)) if abs(amount - round(amount)) < 0.005 else round(amount, 2)


def cn_number(text: str) -> float | None:
    """A Chinese numeral (小写 or 大写, 两, 萬) as a number, or None."""
    import cn2an  # here: its import costs 0.2 s that re-evaluation, which never parses numerals, would pay

    try:
        value = cn2an.cn2an(text.translate(CN_VARIANTS), "smart")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return float(value)


def to_number(text: str) -> float | None:
    """Arabic (with thousands separators) or Chinese digits, optionally followed by 万/亿/千/百."""
    text = text.strip().replace(",", "").replace(" ", "")
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([十百千万亿萬億]*)", text)
    if match:
        value = float(match.group(1))
        for unit in match.group(2):
            value *= {"十": 10, "百": 100, "千": 1000, "万": 1e4, "萬": 1e4, "亿": 1e8, "億": 1e8}[unit]
        return value
    return cn_number(text)


# ---------------------------------------------------------------- dates

DATE_ARABIC = re.compile(r"((?:19|20)\d{2})\s*[年\-./]\s*(\d{1,2})\s*[月\-./]\s*(\d{1,2})(?!\d)\s*日?")
DATE_CHINESE = re.compile(r"([〇零一二三四五六七八九]{4})\s*年\s*([十一二三四五六七八九]{1,2})\s*月\s*"
                          r"([十一二三四五六七八九]{1,3})\s*日")
CN_YEAR_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")


def find_dates(text: str) -> list[tuple[date, tuple[int, int]]]:
    """Every calendar-valid date in the text, with its span, in order."""
    text = unicodedata.normalize("NFKC", text)
    found = []
    for match in DATE_ARABIC.finditer(text):
        parsed = _make_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        if parsed:
            found.append((parsed, match.span()))
    for match in DATE_CHINESE.finditer(text):
        month, day = cn_number(match.group(2)), cn_number(match.group(3))
        if month is not None and day is not None:
            parsed = _make_date(int(match.group(1).translate(CN_YEAR_DIGITS)), int(month), int(day))
            if parsed:
                found.append((parsed, match.span()))
    return sorted(found, key=lambda item: item[1])


def parse_date(text: str) -> date | None:
    """The first date in the text."""
    dates = find_dates(text)
    return dates[0][0] if dates else None


def _make_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


# ---------------------------------------------------------------- money

CURRENCIES = {
    "人民币": "CNY", "港币": "HKD", "港元": "HKD", "美元": "USD", "欧元": "EUR", "日元": "JPY", "日币": "JPY",
    "新台币": "TWD", "台币": "TWD", "英镑": "GBP", "澳元": "AUD", "韩元": "KRW", "泰铢": "THB", "卢布": "RUB",
}
CURRENCY_PATTERN = "|".join(sorted(CURRENCIES, key=len, reverse=True))
MONEY = re.compile(
    rf"(?P<before>{CURRENCY_PATTERN})?\s*"
    rf"(?P<number>\d[\d,]*(?:\.\d+)?|{CN_NUMBER})\s*(?P<units>[十百千万亿萬億]*)\s*"
    rf"(?P<yuan>元|圆|块)?(?:(?P<jiao>[\d{CN_DIGITS}])[角毛])?(?:(?P<fen>[\d{CN_DIGITS}])分)?"
    rf"(?P<after>{CURRENCY_PATTERN})?"
)
UNIT_WORDS = {"十": 10, "百": 100, "千": 1000, "万": 1e4, "萬": 1e4, "亿": 1e8, "億": 1e8}


@dataclass(frozen=True)
class Money:
    """An amount in a currency (ISO code)."""

    amount: float
    currency: str

    @property
    def cny(self) -> float | None:
        """The amount when it is in yuan, else None (no exchange rates here)."""
        return self.amount if self.currency == "CNY" else None


def parse_money(text: str) -> Money | None:
    """The first amount of money: 人民币壹佰万元整, 500万元, 港币100万元, 12,500,000.00."""
    text = unicodedata.normalize("NFKC", text).replace("，", ",").replace(" ", "")
    text = text.replace("整", "").replace("钱", "").replace("个亿", "亿")
    # A currency in brackets after the sum (贰佰万元整（港币）) is the sum's currency.
    text = re.sub(rf"[(（]({CURRENCY_PATTERN})[)）]", r"\1", text)
    # OCR reads 万 as 方 (壹拾方元): between a figure and 元 no other character stands there.
    text = re.sub(rf"(?<=[\d{CN_DIGITS}{CN_UNITS}])方(?=元)", "万", text)
    for match in MONEY.finditer(text):
        number = match.group("number")
        # A bare number is money only with a currency, 元, or a 万/亿 (三百万, 肆佰叁拾萬).
        has_unit = bool(match.group("units") or match.group("yuan") or re.search("[万亿萬億]", number))
        currency_word = match.group("before") or match.group("after")
        if not has_unit and not currency_word:
            continue
        value = to_number(number)
        if value is None:
            continue
        for unit in match.group("units"):
            value *= UNIT_WORDS[unit]
        for part, scale in (("jiao", 0.1), ("fen", 0.01)):
            digit = match.group(part)
            if digit:
                extra = to_number(digit)
                value += (extra or 0) * scale
        currency = CURRENCIES.get(currency_word or "人民币", "CNY")
        return Money(round(value, 2), currency)
    return None


# ---------------------------------------------------------------- areas, counts, ratios

AREA = re.compile(rf"(\d+(?:\.\d+)?|{CN_NUMBER})\s*(?:平方米|平方公尺|平米|㎡|m²|m2|M2|平方)")


def parse_area(text: str) -> float | None:
    """The first area in square metres: 126.5平方米, 150㎡, 一百二十平方米."""
    match = AREA.search(unicodedata.normalize("NFKC", text).replace(",", ""))
    if not match:
        return None
    value = to_number(match.group(1))
    return round(value, 2) if value is not None else None


COUNT = re.compile(rf"(\d+|{CN_NUMBER})\s*(?:人次|人|家|场|次|个|项|名|期|户)")


def parse_count(text: str) -> int | None:
    """The first counted figure: 12人, 十二人, 136家, 8场, 384人次."""
    match = COUNT.search(unicodedata.normalize("NFKC", text).replace(",", ""))
    if not match:
        return None
    value = to_number(match.group(1))
    return int(value) if value is not None and value == int(value) else None


RATIO = re.compile(rf"(\d+(?:\.\d+)?)\s*%|百分之({CN_NUMBER})")


def parse_ratio(text: str) -> float | None:
    """The first percentage as a ratio 0..1: 98%, 百分之九十八."""
    match = RATIO.search(unicodedata.normalize("NFKC", text))
    if not match:
        return None
    value = float(match.group(1)) if match.group(1) else cn_number(match.group(2))
    return None if value is None or value > 100 else round(value / 100, 4)


# ---------------------------------------------------------------- 统一社会信用代码

# Letters GB 32100 never uses, as OCR misreads them; I O S V Z do not occur in a code.
NEVER_IN_CODE = str.maketrans({"O": "0", "Q": "0", "I": "1", "L": "1", "S": "5", "Z": "2"})
# Pairs OCR confuses where both are legal: tried only as a repair the check digit confirms.
LOOK_ALIKES = {"B": "8", "8": "B", "G": "6", "6": "G", "D": "0", "0": "D"}
CODE_CANDIDATE = re.compile(r"[0-9A-Z]{17,19}")


def repair_credit_code(raw: str) -> tuple[str, float] | None:
    """A valid 18-character code from what OCR read, and how sure the repair is; None if no code checks."""
    text = compact(raw).upper()
    text = re.sub(r"[^0-9A-Z]", "", text)
    if len(text) != 18:
        return None
    if uscc.is_valid(text):
        return text, 0.99
    mapped = text.translate(NEVER_IN_CODE)
    # The region code (characters 3-8) is always digits.
    mapped = mapped[:2] + mapped[2:8].translate(str.maketrans({"B": "8", "G": "6", "D": "0", "T": "7"})) + mapped[8:]
    if uscc.is_valid(mapped):
        return mapped, 0.95
    positions = [i for i, char in enumerate(mapped) if char in LOOK_ALIKES]
    if len(positions) > 6:
        return None
    valid = set()
    for chosen in itertools.product((False, True), repeat=len(positions)):
        chars = list(mapped)
        for position, swap in zip(positions, chosen, strict=True):
            if swap:
                chars[position] = LOOK_ALIKES[chars[position]]
        candidate = "".join(chars)
        if uscc.is_valid(candidate):
            valid.add(candidate)
    if len(valid) == 1:
        return valid.pop(), 0.85
    return None


def find_credit_codes(text: str) -> list[tuple[str, float]]:
    """Every checkable credit code in the text (repaired where the check digit allows)."""
    folded = compact(text).upper()
    found: list[tuple[str, float]] = []
    for match in CODE_CANDIDATE.finditer(folded):
        run = match.group(0)
        for start in range(len(run) - 17):
            repaired = repair_credit_code(run[start:start + 18])
            if repaired and repaired[0] not in (code for code, _ in found):
                found.append(repaired)
                break
    return found


# Resident identity numbers: 18 digits (region, birth date, sequence, check) or the older 15 (two-digit year).
_MONTH_DAY = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
ID_NUMBER = re.compile(rf"(?<![0-9A-Za-z*])(?:\d{{6}}(?:19|20)\d{{2}}{_MONTH_DAY}\d{{3}}[\dXx]|\d{{8}}{_MONTH_DAY}\d{{3}})"
                       r"(?![0-9A-Za-z])")


def mask_id_numbers(text: str) -> str:
    """Identity-card numbers in a text shown as 421005********6087; everything else (credit codes) untouched."""
    return ID_NUMBER.sub(lambda m: m.group(0)[:6] + "*" * (len(m.group(0)) - 10) + m.group(0)[-4:], text)
