"""STAND-IN for the retirement-age module of branch h-retire (issue 15 item 2), with the same
interface, so that bridging can be built and tested before it lands. Replaced wholesale by
that branch's file at the merge (take theirs): nothing here is the reviewed table.

Interface: ``statutory_retirement(birth_date, category) -> RetirementAge``,
``retirement_of(person) -> RetirementAge``, ``has_reached(person, today) -> bool``."""

import datetime
from dataclasses import dataclass

MALE = "male"
FEMALE_55 = "female_55"
FEMALE_50 = "female_50"

# category: (original age, reform step every N months of birth, cap in months)
_RULES = {MALE: (60, 4, 36), FEMALE_55: (55, 4, 36), FEMALE_50: (50, 2, 60)}
_REFORM_START = datetime.date(2025, 1, 1)


@dataclass(frozen=True)
class RetirementAge:
    years: int
    months: int
    reached: datetime.date  # first day of the month the age is reached
    minimum_contribution_months: int


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _minimum_months(reached: datetime.date) -> int:
    # 15 years, rising by six months a year from 2030 to 20 years.
    if reached.year < 2030:
        return 180
    return min(240, 180 + 6 * (reached.year - 2029))


def statutory_retirement(birth_date: datetime.date, category: str) -> RetirementAge:
    base, step, cap = _RULES[category]
    original = _add_months(birth_date.replace(day=1), base * 12)
    extra = 0
    if original >= _REFORM_START:
        elapsed = (original.year - 2025) * 12 + original.month - 1
        extra = min(cap, elapsed // step + 1)
    reached = _add_months(original, extra)
    return RetirementAge(
        years=base + extra // 12,
        months=extra % 12,
        reached=reached,
        minimum_contribution_months=_minimum_months(reached),
    )


def retirement_of(person) -> RetirementAge:
    category = getattr(person, "retirement_category", "") or (
        MALE if person.sex == "male" else FEMALE_50
    )
    return statutory_retirement(person.birth_date, category)


def has_reached(person, today: datetime.date) -> bool:
    return today >= retirement_of(person).reached
