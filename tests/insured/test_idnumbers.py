"""Citizen ID numbers: generated valid numbers pass, every kind of damage is named precisely."""

import datetime
import functools
import re

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from agencies.regions import LOC_DAT
from insured import idnumbers

CHECKSUM_MESSAGE = "公民身份号码校验位不正确，请核对后重新输入。"
TODAY = datetime.date.today()  # noqa: DTZ011 - a calendar date


@functools.cache
def _codes_last_year() -> dict[str, int]:
    """Every address code in GB/T 2260, current or historical, with the last year it was in
    force (this year for a current one), read from loc.dat independently of the validator."""
    last: dict[str, int] = {}
    province = ""
    for raw in LOC_DAT.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        key = raw.split()[0]
        if not raw.startswith(" "):
            province = key
            continue
        match = re.search(r'county="([^"]*)"', raw)
        if not match:
            continue
        ends = [
            re.match(r"^(?:\[\d*-(\d*)\])?", period).group(1)
            for period in match.group(1).split(",")
        ]
        last[province + key] = TODAY.year if any(not end for end in ends) else max(map(int, ends))
    return last


@st.composite
def valid_id_numbers(draw):
    """A GB/T 2260 code, a birth date from 1900 to today but no later than the code's last
    year (a number is issued after birth, at a place whose code exists then), any sequence."""
    codes = _codes_last_year()
    code = draw(st.sampled_from(sorted(codes)))
    latest = min(TODAY, datetime.date(codes[code], 12, 31))
    born = draw(st.dates(min_value=datetime.date(1900, 1, 1), max_value=latest))
    sequence = draw(st.integers(min_value=0, max_value=999))
    return idnumbers.build(code, born, sequence)


def _error(number: str) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        idnumbers.validate_id_number(number)
    return info.value


@given(valid_id_numbers())
def test_generated_valid_numbers_are_accepted(number):
    idnumbers.validate_id_number(number)
    assert idnumbers.is_valid(number.lower())


@given(valid_id_numbers(), st.sampled_from("0123456789X"))
def test_a_wrong_check_character_is_rejected_with_the_checksum_message(number, check):
    if check == number[-1]:
        check = "1" if number[-1] != "1" else "2"
    error = _error(number[:-1] + check)
    assert error.messages == [CHECKSUM_MESSAGE]
    assert error.code == "id_checksum"


@given(valid_id_numbers(), st.integers(min_value=0, max_value=16), st.integers(1, 9))
def test_any_single_changed_digit_is_rejected_with_the_checksum_message(number, position, delta):
    changed = str((int(number[position]) + delta) % 10)
    error = _error(number[:position] + changed + number[position + 1 :])
    # ISO 7064 MOD 11-2 catches every single substitution, before date or place is looked at.
    assert error.messages == [CHECKSUM_MESSAGE]


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("11010519900307123", "公民身份号码应为18位。"),
        ("1101051990030712391", "公民身份号码应为18位。"),
        ("", "公民身份号码应为18位。"),
        ("11010519900307A239", "公民身份号码前17位应为数字，最后一位为数字或X。"),
        ("ABCDEFGHIJKLMNOPQR", "公民身份号码前17位应为数字，最后一位为数字或X。"),
    ],
)
def test_bad_length_and_letters_are_rejected_with_a_precise_message(number, message):
    assert _error(number).messages == [message]


def test_an_impossible_birth_date_is_rejected_even_with_a_correct_check_character():
    body = "11010519900230123"  # 30 February
    number = body + ric.calc_check_digit(body + "0")
    assert _error(number).messages == ["公民身份号码中的出生日期（第7至14位）不是有效日期。"]


def test_a_birth_date_in_the_future_is_rejected():
    future = TODAY + datetime.timedelta(days=400)
    number = idnumbers.build("110105", future, 123)
    assert _error(number).messages == ["公民身份号码中的出生日期晚于今天。"]


def test_a_birth_date_before_1900_is_rejected():
    number = idnumbers.build("110105", datetime.date(1899, 12, 31), 123)
    assert _error(number).messages == ["公民身份号码中的出生日期早于1900年。"]


ABOLISHED_BEFORE_BIRTH = "公民身份号码中的地址码（前6位）在出生之前已撤销，不可能签发该号码。"
NOT_A_CODE = "公民身份号码中的地址码（前6位）不是行政区划代码。"


def _with_check(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


@pytest.mark.parametrize(
    ("number", "why"),
    [
        # Check characters computed independently (ISO 7064 MOD 11-2): all correct.
        ("320106197511124524", "Nanjing Gulou, code from 1983, born 1975"),
        ("440306197001010015", "Shenzhen Bao'an, code from 1992, born 1970"),
        ("510107197801010017", "Chengdu Wuhou, code from 1990, born 1978"),
        ("370705196503100013", "Weifang Kuiwen, code from 1994, born 1965"),
        ("110105196003071235", "Beijing Chaoyang, no start year in the data"),
        (_with_check("12022219750101001"), "Tianjin Wuqing county, code 1982-2000, born 1975"),
        (_with_check("11010419700101001"), "Beijing Xuanwu, abolished 2010, born 1970"),
        (_with_check("32050819400101002"), "Suzhou Gusu, code from 2012, born 1940"),
        (_with_check("11010519000101001"), "born on the earliest accepted day"),
    ],
)
def test_numbers_issued_by_a_code_that_existed_in_or_after_the_birth_year_are_accepted(number, why):
    idnumbers.validate_id_number(number)


@pytest.mark.parametrize(
    ("number", "message"),
    [
        (_with_check("13292219950101001"), ABOLISHED_BEFORE_BIRTH),  # 河间县, ended 1990
        (_with_check("12022220010101001"), ABOLISHED_BEFORE_BIRTH),  # 武清县, ended 2000
        (_with_check("99999919800101001"), NOT_A_CODE),
        (_with_check("11999919800101001"), NOT_A_CODE),
        ("320106197511124525", CHECKSUM_MESSAGE),
    ],
)
def test_impossible_address_codes_and_wrong_check_digits_get_their_own_message(number, message):
    assert _error(number).messages == [message]


def test_issuing_place_names_the_place_by_todays_name_for_clerks():
    assert idnumbers.issuing_place("320106197511124524") == "江苏省南京市鼓楼区"
    assert idnumbers.issuing_place(_with_check("11010419700101001")) == (
        "北京市宣武区（该地址码使用至2010年，今属北京市）"
    )
    assert idnumbers.issuing_place(_with_check("12011019700101001")) == (
        "天津市东丽区（曾用名：东郊区）"
    )


def test_lowercase_x_and_spaces_are_normalized():
    number = idnumbers.build("110105", datetime.date(1990, 3, 7), 9)
    while not number.endswith("X"):  # find a sequence whose check character is X
        number = idnumbers.build("110105", datetime.date(1990, 3, 7), int(number[14:17]) + 2)
    idnumbers.validate_id_number(number.lower())
    assert idnumbers.normalize(f" {number.lower()} ") == number


def test_masked_number_hides_the_birth_date_and_sequence():
    assert idnumbers.mask("110105199003071239") == "110105********1239"
