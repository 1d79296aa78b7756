"""Whether a text read after a label is a value of the kind the vocabulary says, and that value.

Each validator takes the text as read and returns a `Reading` (the value in domain.md's units and
how sure the reading is) or None: a text that is not a value of its kind is no value at all. A
validator may cut a value short where another column's text ran into it (a person's name followed
by an address), but never guesses characters that were not read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from rapidfuzz.distance import Levenshtein

from extractors.values import (
    clean,
    compact,
    find_credit_codes,
    find_dates,
    parse_area,
    parse_count,
    parse_money,
    parse_ratio,
    printed_name,
    without_overprint,
)

__all__ = ["Reading", "VALIDATORS", "validate", "validated_value", "person_name", "org_name", "party_name", "address", "region_names",
           "without_definition", "name_standing", "ORG_ENDINGS"]


@dataclass(frozen=True)
class Reading:
    """A validated value and how sure the validator is that the text is that value (0..1)."""

    value: Any
    certainty: float = 1.0


# ---------------------------------------------------------------- regions

@cache
def region_names() -> frozenset[str]:
    """Every province, prefecture and county name of the national division codes (GB/T 2260, as
    python-stdnum ships them), with and without its 省/市/区/县 ending."""
    import stdnum

    data = Path(stdnum.__file__).parent / "cn" / "loc.dat"
    names: set[str] = set()
    for line in data.read_text(encoding="utf-8").splitlines():
        for name in re.findall(r'(?:province|county)="([^"]+)"', line):
            name = re.sub(r"^\[[^\]]*\]", "", name)
            if len(name) < 2:
                continue
            names.add(name)
            short = re.sub(r"(?:特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|自治县|地区|新区|林区|省|市|区|县|旗)$", "", name)
            if len(short) >= 2:
                names.add(short)
    return frozenset(names)


@cache
def _region_pattern() -> re.Pattern[str]:
    names = sorted(region_names(), key=len, reverse=True)
    return re.compile("|".join(re.escape(n) for n in names))


def starts_with_region(text: str) -> bool:
    """Whether the text opens with a province, city or county name (中国（湖北）自由贸易试验区 counts)."""
    folded = re.sub(r"^中国[（(]?", "", text)
    return bool(_region_pattern().match(folded))


# ---------------------------------------------------------------- people

# The surnames of nearly everyone (百家姓 and the common modern ones); compound surnames first.
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯",
                     "轩辕", "令狐", "钟离", "闻人", "端木", "独孤", "南宫", "西门", "澹台", "公羊", "呼延", "申屠", "万俟")
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范"
    "金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜"
    "倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房"
    "滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙"
    "荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权"
    "强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印"
    "逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由")
# Characters that never end a person's name as licences print it but start the next column's text.
NAME_FOLLOWERS = re.compile(r"(?:中国|人民币|有限|公司|股份|\d|[一二三四五六七八九十壹贰叁肆伍陆柒捌玖]\S*[万亿元]|"
                            r"仅供|他用|使用|无效|复印|此件|与原件|营业|经营|成立|注册|住所|类型|名称|法定|登记|国家|市场|统一|信用)")
# The last scrap of a copy watermark (仅供申报使用，他用无效) read onto a name's end: 龙艳桂用.
WATERMARK_TAIL = re.compile(r"(?:他用无效|他用|使用|无效|用)$")
PERSON_CHARS = re.compile(r"[\u4e00-\u9fff·•．]+")


@cache
def _label_words() -> frozenset[str]:
    from extractors import vocabulary

    words = {label.lstrip("^") for f in vocabulary.FACT_LABELS for label in f.labels} | set(vocabulary.FORM_LABELS)
    return frozenset(w for w in words if len(w) >= 2) | {"成立", "营业", "经营", "注册", "登记", "有效", "长期", "无", "暂无"}


def _is_label_word(name: str) -> bool:
    """A word forms print as a label (成立日期 read as 成立), not a person's name."""
    return any(name == word or name.startswith(word) and len(word) >= 2 for word in _label_words())


def _surname_length(name: str) -> int:
    if name[:2] in COMPOUND_SURNAMES:
        return 2
    return 1 if name[:1] in SURNAMES else 0


def person_name(text: str) -> Reading | None:
    """A person's name as printed: 2–4 characters (longer with a compound surname or a ·); a name that
    another column's text ran into is cut where that text begins (a region, a label, a figure); a name
    followed by a watermark's scraps in cells of their own (谢波晓 申 回) is its own cell."""
    whole = _person_name(text)
    if whole is not None:
        return whole
    first, _, rest = clean(without_overprint(text)).partition(" ")
    alone = _person_name(first) if rest and len(compact(rest)) <= 4 else None
    return Reading(alone.value, alone.certainty * 0.9) if alone is not None and len(alone.value) >= 2 else None


def _person_name(text: str) -> Reading | None:
    folded = without_overprint(compact(text))
    run = PERSON_CHARS.match(folded)
    if not run:
        return None
    name = run.group(0).replace("•", "·").replace("．", "·")
    if "·" in name:  # 买买提·艾力: names of several parts
        return Reading(name, 0.95) if 3 <= len(name) <= 20 else None
    surname = _surname_length(name)
    longest = 4 + (surname == 2)
    if not surname or _is_label_word(name):
        return None  # nearly every name starts with a surname of the list: anything else is a misreading or a label
    tail = WATERMARK_TAIL.search(name)
    if tail and len(name) >= 4 and tail.start() >= 2:
        return Reading(name[:tail.start()], 0.85)
    if 2 <= len(name) <= longest and not NAME_FOLLOWERS.match(name[1:]):
        cut = run.end() < len(folded) and folded[run.end()].isascii() and folded[run.end()].isalnum()
        # Four characters after a one-character surname are rare (韦雪颖 + a scrap read as 月): less sure.
        rare = len(name) == 4 and surname == 1
        return Reading(name, (0.9 if cut else 1.0) * (0.8 if rare else 1.0))
    for length in (3, 2, 4):  # most names have three characters
        rest = name[length:]
        if length <= longest and (NAME_FOLLOWERS.match(rest) or starts_with_region(rest)):
            return Reading(name[:length], 0.85)
    return None


# ---------------------------------------------------------------- organisations

# How organisation names end (the legal form or the kind of body), longest first.
ORG_ENDINGS = (
    "股份有限公司", "有限责任公司", "有限公司", "分公司", "（特殊普通合伙）", "（普通合伙）", "（有限合伙）", "合伙企业", "个人独资企业",
    "集团", "公司", "总公司", "中心", "协会", "商会", "学会", "联合会", "促进会", "研究会", "基金会", "研究院", "研究所",
    "设计院", "事务所", "服务部", "经营部", "工作室", "合作社", "联社", "委员会", "管理局", "管理处", "办公室", "服务站", "学校",
    "学院", "大学", "医院", "基地", "平台", "园区", "孵化器", "众创空间", "银行", "支行", "分行", "营业部", "分店", "门店", "分部",
    "分所", "分院", "分社", "办事处",
)
# One-character endings (某某理发店, 某某律师事务所's 所) count only in a name with no longer ending:
# after 有限公司 a 所 or 部 is the next label's first character (住所, 服务部 aside).
SHORT_ORG_ENDINGS = ("处", "局", "厅", "委", "厂", "店", "馆", "站", "院", "所", "社", "部", "行")
_ORG_ENDING = re.compile("(?:" + "|".join(re.escape(e) for e in ORG_ENDINGS) + ")")
_SHORT_ORG_ENDING = re.compile("[" + "".join(SHORT_ORG_ENDINGS) + "]")
# A party's definition or role, written around its name: （以下简称"乙方"）, (以下称甲方), 承租方：
DEFINITION = re.compile(r"[（(]\s*(?:以下|下文)?(?:简称|称)?\s*[\"“”'‘’「『]?\s*[甲乙丙丁]\s*方\s*[\"“”'‘’」』]?\s*[）)]"
                        r"|[（(]\s*以下(?:简|统)?称[^）)]{0,12}[）)]")
ROLE_WORDS = re.compile(r"^(?:[（(]?(?:出租方|出租人|承租方|承租人|甲方|乙方|丙方|产权人|权利人|申报单位|申请单位)[）)]?[:：]?)+")


SEAL_PLACE = re.compile(r"[（(]\s*(?:盖章|公章|签章|签字|签名|章|签字盖章|盖章签字|签字或盖章|签章处)\s*[）)]")
LEADING_MARKS = re.compile(r"^[\s:：;；,，、_.]+")


def without_definition(text: str) -> str:
    """A party's name without the definition, role words or seal place written around it."""
    bare = SEAL_PLACE.sub("", DEFINITION.sub("", text))
    return LEADING_MARKS.sub("", ROLE_WORDS.sub("", LEADING_MARKS.sub("", bare))).strip()


def org_name(text: str) -> Reading | None:
    """An organisation's name: it ends in a legal form or the name of a kind of body; what follows
    the last such ending (a watermark, the next column) is cut off. At least four characters."""
    name = without_definition(printed_name(without_overprint(text))).strip("_：:，,。；;")
    name, repaired = _partnership_form_repaired(name)
    endings = list(_ORG_ENDING.finditer(name)) or list(_SHORT_ORG_ENDING.finditer(name))
    if not endings:
        return None
    end = endings[-1].end()  # the last ending: 有限公司 inside …有限公司分公司 is not the end
    cut = name[:end]
    if len(cut) < 4 or not re.search(r"[\u4e00-\u9fff]", cut[:2]):
        return None
    if re.search(r"[:：]|(?:19|20)\d{2}\s*[-年/.]", cut):  # a record's fields (许可机关:…, 有效期至:2030-02-01), not a name
        return None
    certainty = (1.0 if end == len(name) else 0.9) * (0.85 if repaired else 1.0)
    return Reading(cut, certainty)


PARTNERSHIP_FORMS = ("（有限合伙）", "（普通合伙）", "（特殊普通合伙）")


def _partnership_form_repaired(name: str) -> tuple[str, bool]:
    """A partnership's name with its bracketed form one character misread (（有限合优）) printed as the law
    requires it (合伙企业法 第十五条、第六十二条); (name, whether it was repaired)."""
    match = re.search(r"[（(]([^（）()]{3,6})[）)]?$", name)
    if not match:
        return name, False
    inner = match.group(1)
    for form in PARTNERSHIP_FORMS:
        if inner != form[1:-1] and len(inner) == len(form) - 2 and Levenshtein.distance(inner, form[1:-1]) == 1 \
                and inner[:2] == form[1:3]:
            return name[:match.start()] + form, True
    return name, False


def name_standing(a: Any, b: Any) -> str:
    """same | unsure | other: two names of an entity compared after role labels and definitions (承租方：,
    （以下简称乙方）) are removed. One containing the other (a bracketed form more or less), one or two characters
    apart (OCR misread or lost them) is unsure: the same entity read imperfectly, or another; an unread name is
    unsure too. Any other difference, a two-character word among them (…发展有限公司 for …服务有限公司), is another entity.
    (Names under eight characters: one character apart at most.)"""
    if a is None or b is None or not str(a).strip() or not str(b).strip():
        return "unsure"
    x, y = (compact(without_definition(str(n))).replace("【", "(").replace("】", ")") for n in (a, b))
    if x == y:
        return "same"
    if x in y or y in x or Levenshtein.distance(x, y) <= 1:
        return "unsure"
    # Two characters OCR misread or lost apart from each other (科技→科枝 and a lost 司) are a misreading; a word of two
    # replaced, added or left out (服务 → 发展, 信息技术发展有限公司 for 信息技术有限公司) is how similarly named companies
    # differ: another company.
    if min(len(x), len(y)) >= 8 and Levenshtein.distance(x, y) == 2 and not _a_word_apart(x, y):
        return "unsure"
    return "other"


def far_from(name: Any, other: Any) -> bool:
    """Two names no misreading could turn into each other: more than half their characters apart (a person's name for a
    company's, another company's whole name)."""
    if not name or not other:
        return False
    a, b = compact(str(name)), compact(str(other))
    return Levenshtein.distance(a, b) > max(len(a), len(b)) / 2


def _a_word_apart(a: str, b: str) -> bool:
    """Do two names two edits apart differ by one word: two neighbouring characters replaced, added or left out?"""
    edits = Levenshtein.editops(a, b)
    if len(edits) != 2 or edits[0].tag != edits[1].tag:
        return False
    at = [edit.dest_pos if edit.tag == "insert" else edit.src_pos for edit in edits]
    return abs(at[0] - at[1]) == 1


def party_name(text: str) -> Reading | None:
    """A contract party: an organisation, else a person (a landlord may be a private person)."""
    organisation = org_name(text)
    if organisation is not None:
        return organisation
    person = person_name(without_definition(printed_name(text)))
    return Reading(person.value, person.certainty * 0.95) if person else None


# ---------------------------------------------------------------- places and the rest

ADDRESS_PARTS = re.compile(r"[路街道巷弄号楼栋幢座层室村镇乡区县市园庄屯组里苑厦]")


def address(text: str) -> Reading | None:
    """An address: it opens with a region (or carries street, number and room words) and holds no
    date or sum of money that another field's value ran into."""
    value = printed_name(without_overprint(text)).rstrip("。，,；;")
    if len(value) < 5 or not ADDRESS_PARTS.search(value):
        return None
    dates = find_dates(value)
    money = re.search(r"\d+(?:\.\d+)?万?元|[壹贰叁肆伍陆柒捌玖拾佰仟]+[万亿]?元", value)
    cut = min([span[0] for _d, span in dates] + ([money.start()] if money else []), default=len(value))
    value = value[:cut]
    doubt = 1.0
    # A scrap of the neighbouring column before the region (荆小湖北省…) or after the room (…16室登记机,
    # …25室沈峰玲): an address opens with its region and ends with its room.
    if not starts_with_region(value):
        start = next((i for i in range(1, 4) if starts_with_region(value[i:])), None)
        # The 类型 column's value read into it (其他有限责任公司山西省长治市…): it ends in a legal form.
        start = start or next((i for i in range(4, 24) if re.search(r"(?:公司|企业|工商户|合作社|单位|[）)])$", value[:i])
                               and starts_with_region(value[i:])), None)
        if start is not None:
            value, doubt = value[start:], 0.9
    room = list(re.finditer(r"\d+\s*(?:室|号房|房间|号铺|单元)", value))
    tail = value[room[-1].end():] if room else ""
    # (a bracketed note after the room is the address's own: 201室（入驻深圳市前海商务秘书有限公司）)
    if tail and not re.search(r"\d", tail) and not tail.startswith(("（", "(")):
        value, doubt = value[:room[-1].end()], 0.9
    if len(value) < 5:
        return None
    opens = starts_with_region(value)
    if not opens and len(set(re.findall(r"[路街道巷弄号楼栋幢座层室]", value))) < 3:
        return None  # no region and hardly an address's words (长天灰带”用05室): a misreading
    return Reading(value, (1.0 if opens else 0.85) * doubt * (1.0 if cut == len(printed_name(text)) else 0.8))


def date_value(text: str) -> Reading | None:
    dates = find_dates(text)
    return Reading(dates[0][0].isoformat()) if dates else None


def money_cny(text: str) -> Reading | None:
    money = parse_money(text)
    if money is None or money.currency != "CNY":
        return None
    from extractors.values import whole

    return Reading(whole(money.amount))


# Beside an area's label a figure in metres can only be square metres (the ² lost on a blurred scan): only the
# figure itself may be misread.
SQUARE_LOST_CERTAINTY = 0.95


def area_value(text: str) -> Reading | None:
    area = parse_area(text)
    if area is None:  # 320m: the ² of m² lost on a blurred scan, beside an area's label
        lost = re.fullmatch(r"\s*(\d{1,6}(?:\.\d{1,2})?)\s*[mM]\s*", text)
        return Reading(float(lost.group(1)), SQUARE_LOST_CERTAINTY) if lost and 1 <= float(lost.group(1)) <= 100_000 else None
    return Reading(area) if 1 <= area <= 100_000 else None


def code_value(text: str) -> Reading | None:
    codes = find_credit_codes(text)
    return Reading(codes[0][0], codes[0][1]) if codes else None


def count_value(text: str) -> Reading | None:
    count = parse_count(text)
    return Reading(count) if count is not None else None


def ratio_value(text: str) -> Reading | None:
    ratio = parse_ratio(text)
    return Reading(ratio) if ratio is not None else None


def text_value(text: str) -> Reading | None:
    value = compact(without_overprint(text))
    return Reading(value) if len(value) >= 2 else None


VALIDATORS: dict[str, Callable[[str], Reading | None]] = {
    "org": org_name, "person": person_name, "party": party_name, "address": address, "date": date_value,
    "money": money_cny, "area": area_value, "code": code_value, "count": count_value, "ratio": ratio_value,
    "text": text_value,
}


def validate(kind: str, text: str) -> Reading | None:
    """The text as a value of a kind from the vocabulary (None: not such a value)."""
    return VALIDATORS[kind](text)


def validated_value(kind: str, text: str) -> Any:
    """The value `validate` reads, without its certainty (None: not such a value)."""
    reading = validate(kind, text)
    return reading.value if reading is not None else None
