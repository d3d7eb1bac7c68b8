"""Citizen ID numbers (公民身份号码, GB 11643): validation, derived facts and masking.

Validation is python-stdnum's ``cn.ric``: length, ISO 7064 MOD 11-2 check character, birth
date and the GB/T 2260 address code valid in the birth year."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import ric


def normalize(value: str) -> str:
    return ric.compact(value or "").upper()


def validate_id_number(value: str) -> None:
    """Raise a ValidationError saying precisely what is wrong with the number."""
    number = normalize(value)
    try:
        ric.validate(number)
    except stdnum_exceptions.InvalidLength:
        raise ValidationError(_("公民身份号码应为18位。"), code="id_length") from None
    except stdnum_exceptions.InvalidFormat:
        raise ValidationError(
            _("公民身份号码前17位应为数字，最后一位为数字或X。"), code="id_format"
        ) from None
    except stdnum_exceptions.InvalidChecksum:
        raise ValidationError(
            _("公民身份号码校验位不正确，请核对后重新输入。"), code="id_checksum"
        ) from None
    except stdnum_exceptions.InvalidComponent:
        raise ValidationError(
            _("公民身份号码中的出生日期或地址码无效。"), code="id_component"
        ) from None
    if ric.get_birth_date(number) > datetime.date.today():  # noqa: DTZ011 - a calendar date
        raise ValidationError(_("公民身份号码中的出生日期晚于今天。"), code="id_component")


def is_valid(value: str) -> bool:
    try:
        validate_id_number(value)
    except ValidationError:
        return False
    return True


def birth_date(number: str) -> datetime.date:
    return ric.get_birth_date(number)


def sex(number: str) -> str:
    """'male' for an odd sequence digit (17th character), 'female' for an even one."""
    return "male" if int(number[16]) % 2 else "female"


def mask(number: str) -> str:
    """``110105********1239``: the address code and last four stay, the birth date is hidden."""
    if len(number) != 18:
        return "*" * len(number)
    return number[:6] + "*" * 8 + number[-4:]


def build(region_code: str, born: datetime.date, sequence: int) -> str:
    """A valid number for synthetic persons (seed data, tests): sequence odd = male."""
    body = f"{region_code}{born:%Y%m%d}{sequence % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")
