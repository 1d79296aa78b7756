"""Each value kind's validation: what passes, what is cut where another column ran in, what is refused."""

from __future__ import annotations

import pytest

from extractors.business_license import ENTITY_TYPES, known_entity_type
from extractors.validate import address, org_name, party_name, person_name, validate


@pytest.mark.parametrize("text, name", [
    ("王健", "王健"), ("欧阳娜娜", "欧阳娜娜"), ("买买提·艾力", "买买提·艾力"),
    ("牛敬堂河南省安阳市城乡一体化示范区白", "牛敬堂"),  # the address column ran into it
    ("张涛中国制造网", "张涛"),  # a website's watermark
    ("谭玉芹ade-in-C", "谭玉芹"),
])
def test_person_names_are_cut_where_another_column_begins(text, name):
    assert person_name(text).value == name


@pytest.mark.parametrize("text", ["表见用于仅用于", "成立", "杨芝车村膳食管理有限", "", "12"])
def test_text_that_is_no_name_gives_none(text):
    assert person_name(text) is None


@pytest.mark.parametrize("text, name", [
    ("（以下简称\u201c乙方\u201d）：武汉博睿数字科技有限公司", "武汉博睿数字科技有限公司"),
    ("（乙方）：武汉博睿数字科技有限公司", "武汉博睿数字科技有限公司"),
    ("（盖章）：武汉光谷资产经营管理有限公司", "武汉光谷资产经营管理有限公司"),
    ("长盛（长治）投资有限公司执法单位", "长盛（长治）投资有限公司"),  # the next form label stuck to it
    ("武汉市博睿创业服务中心（有限合伙）", "武汉市博睿创业服务中心（有限合伙）"),
    ("山东千暖电器科技有限公司枣庄分公司", "山东千暖电器科技有限公司枣庄分公司"),
    ("湖北省中小企业服务中心", "湖北省中小企业服务中心"),
    ("宜昌市某某律师事务所", "宜昌市某某律师事务所"),
])
def test_organisation_names_end_in_their_legal_form(text, name):
    assert org_name(text).value == name


def test_a_one_character_ending_does_not_reach_past_a_longer_one():
    assert org_name("武汉博睿数字科技有限公司住所") .value == "武汉博睿数字科技有限公司"
    assert org_name("我单位将继续完善服务体系") is None


def test_a_party_may_be_a_private_person():
    assert party_name("：张建国").value == "张建国"
    assert party_name("（甲方）：武汉光谷资产经营管理有限公司").value == "武汉光谷资产经营管理有限公司"


def test_addresses_lose_the_figures_another_field_ran_into_them():
    assert address("常州市武进区横林镇狄坂村188万元整2018年04月09日").value == "常州市武进区横林镇狄坂村"
    assert address("湖北省武汉市洪山区关山大道355号").certainty == 1.0
    assert address("经营范围") is None


@pytest.mark.parametrize("kind, text, value", [
    ("date", "2024.01.01", "2024-01-01"), ("money", "人民币伍拾万元整", 500_000), ("area", "126.5㎡", 126.5),
    ("count", "十二名", 12), ("ratio", "百分之九十五", 0.95), ("code", "91420100MA4K3XQ12X", None),
])
def test_the_plain_kinds(kind, text, value):
    reading = validate(kind, text)
    assert (reading.value if reading else None) == value


def test_every_official_entity_type_reads_as_itself_and_never_as_a_shorter_one():
    for entity_type in ENTITY_TYPES:
        assert known_entity_type(entity_type) == entity_type
    assert known_entity_type("有限责任公司分公司（自然人投资或控股）") == "有限责任公司分公司（自然人投资或控股）"
    assert known_entity_type("有限责任公司（自然人投资或控股）（北京）") == "有限责任公司（自然人投资或控股）"
    assert known_entity_type("有息真任公司（自然人投资或控股）") == "有限责任公司（自然人投资或控股）"
    assert known_entity_type("个人经营") is None  # a 个体工商户's 组成形式, not its type


def test_a_copy_watermark_read_onto_a_name_is_cut_off_with_doubt():
    # 仅供申报使用，他用无效 printed across a licence copy: its last scraps land on the representative's name.
    for printed in ("龚林波他用", "龚林波 他用", "龙艳桂用"):
        reading = person_name(printed)
        assert reading is not None and reading.value == printed.replace(" ", "")[:3] and reading.certainty < 1.0
    assert person_name("张用").value == "张用"  # a two-character name ending in 用 is a name


def test_a_records_fields_are_no_organisation_name():
    assert org_name("有效期至:2030-02-01许可机关:宜昌市市场监督管理局") is None
    assert org_name("罚款金额（万元）:2处罚机关:襄阳市市场监督管理局") is None
    assert org_name("上党区工业和信息化局").value == "上党区工业和信息化局"


def test_an_address_sheds_the_neighbouring_columns_scraps_at_its_ends():
    for printed in ("荆小湖北省荆州市沙市区长江路373号智谷22层20室", "湖北省荆州市沙市区长江路373号智谷22层20室登记机",
                    "湖北省荆州市沙市区长江路373号智谷22层20室沈峰玲"):
        reading = address(printed)
        assert reading.value == "湖北省荆州市沙市区长江路373号智谷22层20室" and reading.certainty < 1.0
    assert address("湖北省荆州市沙市区长江路373号智谷22层20室").certainty == 1.0


@pytest.mark.parametrize("text, name", [
    ("长治市瑞丰人力资源中心(有限合优)", "长治市瑞丰人力资源中心（有限合伙）"),  # 伙 misread: the form the law requires
    ("武汉众信会计师事务所(普通合夥)", "武汉众信会计师事务所（普通合伙）"),
])
def test_a_partnerships_bracketed_form_misread_by_one_character_is_printed_as_the_law_requires(text, name):
    reading = org_name(text)
    assert reading.value == name and reading.certainty < 1.0


def test_a_name_followed_by_a_watermarks_scraps_in_cells_of_their_own_is_the_name():
    reading = person_name("谢波晓 申 回")  # 仅供申报使用 overprinted across the 法定代表人 row
    assert reading.value == "谢波晓" and reading.certainty < 1.0
    assert person_name("王\u3000伟").value == "王伟"  # a two-character name padded in its cell is one name


def test_an_entity_type_with_a_watermarks_scrap_after_it_is_that_type_unless_the_scrap_begins_a_longer_one():
    assert known_entity_type("其他有限责任公司申报同") == "其他有限责任公司"
    assert known_entity_type("有限责任公司分公") is None  # …分公司（…）: not the shorter type


def test_four_characters_after_a_single_surname_are_a_less_sure_name():
    assert person_name("韦雪颖月").certainty < 0.9 < person_name("韦雪颖").certainty


def test_a_capital_whose_wan_ocr_read_as_fang_is_still_wan():
    from extractors.values import parse_money

    assert parse_money("人民币壹拾方元整").amount == 100_000  # 万 → 方 on a blurred licence
    assert parse_money("500方元").amount == 5_000_000


def test_an_area_whose_square_sign_was_lost_and_an_address_with_the_type_column_before_it():
    assert validate("area", "320m").value == 320.0 and validate("area", "320m").certainty < 1.0
    reading = address("其他有限责任公司山西省长治市高新区英雄路397号智谷2层09室")
    assert reading.value == "山西省长治市高新区英雄路397号智谷2层09室" and reading.certainty < 1.0


def test_a_capital_whose_currency_is_bracketed_after_it_is_in_that_currency():
    from extractors.values import parse_money

    money = parse_money("注册资本贰佰万元整（港币）")
    assert (money.amount, money.currency) == (2_000_000, "HKD")
