"""insured.ledger: contribution periods (several per year, own rates, refused when wrong)."""

import datetime
from decimal import Decimal

import pytest

from insured import ledger
from insured.models import ContributionYear, Enrollment
from insured.selectors import deemed_months_by_place, person_records
from tests.factories import EnrollmentFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def enrollment(regions) -> Enrollment:
    return EnrollmentFactory(start_month=datetime.date(2025, 1, 1))


def add(enrollment, **overrides):
    values = dict(
        enrollment=enrollment, year=2025, first_month=1, last_month=6,
        monthly_base=D("10000.00"), employer_rate=D("0.20"), personal_rate=D("0.08"),
        personal_account_credit=D("4800.00"),
    )  # fmt: skip
    values.update(overrides)
    return ledger.period_add(**values)


def test_a_year_holds_two_periods_with_their_own_base_and_rates(enrollment):
    add(enrollment)
    add(enrollment, first_month=7, last_month=12, monthly_base=D("11000.00"),
        employer_rate=D("0.16"), personal_account_credit=D("5280.00"))  # fmt: skip
    rows = person_records(person=enrollment.person).enrollments[0].years
    assert [(r.year.first_month, r.year.monthly_base, r.employer_rate) for r in rows] == [
        (1, D("10000.00"), D("0.2000")),
        (7, D("11000.00"), D("0.1600")),
    ]
    # Contributions computed per period: 10000 × 6 × 20% and 11000 × 6 × 16%.
    assert [r.year.employer_contribution for r in rows] == [D("12000.00"), D("10560.00")]
    assert rows[-1].balance == D("10080.00")


def test_the_info_sheet_prints_each_period_with_its_rate_never_an_average(enrollment):
    from transfers.contexts import year_rows

    add(enrollment, first_month=1, last_month=4)
    add(enrollment, first_month=5, last_month=12, employer_rate=D("0.16"))
    rates = [row["employer_rate"] for row in year_rows(ledger.periods_of(enrollment))]
    assert rates == [D("0.2000"), D("0.1600")]  # not 17.33%


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"first_month": 6, "last_month": 9}, "2025年6—9月与本地已有的缴费期间2025年1—6月重叠"),
        ({"first_month": 7, "last_month": 9, "monthly_base": "-1"}, "月缴费基数不能为负数"),
        (
            {"first_month": 7, "last_month": 9, "employer_rate": "1.2"},
            "单位缴费比例应在0%至100%之间",
        ),
        (
            {"first_month": 7, "last_month": 9, "personal_rate": "-0.08"},
            "个人缴费比例应在0%至100%之间",
        ),
        ({"first_month": 9, "last_month": 7}, "1 ≤ 起始月 ≤ 截止月 ≤ 12"),
        ({"first_month": 7, "last_month": 9, "months_paid": 4}, "超出缴费起止月份"),
        ({"first_month": 7, "last_month": 9, "monthly_base": "abc"}, "不是有效的金额"),
    ],
)
def test_bad_periods_are_refused_with_a_precise_message_and_not_stored(
    enrollment, overrides, message
):
    add(enrollment)
    with pytest.raises(ledger.PeriodError) as refused:
        add(enrollment, **overrides)
    assert message in str(refused.value)
    assert ContributionYear.objects.filter(enrollment=enrollment).count() == 1


def test_deemed_months_are_given_per_pooling_region(enrollment):
    Enrollment.objects.filter(pk=enrollment.pk).update(deemed_months=60)
    assert deemed_months_by_place(person=enrollment.person) == {enrollment.agency.region_id: 60}
