"""Issue 9, items 2, 4 and 8: paying at the transfer-in place, medical moves inside a province,
and the categories handled at the counter only."""

import datetime

import pytest
from django.urls import reverse

from insured.models import EnrollmentStatus
from tests.factories import AgencyFactory, ContributionYearFactory, EnrollmentFactory, region
from tests.transfers.celery_helpers import eager_tasks
from tests.transfers.factories import make_mover, make_parties
from transfers import services
from transfers.forms import ApplyForm
from transfers.models import TransferCase
from transfers.selectors import months_without_cover
from transfers.services import EligibilityError

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]

__all__ = ["eager_tasks"]  # a fixture

date = datetime.date


@pytest.fixture
def parties(regions):
    return make_parties()


def submit(person, **overrides):
    values = {
        "person": person,
        "insurance": "pension",
        "category": "enterprise",
        "from_region": "110105",
        "to_region": "320106",
        "phone": "13912345678",
        "hukou_address": "北京市朝阳区建国路1号",
        "actor": person.user,
    }
    values.update(overrides)
    return services.transfer_submit(**values)


# ── item 2: enrolled AND paying at the transfer-in place ───────────────────────────────────


def test_enrolled_at_the_destination_without_a_paid_month_is_refused(parties):
    person = make_mover(parties)
    destination = person.enrollments.get(agency=parties.in_agency)
    destination.years.all().delete()  # registered this month, nothing paid yet

    with pytest.raises(EligibilityError) as refused:
        submit(person)

    assert refused.value.code == "not_paying_at_destination"
    message = str(refused.value.message)
    assert "还没有实际缴费的月份" in message
    assert "至少实际缴费一个月" in message
    assert parties.in_agency.name in message
    assert not TransferCase.objects.exists()


def test_a_year_row_with_only_arrears_is_not_a_paid_month(parties):
    person = make_mover(parties)
    destination = person.enrollments.get(agency=parties.in_agency)
    destination.years.all().delete()
    # Enrolled from October, the month is owed (欠费) but not paid: months_paid 0.
    ContributionYearFactory(
        enrollment=destination, year=2026, first_month=10, last_month=10, months_paid=0
    )

    with pytest.raises(EligibilityError) as refused:
        submit(person)
    assert refused.value.code == "not_paying_at_destination"


def test_one_paid_month_at_the_destination_is_enough(parties):
    person = make_mover(parties)
    destination = person.enrollments.get(agency=parties.in_agency)
    destination.years.all().delete()
    ContributionYearFactory(enrollment=destination, year=2026, first_month=10, last_month=10)

    assert submit(person).status == "submitted"


# ── item 4: medical between pooling regions inside one province ───────────────────────────


def medical_mover(parties, *, out_end: date, in_start: date):
    """Medical insurance in Suzhou (320500) until ``out_end``, in Nanjing from ``in_start``."""
    suzhou = AgencyFactory(region=region("320500"))
    person = make_mover(parties, insurance="medical")
    person.enrollments.all().delete()
    out = EnrollmentFactory(
        person=person,
        insurance="medical",
        agency=suzhou,
        region=region("320506"),
        start_month=date(2020, 1, 1),
        end_month=out_end,
        status=EnrollmentStatus.INTERRUPTED,
    )
    ContributionYearFactory(enrollment=out, year=2025)
    ContributionYearFactory(enrollment=out, year=2026, last_month=out_end.month)
    into = EnrollmentFactory(
        person=person,
        insurance="medical",
        agency=parties.in_agency,
        region=region("320106"),
        start_month=in_start,
    )
    ContributionYearFactory(enrollment=into, year=2026, first_month=in_start.month)
    return person, suzhou


def test_medical_from_suzhou_to_nanjing_is_a_transfer_between_pooling_regions(parties):
    person, suzhou = medical_mover(parties, out_end=date(2026, 3, 1), in_start=date(2026, 8, 1))

    case = submit(person, insurance="medical", category="employee", from_region="320506")

    assert case.status == "submitted"
    assert case.transfer_out_agency == suzhou
    assert case.transfer_in_agency == parties.in_agency


def test_pension_from_suzhou_to_nanjing_keeps_the_provincial_refusal(parties):
    person = make_mover(parties)
    with pytest.raises(EligibilityError) as refused:
        submit(person, from_region="320506", to_region="320106")
    assert refused.value.code == "same_province"
    assert "基本养老保险不属于跨省转移接续" in str(refused.value.message)


def test_medical_inside_one_pooling_region_needs_no_transfer(parties):
    person = make_mover(parties, insurance="medical")
    with pytest.raises(EligibilityError) as refused:
        submit(person, insurance="medical", category="employee", from_region="320102")
    assert refused.value.code == "same_pooling_region"
    assert "不需要转移接续" in str(refused.value.message)


@pytest.mark.parametrize(
    ("last_out", "first_in", "gap"),
    [
        (date(2026, 3, 1), date(2026, 4, 1), 0),  # straight on
        (date(2026, 3, 1), date(2026, 7, 1), 3),  # April, May, June
        (date(2026, 3, 1), date(2026, 8, 1), 4),  # April to July
        (date(2025, 11, 1), date(2026, 3, 1), 3),  # December, January, February
        (date(2026, 6, 1), date(2026, 1, 1), 0),  # overlapping
        (None, date(2026, 1, 1), 0),  # the old enrollment is still open
    ],
)
def test_months_without_cover_between_the_two_places(last_out, first_in, gap):
    assert months_without_cover(last_month_out=last_out, first_month_in=first_in) == gap


def test_confirmation_shows_the_waiting_period_tip_for_a_gap_over_three_months(client, parties):
    person, _suzhou = medical_mover(parties, out_end=date(2026, 3, 1), in_start=date(2026, 8, 1))
    case = submit(person, insurance="medical", category="employee", from_region="320506")
    client.force_login(person.user)

    page = client.get(reverse("transfer-submitted", args=[case.serial_no])).content.decode()

    assert "医疗保险待遇等待期提示" in page
    assert "您在转出地参保到2026年3月，在转入地自2026年8月起参保，中间中断缴费4个月" in page
    assert "不超过6个月的待遇享受等待期" in page


def test_confirmation_gives_only_the_general_tip_for_a_three_month_gap(client, parties):
    person, _suzhou = medical_mover(parties, out_end=date(2026, 3, 1), in_start=date(2026, 7, 1))
    case = submit(person, insurance="medical", category="employee", from_region="320506")
    client.force_login(person.user)

    page = client.get(reverse("transfer-submitted", args=[case.serial_no])).content.decode()

    assert "不超过6个月的待遇享受等待期" in page
    assert "中间中断缴费" not in page


def test_pension_confirmation_has_no_medical_waiting_tip(client, parties):
    person = make_mover(parties)
    case = submit(person)
    client.force_login(person.user)

    page = client.get(reverse("transfer-submitted", args=[case.serial_no])).content.decode()

    assert "待遇享受等待期" not in page


# ── item 8: categories handled at the counter only ──────────────────────────────────────────


@pytest.mark.parametrize(
    ("insurance", "category", "label"),
    [
        ("pension", "veteran", "退役军人保险转入"),
        ("pension", "military_spouse", "未就业随军配偶保险转入"),
        ("medical", "military_spouse", "随军配偶"),
    ],
)
def test_military_categories_are_sent_to_the_counter_with_its_address(
    parties, insurance, category, label
):
    person = make_mover(parties, insurance=insurance)
    with pytest.raises(EligibilityError) as refused:
        submit(person, insurance=insurance, category=category)

    assert refused.value.code == "counter_only_category"
    message = str(refused.value.message)
    assert f"“{label}”的转移资金由军队转出" in message
    assert parties.in_agency.address in message
    assert parties.in_agency.phone in message
    assert not TransferCase.objects.exists()


def test_the_form_offers_only_the_categories_handled_online(parties):
    offered = {
        value
        for _group, choices in ApplyForm().fields["category"].choices[1:]
        for value, _ in choices
    }
    # The counter-only categories (veteran, military spouse) are not offered; bridging is.
    assert offered == {
        "enterprise",
        "institution",
        "employee",
        "resident_to_employee",
        "employee_to_resident",
    }


def test_the_api_answers_a_veteran_application_with_400_and_the_counter(api_client, parties):
    person = make_mover(parties)
    api_client.force_authenticate(person.user)

    response = api_client.post(
        "/api/v1/transfers/",
        {
            "insurance": "pension",
            "category": "veteran",
            "from_region": "110105",
            "to_region": "320106",
            "phone": "13912345678",
            "hukou_address": "北京市朝阳区建国路1号",
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "counter_only_category"
    assert parties.in_agency.address in response.json()["detail"]


def test_the_api_gives_the_paid_month_refusal_in_english(api_client, parties):
    person = make_mover(parties)
    person.enrollments.get(agency=parties.in_agency).years.all().delete()
    api_client.force_authenticate(person.user)

    response = api_client.post(
        "/api/v1/transfers/",
        {
            "insurance": "pension",
            "category": "enterprise",
            "from_region": "110105",
            "to_region": "320106",
            "phone": "13912345678",
            "hukou_address": "北京市朝阳区建国路1号",
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "not_paying_at_destination"
    assert "at least one month has been paid there" in response.json()["detail"]
