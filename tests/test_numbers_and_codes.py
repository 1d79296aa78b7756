import random

import pytest
from stdnum.cn import uscc as stdnum_uscc

from fixtures.numerals import cn_date, lower_number, upper_money
from fixtures.uscc import is_valid, make_code


@pytest.mark.parametrize("amount, text", [
    (1000000, "壹佰万元整"), (100000, "壹拾万元整"), (30300000, "叁仟零叁拾万元整"),
    (100500000, "壹亿零伍拾万元整"), (77770000, "柒仟柒佰柒拾柒万元整"), (10010, "壹万零壹拾元整"),
])
def test_upper_money_writes_amounts_as_licences_print_them(amount, text):
    assert upper_money(amount) == text


@pytest.mark.parametrize("n, text", [(12, "十二"), (136, "一百三十六"), (10, "十"), (101, "一百零一")])
def test_lower_number(n, text):
    assert lower_number(n) == text


def test_generated_credit_codes_pass_python_stdnum():
    rng = random.Random(5)
    for _ in range(500):
        body = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
        code = make_code(rng.choice(("91", "92", "12", "51", "52")), "420100", body)
        assert stdnum_uscc.is_valid(code), code


def test_real_codes_pass_the_generators_check(dev_set):
    codes = [c.strip() for c in (dev_set / "uscc-valid-codes.txt").read_text().splitlines() if c.strip()]
    assert len(codes) > 300
    assert all(is_valid(c) for c in codes)
    assert not is_valid(codes[0][:-1] + ("0" if codes[0][-1] != "0" else "1"))


def test_cn_date_pads_month_and_day():
    from datetime import date
    assert cn_date(date(2018, 3, 2)) == "2018年03月02日"
