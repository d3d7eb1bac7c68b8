"""The "my records" page and the selectors behind it."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from agencies import names
from insured.models import EnrollmentStatus
from insured.selectors import person_for_user, person_records, total_months
from tests.factories import (
    ContributionYearFactory,
    EnrollmentFactory,
    PersonFactory,
    StaffFactory,
    UserFactory,
)
from tests.insured.records import person_with_history

pytestmark = pytest.mark.django_db


def test_records_page_needs_a_login(client):
    response = client.get(reverse("my-records"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_staff_without_a_registry_person_get_404(client, regions):
    client.force_login(StaffFactory().user)
    assert client.get(reverse("my-records")).status_code == 404


def test_records_page_shows_the_persons_masked_id_enrollments_and_years(client, regions):
    person, (enrollment,) = person_with_history(1, years=2, name="王小明")
    client.force_login(person.user)
    response = client.get(reverse("my-records"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "王小明" in html
    assert person.id_number_masked in html
    assert person.id_number not in html
    assert "基本养老保险 · 江苏省南京市" in html
    assert enrollment.agency.name in html
    assert "正常参保" in html
    # Two years at base 8000: credit 7680 + interest 153.60 each; running balance 15667.20
    assert "7,833.60" in html and "15,667.20" in html
    assert "转入权益记录" in html and "12,345.60" in html
    assert "基本养老保险待遇领取地" in html
    assert '<th scope="col">' in html and "table-wrap" in html


def test_records_page_query_count_does_not_grow_with_enrollments(
    client, regions, django_assert_max_num_queries
):
    few, _ = person_with_history(1)
    many, _ = person_with_history(5, years=4)
    for person in (few, many):
        client.force_login(person.user)
        # 12: resident pension payments and overlap refunds (城乡制度衔接) are prefetched too
        with django_assert_max_num_queries(12):
            assert client.get(reverse("my-records")).status_code == 200


def test_selector_query_count_is_constant(regions, django_assert_num_queries):
    person, _ = person_with_history(5, years=4)
    person = person_for_user(user=person.user)  # as the views load it
    names.region_full_name(person.hukou_region_id)  # the per-process names, loaded once
    # enrollments, periods, ledger entries in, ledger entries out: whatever the history (resident
    # payments and overlap refunds only for a resident pension enrollment); the places and
    # agencies come from the names cache
    with django_assert_num_queries(4):
        records = person_records(person=person)
        assert len(records.enrollments) == 5
        assert records.benefit_place is not None


def test_year_end_balance_accumulates_credits_and_interest(regions):
    person, _ = person_with_history(1, years=3)
    records = person_records(person=person)
    balances = [row.balance for row in records.enrollments[0].years]
    assert balances == [Decimal("7833.60"), Decimal("15667.20"), Decimal("23500.80")]
    # The enrollment's balance adds the personal account transferred in.
    assert records.enrollments[0].balance == Decimal("23500.80") + Decimal("12345.60")


def test_total_months_do_not_count_a_transferred_out_enrollment_twice(regions):
    person = PersonFactory()
    old = EnrollmentFactory(
        person=person,
        status=EnrollmentStatus.TRANSFERRED_OUT,
        end_month=datetime.date(2019, 12, 1),
    )
    ContributionYearFactory(enrollment=old, year=2019)
    new = EnrollmentFactory(
        person=person, insurance="medical", start_month=datetime.date(2020, 1, 1)
    )
    ContributionYearFactory(enrollment=new, year=2020, first_month=1, last_month=6)
    records = person_records(person=person)
    assert total_months([r.enrollment for r in records.enrollments]) == {"pension": 0, "medical": 6}


def test_a_person_without_enrollments_sees_an_empty_page(client, regions):
    person = PersonFactory(user=UserFactory())
    client.force_login(person.user)
    response = client.get(reverse("my-records"))
    assert response.status_code == 200
    assert "暂无参保记录" in response.content.decode()
