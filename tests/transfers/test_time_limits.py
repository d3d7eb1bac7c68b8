"""Issue 9 item 7: the case page, the confirmation and the API show the limits of the one table
(``transfers.calendar.time_limits``) that the due dates are computed from, for both insurances.
The dates themselves are hand-computed in test_calendar.py."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.transfers.celery_helpers import eager_tasks
from tests.transfers.factories import make_mover, make_parties
from transfers import services
from transfers.calendar import add_working_days, time_limits
from transfers.models import StageName

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]

__all__ = ["eager_tasks"]  # a fixture


@pytest.fixture
def parties(regions):
    return make_parties()


def submit(parties, insurance):
    person = make_mover(parties, insurance=insurance)
    return services.transfer_submit(
        person=person,
        insurance=insurance,
        category="enterprise" if insurance == "pension" else "employee",
        from_region="110105",
        to_region="320106",
        phone="13912345678",
        hukou_address="北京市朝阳区建国路1号",
        actor=person.user,
    )


@pytest.mark.parametrize(
    ("insurance", "review", "target"), [("pension", 15, 15), ("medical", 3, 15)]
)
def test_pages_and_api_show_the_limits_of_the_table(
    client, api_client, parties, insurance, review, target
):
    limits = time_limits(insurance)
    assert (limits.review, limits.service_target) == (review, target)
    case = submit(parties, insurance)
    submitted = timezone.localdate(case.submitted_at)
    target_due = add_working_days(submitted, target)

    # The review stage runs on the table's limit.
    stage = case.stages.get(name=StageName.REVIEW)
    assert stage.due_date == add_working_days(submitted, review)

    client.force_login(case.person.user)
    detail = client.get(reverse("transfer-detail", args=[case.serial_no])).content.decode()
    assert f"{target_due:%Y-%m-%d}" in detail
    assert f"（{target}个工作日，节假日顺延）" in detail
    confirmation = client.get(reverse("transfer-submitted", args=[case.serial_no])).content.decode()
    assert f"（自申请之日起{target}个工作日，节假日顺延）" in confirmation

    api_client.force_authenticate(case.person.user)
    body = api_client.get(f"/api/v1/transfers/{case.serial_no}/").json()
    assert body["service_target_due"] == target_due.isoformat()
    [review_row] = [s for s in body["stages"] if s["name"] == "review"]
    assert review_row["due_date"] == stage.due_date.isoformat()


def test_medical_stages_used_in_full_end_on_the_target_shown(parties):
    limits = time_limits("medical")
    case = submit(parties, "medical")
    submitted = timezone.localdate(case.submitted_at)

    end = submitted
    for name in ("review", "transfer_out", "transfer_in"):
        end = add_working_days(end, limits.stage(name))

    assert end == add_working_days(submitted, limits.service_target)
