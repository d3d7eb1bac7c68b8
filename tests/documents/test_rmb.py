from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from documents.rmb import rmb, rmb_upper

DIGITS = set("零壹贰叁肆伍陆柒捌玖")
UNITS = set("拾佰仟万亿元角分整")


@pytest.mark.parametrize(
    ("amount", "capitals"),
    [
        # DOMAIN.md's examples and rules
        ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
        ("1409.50", "壹仟肆佰零玖元伍角"),
        ("6007.14", "陆仟零柒元壹角肆分"),
        ("12345.60", "壹万贰仟叁佰肆拾伍元陆角"),
        ("1000.00", "壹仟元整"),  # ending at 元 gets 整
        ("1001000.00", "壹佰万壹仟元整"),
        ("100010.00", "壹拾万零壹拾元整"),  # a run of zeros is one 零
        # edges
        ("0.00", "零元整"),
        ("0.05", "伍分"),
        ("10.00", "壹拾元整"),
        ("100000000.00", "壹亿元整"),
        ("1000000.01", "壹佰万元零壹分"),  # 角 zero with 分 non-zero needs 零
        ("0.10", "壹角"),
        ("101000000.50", "壹亿零壹佰万元伍角"),
    ],
)
def test_rmb_upper_follows_the_domain_rules(amount, capitals):
    assert rmb_upper(Decimal(amount)) == capitals


def test_rmb_figures_have_yen_sign_thousands_and_two_places():
    assert rmb(Decimal("12345.6")) == "¥12,345.60"
    assert rmb(Decimal("0")) == "¥0.00"
    assert rmb(Decimal("100000000")) == "¥100,000,000.00"
    assert rmb(Decimal("-12")) == "-¥12.00"


def test_amounts_round_half_up_to_cents():
    assert rmb(Decimal("0.005")) == "¥0.01"
    assert rmb_upper(Decimal("0.005")) == "壹分"


def test_floats_and_negative_capitals_are_refused():
    with pytest.raises(TypeError):
        rmb(0.1)
    with pytest.raises(ValueError, match="negative"):
        rmb_upper(Decimal("-1"))


@given(st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2))
def test_capitals_use_only_official_characters_and_one_zero_at_a_time(amount):
    text = rmb_upper(amount)
    assert set(text) <= DIGITS | UNITS
    assert "零零" not in text
    assert text.endswith("整") == (amount == amount.to_integral_value())
    if amount >= 1 and amount % 1 != 0 and (amount * 10) % 10 == 0:
        assert "元零" in text  # 角 zero, 分 not
