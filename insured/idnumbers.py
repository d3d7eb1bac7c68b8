"""Citizen ID numbers (公民身份号码, GB 11643): validation, derived facts and masking.

The rule: 18 characters; the check character by ISO 7064 MOD 11-2; a real birth date, not
before 1900 and not in the future; and an address code that existed in GB/T 2260 at some time
**in or after** the birth year. The address code is the code of the place where the number was
issued (numbers were assigned from 1984 on and people keep theirs when the code changes later),
so a code created after the birth is normal; only a code abolished before the person was born
cannot appear. python-stdnum's ``cn.ric`` requires the code to be valid *in* the birth year,
which refuses almost everybody born before 1983; we keep its checksum, date and code table and
replace only that test.
"""

import datetime
import functools
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import numdb
from stdnum.cn import ric
from stdnum.util import isdigits

EARLIEST_BIRTH = datetime.date(1900, 1, 1)


@dataclass(frozen=True)
class CodePeriod:
    """One name an address code had, with the years it was in force (None: open-ended)."""

    name: str
    first_year: int | None
    last_year: int | None

    @property
    def is_current(self) -> bool:
        return self.last_year is None


@functools.cache
def code_periods(code: str) -> tuple[CodePeriod, ...]:
    """The names the six-digit address code has had in GB/T 2260, oldest first, from
    python-stdnum's table; empty for a code that never existed."""
    if len(code) != 6 or not isdigits(code):
        return ()
    parts = numdb.get("cn/loc").info(code)
    county = next((props["county"] for _part, props in parts if "county" in props), None)
    if county is None:
        return ()
    periods = []
    for entry in county.split(","):
        if entry.startswith("["):
            span, name = entry[1:].split("]", 1)
            first, last = span.split("-")
            periods.append(
                CodePeriod(name, int(first) if first else None, int(last) if last else None)
            )
        else:
            periods.append(CodePeriod(entry, None, None))
    return tuple(periods)


def _existed_in_or_after(code: str, year: int) -> bool:
    return any(p.last_year is None or p.last_year >= year for p in code_periods(code))


def normalize(value: str) -> str:
    return ric.compact(value or "").upper()


def validate_id_number(value: str) -> None:
    """Raise a ValidationError saying precisely what is wrong with the number."""
    number = normalize(value)
    if len(number) != 18:
        raise ValidationError(_("公民身份号码应为18位。"), code="id_length")
    if not isdigits(number[:-1]) or not (number[-1].isdigit() or number[-1] == "X"):
        raise ValidationError(
            _("公民身份号码前17位应为数字，最后一位为数字或X。"), code="id_format"
        )
    if number[-1] != ric.calc_check_digit(number):
        raise ValidationError(_("公民身份号码校验位不正确，请核对后重新输入。"), code="id_checksum")
    try:
        born = ric.get_birth_date(number)
    except ValueError:  # stdnum's InvalidComponent is a ValueError
        raise ValidationError(
            _("公民身份号码中的出生日期（第7至14位）不是有效日期。"), code="id_birth_date"
        ) from None
    if born > datetime.date.today():  # noqa: DTZ011 - a calendar date
        raise ValidationError(_("公民身份号码中的出生日期晚于今天。"), code="id_birth_date")
    if born < EARLIEST_BIRTH:
        raise ValidationError(_("公民身份号码中的出生日期早于1900年。"), code="id_birth_date")
    code = number[:6]
    if not code_periods(code):
        raise ValidationError(
            _("公民身份号码中的地址码（前6位）不是行政区划代码。"), code="id_address_code"
        )
    if not _existed_in_or_after(code, born.year):
        raise ValidationError(
            _("公民身份号码中的地址码（前6位）在出生之前已撤销，不可能签发该号码。"),
            code="id_address_code",
        )


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


def _current_name(code: str) -> str | None:
    current = [p.name for p in code_periods(code) if p.is_current]
    return current[-1] if current else None


def issuing_place(number: str) -> str:
    """Where the number was issued, by the name in force today, for clerks: a renamed code
    shows its current name and former ones; an abolished code (``[-2010]宣武区``) shows its
    last name and the current region above it, since the number stays valid after the code
    is gone."""
    code = normalize(number)[:6]
    periods = code_periods(code)
    if not periods:
        return ""
    province = _current_name(code[:2] + "0000") or ""
    city = _current_name(code[:4] + "00") if code[2:4] != "00" else None
    if city in {"市辖区", "县", None} or code[4:] == "00":
        city = ""
    current = _current_name(code)
    if current is not None:
        former = [p.name for p in periods if not p.is_current and p.name != current]
        place = f"{province}{city}{current}" if current not in (province, city) else current
        if former:
            return str(_("{place}（曾用名：{former}）")).format(
                place=place, former="、".join(dict.fromkeys(former))
            )
        return place
    last = periods[-1]
    return str(_("{name}（该地址码使用至{year}年，今属{current}）")).format(
        name=f"{province}{city}{last.name}", year=last.last_year, current=f"{province}{city}"
    )
