"""我的参保记录 and ``/api/v1/me/``: the statutory retirement age (2024 decision) and the
contributor type of each employee-pension period (单位职工 / 个人身份参保)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from core.tokens import token_issue
from insured import ledger
from insured.models import ContributorType, RetirementCategory
from insured.selectors import person_records
from tests.factories import EnrollmentFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

UNKNOWN = "女职工的法定退休年龄取决于原法定退休年龄是50周岁还是55周岁"


def _me(api_client, person):
    key, _token = token_issue(user=person.user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 200
    return response.json()


def test_a_man_sees_his_age_the_month_and_the_minimum_years(client, api_client, regions):
    # Born 1965-03-10: the men's table row 1965年1月—4月 → 60岁1个月; 1965-03 + 60y1m = 2025-04.
    person = PersonFactory(user=UserFactory(), born=datetime.date(1965, 3, 10))
    client.force_login(person.user)
    html = client.get(reverse("my-records")).content.decode()
    assert "法定退休年龄60岁1个月，2025年4月达到" in html
    assert "按月领取基本养老金最低缴费年限：15年" in html
    assert "渐进式延迟法定退休年龄的决定" in html
    assert UNKNOWN not in html
    body = _me(api_client, person)
    assert body["retirement"]["years"] == 60
    assert body["retirement"]["months"] == 1
    assert body["retirement"]["reached"] == "2025-04"
    assert body["retirement"]["minimum_contribution_months"] == 180
    assert body["retirement"]["text"] == (
        "法定退休年龄60岁1个月，2025年4月达到；按月领取基本养老金最低缴费年限15年"
    )
    assert "渐进式延迟法定退休年龄" in body["retirement"]["basis"]
    assert body["retirement_note"] is None


def test_a_woman_with_her_category_recorded(client, regions):
    # Former age 50, born 1980-01-05: (1980-01 − 1975-01) = 60 months → 60 // 2 + 1 = 31 months
    # → 52岁7个月, reached 2032-08; 2032 needs 15年 + 3 × 6 months = 16年6个月.
    person = PersonFactory(
        user=UserFactory(),
        born=datetime.date(1980, 1, 5),
        male=False,
        retirement_category=RetirementCategory.FEMALE_50,
    )
    client.force_login(person.user)
    html = client.get(reverse("my-records")).content.decode()
    assert "法定退休年龄52岁7个月，2032年8月达到" in html
    assert "最低缴费年限：16年6个月" in html


def test_a_woman_without_category_is_told_to_ask_the_agency(client, api_client, regions):
    person = PersonFactory(user=UserFactory(), born=datetime.date(1975, 1, 20), male=False)
    client.force_login(person.user)
    html = client.get(reverse("my-records")).content.decode()
    assert UNKNOWN in html
    assert "达到</strong>" not in html
    body = _me(api_client, person)
    assert body["retirement"] is None
    assert body["retirement_note"].startswith(UNKNOWN)


def _flexible_history():
    """Employer 2015 (12 × 5000 base, 8% credited) and flexible 2016 (12 × 4000 base, 8%)."""
    person = PersonFactory(user=UserFactory())
    enrollment = EnrollmentFactory(person=person, start_month=datetime.date(2015, 1, 1))
    ledger.period_add(
        enrollment=enrollment, year=2015, first_month=1, last_month=12,
        monthly_base="5000", employer_rate="0.16", personal_rate="0.08",
        personal_account_credit="4800.00", interest="96.00",
    )  # fmt: skip
    # A flexible worker pays 20% alone: 12% to the pool (shown in the employer column), 8% to
    # the personal account, as the agency records it.
    ledger.period_add(
        enrollment=enrollment, year=2016, first_month=1, last_month=12,
        monthly_base="4000", employer_rate="0.12", personal_rate="0.08",
        personal_account_credit="3840.00", interest="76.80",
        contributor_type=ContributorType.FLEXIBLE,
    )  # fmt: skip
    return person, enrollment


def test_flexible_months_and_account_add_up_with_employer_periods(regions):
    person, _enrollment = _flexible_history()
    records = person_records(person=person)
    (record,) = records.enrollments
    assert record.months == 12 + 12
    # 4800.00 + 96.00 + 3840.00 + 76.80 = 8812.80
    assert record.balance == Decimal("8812.80")
    assert records.total_months["pension"] == 24
    assert [row.year.contributor_type for row in record.years] == ["employer", "flexible"]


def test_records_page_and_api_name_the_contributor_type_per_period(client, api_client, regions):
    person, _enrollment = _flexible_history()
    client.force_login(person.user)
    html = client.get(reverse("my-records")).content.decode()
    assert '<td data-contributor="employer">单位职工</td>' in html
    assert '<td data-contributor="flexible">个人身份参保</td>' in html
    (item,) = _me(api_client, person)["enrollments"]
    assert [
        (y["year"], y["contributor_type"], y["contributor_type_display"]) for y in item["years"]
    ] == [
        (2015, "employer", "单位职工"),
        (2016, "flexible", "个人身份参保（灵活就业）"),
    ]


def test_period_add_refuses_an_unknown_contributor_type(regions):
    _person, enrollment = _flexible_history()
    with pytest.raises(ledger.PeriodError, match="参保身份"):
        ledger.period_add(
            enrollment=enrollment, year=2017, first_month=1, last_month=1,
            monthly_base="4000", employer_rate="0.12", personal_rate="0.08",
            personal_account_credit="320.00", contributor_type="self",
        )  # fmt: skip
