"""The statutory retirement age (法定退休年龄) and the minimum contribution years, by the 2024
decision of the NPC Standing Committee 《全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定》
(in force 2025-01-01) and its attachment 《国务院关于渐进式延迟法定退休年龄的办法》, art. 1 and 2:

- men (原60周岁) and women formerly retiring at 55: from births in 1965-01 (men) and 1970-01
  (women), one month later for every 4 months of birth, up to 63 and 58 (36 months);
- women formerly retiring at 50: from births in 1975-01, one month later for every 2 months of
  birth, up to 55 (60 months);
- the minimum contribution years for a monthly pension: 15 until 2029-12-31; from 2030-01-01
  six months more each year, up to 20 (2039), by the year the person reaches the age.

The attachment's comparison tables (男职工延迟法定退休年龄对照表, 原法定退休年龄为55周岁的女职工…,
原法定退休年龄为50周岁的女职工…, 提高最低缴费年限情况表) list the same figures row by row; the
table's 改革后退休时间 is the birth month plus the new age (born 1965-01 → 60岁1个月 → 2025年2月).
``tests/insured/test_retirement.py`` checks this module against those rows.

Pure functions: no database.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError
from insured.models import RetirementCategory, Sex

__all__ = [
    "RetirementAge",
    "RetirementCategory",
    "RetirementCategoryUnknown",
    "has_reached",
    "minimum_contribution_months",
    "retirement_of",
    "retirement_or_none",
    "retirement_text",
    "statutory_retirement",
]


@dataclass(frozen=True)
class _Rule:
    original_years: int
    first_birth: tuple[int, int]  # (year, month) of the first birth month delayed
    birth_months_per_month: int  # the rhythm: 4 months of birth → one month later
    max_delay: int  # months


_RULES = {
    RetirementCategory.MALE: _Rule(60, (1965, 1), 4, 36),
    RetirementCategory.FEMALE_55: _Rule(55, (1970, 1), 4, 36),
    RetirementCategory.FEMALE_50: _Rule(50, (1975, 1), 2, 60),
}

# 提高最低缴费年限情况表: 15 years up to 2029; from 2030 six months more a year; 20 from 2039.
_MINIMUM_FROM = 2030
_MINIMUM_BASE = 15 * 12
_MINIMUM_MAX = 20 * 12


class RetirementCategoryUnknown(DomainError):
    """A woman whose original retirement age (50 or 55) the registry does not know."""

    code = "retirement_category_unknown"


@dataclass(frozen=True)
class RetirementAge:
    years: int  # the statutory age, e.g. 60 and 1 month
    months: int
    reached: datetime.date  # first day of the month the age is reached (表中“改革后退休时间”)
    minimum_contribution_months: int  # 180 up to 2029, +6 a year from 2030, at most 240

    @property
    def total_months(self) -> int:
        return self.years * 12 + self.months

    # For pages: 60岁1个月 / 2025年4月 / 15年6个月 / the whole sentence.
    @property
    def age_display(self) -> str:
        return age_text(self)

    @property
    def reached_display(self) -> str:
        return reached_text(self)

    @property
    def minimum_display(self) -> str:
        return minimum_text(self)

    @property
    def display(self) -> str:
        return retirement_text(self)


def _month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def minimum_contribution_months(year: int) -> int:
    """Months of contributions needed for a monthly pension by one who reaches the statutory
    age in ``year`` (提高最低缴费年限情况表)."""
    if year < _MINIMUM_FROM:
        return _MINIMUM_BASE
    return min(_MINIMUM_BASE + 6 * (year - _MINIMUM_FROM + 1), _MINIMUM_MAX)


# The basis named wherever the age is shown.
BASIS = gettext_lazy(
    "依据《全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定》（2024年，"
    "自2025年1月1日起施行）及《国务院关于渐进式延迟法定退休年龄的办法》所附对照表，按出生年月确定。"
)
UNKNOWN_CATEGORY = gettext_lazy(
    "女职工的法定退休年龄取决于原法定退休年龄是50周岁还是55周岁（按所在岗位确定），"
    "登记中尚未记录。请向参保地社会保险经办机构确认，由经办机构记录后即可显示。"
)


def statutory_retirement(birth_date: datetime.date, category: str) -> RetirementAge:
    """The statutory retirement age for a birth date and a category (``RetirementCategory``);
    births before the first delayed month keep the original age. Raises ``ValueError`` for an
    unknown category."""
    try:
        rule = _RULES[RetirementCategory(category)]
    except ValueError:
        raise ValueError(f"unknown retirement category {category!r}") from None
    born = _month_index(birth_date.year, birth_date.month)
    after_start = born - _month_index(*rule.first_birth)
    delay = (
        0
        if after_start < 0
        else min(after_start // rule.birth_months_per_month + 1, rule.max_delay)
    )
    age = rule.original_years * 12 + delay
    reached_index = born + age
    reached = datetime.date(reached_index // 12, reached_index % 12 + 1, 1)
    return RetirementAge(
        years=age // 12,
        months=age % 12,
        reached=reached,
        minimum_contribution_months=minimum_contribution_months(reached.year),
    )


def category_of(person) -> str:
    """The person's table: men by the ID number; women as the agency recorded it ("" unknown)."""
    if person.sex == Sex.MALE:
        return RetirementCategory.MALE
    category = person.retirement_category or ""
    return "" if category == RetirementCategory.MALE else category


def retirement_of(person) -> RetirementAge:
    """The person's statutory retirement age. Raises ``RetirementCategoryUnknown`` for a woman
    whose original age (50 or 55) is not recorded: it cannot be guessed, and a wrong guess moves
    the date by five years."""
    category = category_of(person)
    if not category:
        raise RetirementCategoryUnknown(
            _(
                "尚未记录%(name)s的原法定退休年龄（女职工50周岁或女干部55周岁），"
                "无法确定法定退休年龄，请联系参保地社会保险经办机构核定。"
            )
            % {"name": person.name}
        )
    return statutory_retirement(person.birth_date, category)


def retirement_or_none(person) -> RetirementAge | None:
    """``retirement_of``, or None where the category is unknown (for pages that say so)."""
    try:
        return retirement_of(person)
    except RetirementCategoryUnknown:
        return None


def has_reached(person, today: datetime.date) -> bool:
    """True from the first day of the month the table gives as the retirement month. Raises
    ``RetirementCategoryUnknown`` like ``retirement_of``."""
    return today >= retirement_of(person).reached


# Wording -------------------------------------------------------------------------------------


def age_text(age: RetirementAge) -> str:
    """60岁1个月 / 63岁."""
    if age.months:
        return _("%(years)s岁%(months)s个月") % {"years": age.years, "months": age.months}
    return _("%(years)s岁") % {"years": age.years}


def minimum_text(age: RetirementAge) -> str:
    """15年 / 15年6个月."""
    years, months = divmod(age.minimum_contribution_months, 12)
    if months:
        return _("%(years)s年%(months)s个月") % {"years": years, "months": months}
    return _("%(years)s年") % {"years": years}


def reached_text(age: RetirementAge) -> str:
    """2025年4月."""
    return _("%(year)s年%(month)s月") % {"year": age.reached.year, "month": age.reached.month}


def retirement_text(age: RetirementAge) -> str:
    """法定退休年龄60岁1个月，2025年4月达到；最低缴费年限15年."""
    return _("法定退休年龄%(age)s，%(month)s达到；按月领取基本养老金最低缴费年限%(minimum)s") % {
        "age": age_text(age),
        "month": reached_text(age),
        "minimum": minimum_text(age),
    }
