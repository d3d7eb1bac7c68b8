"""The statutory retirement age by the 2024 decision (渐进式延迟法定退休年龄), checked row by row
against the comparison tables attached to 《国务院关于渐进式延迟法定退休年龄的办法》.

Where the rows come from: the official tables are published as images (人力资源社会保障部,
2024-09-13), which the reference search could not read whole. The rows quoted in text by the
sources below are marked "quoted"; the other rows are derived from the rule text of art. 1 (the
rhythm 每四个月/每二个月延迟一个月 from the first delayed birth month) and marked "derived":

- quoted: 1965年1月—4月出生的男职工 → 60岁1个月, 2025年2月退休
  (https://www.fudaoke.com/exam/353990.html, quoting the 男职工延迟法定退休年龄对照表);
- quoted: 原50周岁女职工 "从1984年11月出生的人员开始，已经延迟到了55周岁退休"
  (https://wxredian.com/art?id=1100f71ff7e000d9425fe40f09faa640, on the 50周岁 table);
- quoted: 提高最低缴费年限情况表 2025—2029年 15年, 2030年 15年6个月, 2031年 16年 … 2039年 20年
  (http://shebao.southmoney.com/yanglao/202506/1613466.html; art. 2 of the 办法: 从2030年1月1日起
  …每年提高六个月);
- rule text (art. 1): 男职工和原法定退休年龄为五十五周岁的女职工，法定退休年龄每四个月延迟一个月，
  分别逐步延迟至六十三周岁和五十八周岁；原法定退休年龄为五十周岁的女职工，法定退休年龄每二个月延迟
  一个月，逐步延迟至五十五周岁 (http://rsj.snj.gov.cn/zc_38462/202409/t20240920_5343077.shtml).

The table's 改革后退休时间 is the birth month plus the new age: 1965年1月 + 60岁1个月 = 2025年2月.
"""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import DomainError
from insured import idnumbers
from insured.models import InsuredPerson, RetirementCategory
from insured.retirement import (
    RetirementAge,
    RetirementCategoryUnknown,
    has_reached,
    minimum_contribution_months,
    retirement_of,
    retirement_or_none,
    retirement_text,
    statutory_retirement,
)

MALE = RetirementCategory.MALE
F55 = RetirementCategory.FEMALE_55
F50 = RetirementCategory.FEMALE_50

# (category, first birth month of the row, last birth month of the row, age (years, months),
#  first and last 改革后退休时间 of the row, source)
TABLE_ROWS = [
    # 男职工延迟法定退休年龄对照表
    (MALE, (1965, 1), (1965, 4), (60, 1), (2025, 2), (2025, 5), "quoted"),
    (MALE, (1965, 5), (1965, 8), (60, 2), (2025, 7), (2025, 10), "derived"),
    (MALE, (1965, 9), (1965, 12), (60, 3), (2025, 12), (2026, 3), "derived"),
    (MALE, (1970, 1), (1970, 4), (61, 4), (2031, 5), (2031, 8), "derived"),
    (MALE, (1976, 5), (1976, 8), (62, 11), (2039, 4), (2039, 7), "derived"),
    (MALE, (1976, 9), (1976, 12), (63, 0), (2039, 9), (2039, 12), "derived: last row"),
    # 原法定退休年龄为55周岁的女职工延迟法定退休年龄对照表
    (F55, (1970, 1), (1970, 4), (55, 1), (2025, 2), (2025, 5), "derived"),
    (F55, (1970, 5), (1970, 8), (55, 2), (2025, 7), (2025, 10), "derived"),
    (F55, (1981, 9), (1981, 12), (58, 0), (2039, 9), (2039, 12), "derived: last row"),
    # 原法定退休年龄为50周岁的女职工延迟法定退休年龄对照表
    (F50, (1975, 1), (1975, 2), (50, 1), (2025, 2), (2025, 3), "derived"),
    (F50, (1975, 3), (1975, 4), (50, 2), (2025, 5), (2025, 6), "derived"),
    (F50, (1980, 1), (1980, 2), (52, 7), (2032, 8), (2032, 9), "derived"),
    (F50, (1984, 9), (1984, 10), (54, 11), (2039, 8), (2039, 9), "derived"),
    (F50, (1984, 11), (1984, 12), (55, 0), (2039, 11), (2039, 12), "quoted: last row"),
]

# 提高最低缴费年限情况表: year the age is reached → minimum contribution (years, months)
MINIMUM_ROWS = [
    (2025, (15, 0)),
    (2029, (15, 0)),
    (2030, (15, 6)),
    (2031, (16, 0)),
    (2032, (16, 6)),
    (2033, (17, 0)),
    (2034, (17, 6)),
    (2035, (18, 0)),
    (2036, (18, 6)),
    (2037, (19, 0)),
    (2038, (19, 6)),
    (2039, (20, 0)),
    (2045, (20, 0)),
]


def _months(first: tuple[int, int], last: tuple[int, int]):
    year, month = first
    while (year, month) <= last:
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


@pytest.mark.parametrize(
    ("category", "first", "last", "age", "retire_first", "retire_last", "source"), TABLE_ROWS
)
def test_comparison_table_rows(category, first, last, age, retire_first, retire_last, source):
    births = list(_months(first, last))
    retirements = list(_months(retire_first, retire_last))
    assert len(births) == len(retirements)
    for (year, month), (r_year, r_month) in zip(births, retirements, strict=True):
        # Any day of the birth month gives the same row.
        for day in (1, 28):
            result = statutory_retirement(datetime.date(year, month, day), category)
            assert (result.years, result.months) == age, (year, month)
            assert result.reached == datetime.date(r_year, r_month, 1), (year, month)


@pytest.mark.parametrize(("year", "minimum"), MINIMUM_ROWS)
def test_minimum_contribution_table(year, minimum):
    years, months = minimum
    assert minimum_contribution_months(year) == years * 12 + months


@pytest.mark.parametrize(
    ("category", "born", "age", "reached"),
    [
        # Births before the first delayed month keep the original age, reached in the month
        # of the birthday.
        (MALE, datetime.date(1964, 12, 31), (60, 0), datetime.date(2024, 12, 1)),
        (MALE, datetime.date(1950, 6, 1), (60, 0), datetime.date(2010, 6, 1)),
        (F55, datetime.date(1969, 12, 15), (55, 0), datetime.date(2024, 12, 1)),
        (F50, datetime.date(1974, 12, 15), (50, 0), datetime.date(2024, 12, 1)),
        # After the last row the final age stays.
        (MALE, datetime.date(1977, 1, 1), (63, 0), datetime.date(2040, 1, 1)),
        (MALE, datetime.date(1995, 7, 9), (63, 0), datetime.date(2058, 7, 1)),
        (F55, datetime.date(1982, 1, 1), (58, 0), datetime.date(2040, 1, 1)),
        (F50, datetime.date(1985, 1, 1), (55, 0), datetime.date(2040, 1, 1)),
        # The 孙八: born 1965-03-10 → 60岁1个月, reached 2025-04.
        (MALE, datetime.date(1965, 3, 10), (60, 1), datetime.date(2025, 4, 1)),
    ],
)
def test_edges(category, born, age, reached):
    result = statutory_retirement(born, category)
    assert (result.years, result.months) == age
    assert result.reached == reached


def test_minimum_follows_the_year_the_age_is_reached():
    # Man born 1969-08: delay (1969-08 − 1965-01 = 55 months) // 4 + 1 = 14 → 61岁2个月,
    # reached 1969-08 + 61y2m = 2030-10 → 2030 needs 15年6个月 = 186 months.
    result = statutory_retirement(datetime.date(1969, 8, 1), MALE)
    assert result == RetirementAge(
        years=61, months=2, reached=datetime.date(2030, 10, 1), minimum_contribution_months=186
    )
    # Man born 1964-12: 60, reached 2024-12 → 15 years.
    assert statutory_retirement(datetime.date(1964, 12, 1), MALE).minimum_contribution_months == 180


def test_unknown_category_is_refused():
    with pytest.raises(ValueError, match="unknown retirement category"):
        statutory_retirement(datetime.date(1970, 1, 1), "female")


_BIRTHS = st.dates(min_value=datetime.date(1940, 1, 1), max_value=datetime.date(2010, 12, 31))
_DELAY_CAP = {MALE: (60, 36), F55: (55, 36), F50: (50, 60)}


@given(st.sampled_from([MALE, F55, F50]), _BIRTHS, _BIRTHS)
def test_later_birth_never_retires_younger_and_delay_is_capped(category, one, other):
    earlier, later = sorted([one, other])
    a = statutory_retirement(earlier, category)
    b = statutory_retirement(later, category)
    assert a.years * 12 + a.months <= b.years * 12 + b.months
    assert a.reached <= b.reached
    original, cap = _DELAY_CAP[category]
    for result in (a, b):
        assert 0 <= result.years * 12 + result.months - original * 12 <= cap
        assert 180 <= result.minimum_contribution_months <= 240


def _person(born: datetime.date, *, male: bool, category: str = "") -> InsuredPerson:
    # 370705: 潍坊市奎文区; an odd sequence is a man, an even one a woman.
    number = idnumbers.build("370705", born, 1 if male else 2)
    return InsuredPerson(id_number=number, name="测试", retirement_category=category)


def test_retirement_of_men_comes_from_the_id_number():
    person = _person(datetime.date(1965, 3, 10), male=True)
    assert retirement_of(person).reached == datetime.date(2025, 4, 1)
    assert retirement_text(retirement_of(person)) == (
        "法定退休年龄60岁1个月，2025年4月达到；按月领取基本养老金最低缴费年限15年"
    )
    # A stray category on a man's record does not change his table.
    person.retirement_category = F50
    assert (retirement_of(person).years, retirement_of(person).months) == (60, 1)


def test_retirement_of_women_follows_the_recorded_category():
    person = _person(datetime.date(1975, 1, 20), male=False, category=F50)
    assert retirement_of(person).reached == datetime.date(2025, 2, 1)
    person.retirement_category = F55
    # 1975-01 − 1970-01 = 60 months → 60 // 4 + 1 = 16 → 55岁16个月 = 56岁4个月, 2031-05.
    assert retirement_of(person) == RetirementAge(
        years=56, months=4, reached=datetime.date(2031, 5, 1), minimum_contribution_months=192
    )


def test_woman_without_category_gets_a_clear_refusal():
    person = _person(datetime.date(1975, 1, 20), male=False)
    with pytest.raises(RetirementCategoryUnknown) as raised:
        retirement_of(person)
    assert isinstance(raised.value, DomainError)
    assert "原法定退休年龄" in raised.value.message
    assert retirement_or_none(person) is None
    with pytest.raises(RetirementCategoryUnknown):
        has_reached(person, datetime.date(2030, 1, 1))


def test_has_reached_from_the_first_day_of_the_tables_month():
    person = _person(datetime.date(1965, 3, 10), male=True)  # 2025年4月
    assert not has_reached(person, datetime.date(2025, 3, 31))
    assert has_reached(person, datetime.date(2025, 4, 1))
    assert has_reached(person, datetime.date(2026, 1, 1))
