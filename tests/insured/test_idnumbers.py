"""Citizen ID numbers: generated valid numbers pass, every kind of damage is named precisely."""

import datetime
import functools
import re

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from agencies.regions import LOC_DAT, current_regions
from insured import idnumbers

CHECKSUM_MESSAGE = "公民身份号码校验位不正确，请核对后重新输入。"
TODAY = datetime.date.today()  # noqa: DTZ011 - a calendar date


@functools.cache
def _current_codes_since() -> dict[str, int]:
    """Current county-level codes with the year their current name began (GB 11643 wants the
    address code valid in the birth year), read from loc.dat independently of the validator."""
    since: dict[str, int] = {}
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
        for period in match.group(1).split(","):
            bracket = re.match(r"^\[(\d*)-(\d*)\]", period)
            if bracket is None:
                since[province + key] = 1900
            elif not bracket.group(2):
                since[province + key] = int(bracket.group(1) or 1900)
    current = {row.code for row in current_regions() if row.level == 3}
    return {code: year for code, year in since.items() if code in current}


@st.composite
def valid_id_numbers(draw):
    codes = _current_codes_since()
    code = draw(st.sampled_from(sorted(codes)))
    first = datetime.date(max(codes[code], 1920), 1, 1)
    born = draw(st.dates(min_value=first, max_value=TODAY))
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
    assert _error(number).messages == ["公民身份号码中的出生日期或地址码无效。"]


def test_a_birth_date_in_the_future_is_rejected():
    future = TODAY + datetime.timedelta(days=400)
    number = idnumbers.build("110105", future, 123)
    assert "晚于今天" in _error(number).messages[0]


def test_an_address_code_that_did_not_exist_in_the_birth_year_is_rejected():
    number = idnumbers.build("320508", datetime.date(1970, 1, 1), 123)  # 姑苏区, created 2012
    assert _error(number).messages == ["公民身份号码中的出生日期或地址码无效。"]


def test_lowercase_x_and_spaces_are_normalized():
    number = idnumbers.build("110105", datetime.date(1990, 3, 7), 9)
    while not number.endswith("X"):  # find a sequence whose check character is X
        number = idnumbers.build("110105", datetime.date(1990, 3, 7), int(number[14:17]) + 2)
    idnumbers.validate_id_number(number.lower())
    assert idnumbers.normalize(f" {number.lower()} ") == number


def test_masked_number_hides_the_birth_date_and_sequence():
    assert idnumbers.mask("110105199003071239") == "110105********1239"
