"""Issue 9 item 9: one application naming several transfer-out places (Beijing and Guangzhou):
one case per place under one application number, processed in parallel, all or nothing at
submission, one open application per insurance."""

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from insured.models import EnrollmentStatus
from tests.factories import AgencyFactory, ContributionYearFactory, EnrollmentFactory, region
from tests.transfers.factories import PENSION_EXPECTED, make_mover, make_parties, this_year
from transfers import services
from transfers.models import DailySerial, TransferApplication, TransferCase, TransferFunds
from transfers.services import EligibilityError
from transfers.services.steps import transfer_issue_info_sheet
from transfers.workflow import CaseStatus

GUANGZHOU_REGION = "440106"  # 广州市天河区, served by the Guangzhou city agency (440100)


@pytest.fixture
def parties(regions):
    return make_parties()


def add_guangzhou(person, *, paid: bool = True):
    """Guangzhou pension Y-3, base 6000 × 12 months (8% credited, 2% interest, 16% employer)."""
    agency = AgencyFactory(region=region("440100"))
    enrollment = EnrollmentFactory(
        person=person,
        insurance="pension",
        agency=agency,
        region=region(GUANGZHOU_REGION),
        start_month=datetime.date(this_year() - 3, 1, 1),
        end_month=datetime.date(this_year() - 3, 12, 1),
        status=EnrollmentStatus.INTERRUPTED,
    )
    if paid:
        ContributionYearFactory(
            enrollment=enrollment, year=this_year() - 3, monthly_base=Decimal("6000.00")
        )
    return agency


# Hand-computed for the Guangzhou case (国办发〔2009〕66号 art. 4), transfer in year Y:
#   ② Y-3: 6000 × 8% × 12 = 5760.00 + interest 2% 115.20            = 5875.20
#   ① 0.00 (no year before 1998); ③ 0.00 (nothing paid there in Y)
#   ④ = 5875.20; ⑤ 12% × 6000 × 12 = 12% × 72000.00                  = 8640.00
#   ⑥ = 5875.20 + 8640.00                                            = 14515.20; 12 months
GUANGZHOU_EXPECTED = {
    "before_1998": Decimal("0.00"),
    "since_1998_to_last_year": Decimal("5875.20"),
    "transfer_year_principal": Decimal("0.00"),
    "personal_account": Decimal("5875.20"),
    "pooled_fund": Decimal("8640.00"),
    "total": Decimal("14515.20"),
    "months": 12,
}


def submit(person, from_regions, **overrides):
    values = {
        "person": person,
        "insurance": "pension",
        "category": "enterprise",
        "from_regions": from_regions,
        "to_region": "320106",
        "phone": "13912345678",
        "hukou_address": "北京市朝阳区建国路1号",
        "actor": person.user,
    }
    values.update(overrides)
    return services.application_submit(**values)


def funds_of(case) -> dict:
    funds = TransferFunds.objects.get(case=case)
    return {field: getattr(funds, field) for field in GUANGZHOU_EXPECTED}


@pytest.mark.django_db
def test_one_application_makes_one_case_per_place_under_one_number(parties):
    person = make_mover(parties)
    guangzhou = add_guangzhou(person)

    application = submit(person, ["110105", GUANGZHOU_REGION])

    cases = list(application.cases.order_by("serial_no"))
    assert [c.transfer_out_agency for c in cases] == [parties.out_agency, guangzhou]
    assert [c.status for c in cases] == [CaseStatus.SUBMITTED, CaseStatus.SUBMITTED]
    # The application's number is its first case's serial; the second has the next serial.
    assert application.number == cases[0].serial_no
    assert int(cases[1].serial_no) == int(cases[0].serial_no) + 1
    assert application.is_open
    # Both go to the one transfer-in agency, each with its review stage running.
    assert {c.transfer_in_agency for c in cases} == {parties.in_agency}
    assert all(c.current_due_date for c in cases)


@pytest.mark.django_db
def test_each_place_moves_its_own_amounts_to_the_fen(parties):
    person = make_mover(parties)
    add_guangzhou(person)
    application = submit(person, ["110105", GUANGZHOU_REGION])
    beijing_case, guangzhou_case = application.cases.order_by("serial_no")
    # Both letters acknowledged: the two places work in parallel.
    TransferCase.objects.filter(application=application).update(status=CaseStatus.LETTER_RECEIVED)

    transfer_issue_info_sheet(case_id=guangzhou_case.pk)
    transfer_issue_info_sheet(case_id=beijing_case.pk)

    assert funds_of(guangzhou_case) == GUANGZHOU_EXPECTED
    assert funds_of(beijing_case) == {k: PENSION_EXPECTED[k] for k in GUANGZHOU_EXPECTED}


@pytest.mark.django_db
def test_one_place_refused_creates_nothing_and_names_the_place(parties):
    person = make_mover(parties)
    add_guangzhou(person, paid=False)  # enrolled in Guangzhou, never paid there

    with pytest.raises(EligibilityError) as refused:
        submit(person, ["110105", GUANGZHOU_REGION])

    assert refused.value.code == "no_transfer_out_record"
    assert str(refused.value.message).startswith("转出地广东省广州市天河区：")
    assert not TransferApplication.objects.exists()
    assert not TransferCase.objects.exists()
    assert not DailySerial.objects.filter(last__gt=0).exists()


@pytest.mark.django_db
def test_the_same_place_twice_is_refused(parties):
    person = make_mover(parties)
    with pytest.raises(EligibilityError) as refused:
        submit(person, ["110105", "110105"])
    assert refused.value.code == "duplicate_place"
    assert not TransferCase.objects.exists()


@pytest.mark.django_db
def test_a_second_application_waits_until_every_case_of_the_first_has_ended(parties):
    person = make_mover(parties)
    add_guangzhou(person)
    application = submit(person, ["110105", GUANGZHOU_REGION])
    beijing_case, guangzhou_case = application.cases.order_by("serial_no")

    services.transfer_reject(case=beijing_case, actor=parties.in_reviewer, reason="材料不全")
    application.refresh_from_db()
    assert application.is_open  # Guangzhou is still being handled
    with pytest.raises(EligibilityError) as refused:
        submit(person, ["110105"])
    assert refused.value.code == "open_case_exists"
    assert guangzhou_case.serial_no in str(refused.value.message)

    services.transfer_withdraw(case=guangzhou_case, actor=person.user)
    application.refresh_from_db()
    assert not application.is_open
    again = submit(person, ["110105"])
    assert again.cases.count() == 1


@pytest.mark.django_db
def test_api_accepts_from_regions_and_answers_with_the_application(parties, client):
    person = make_mover(parties)
    add_guangzhou(person)
    api = APIClient()
    api.force_authenticate(person.user)
    body = {
        "insurance": "pension",
        "category": "enterprise",
        "from_regions": ["110105", GUANGZHOU_REGION],
        "to_region": "320106",
        "phone": "13912345678",
        "hukou_address": "北京市朝阳区建国路1号",
    }

    response = api.post("/api/v1/transfers/", body, format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert [c["from_region"] for c in data["cases"]] == ["110105", GUANGZHOU_REGION]
    assert data["number"] == data["cases"][0]["serial_no"]
    assert {c["application"] for c in data["cases"]} == {data["number"]}
    assert data["is_open"] is True
    listed = api.get("/api/v1/transfers/").json()["results"]
    assert {c["application"] for c in listed} == {data["number"]}
    again = api.get(f"/api/v1/transfers/applications/{data['number']}/").json()
    assert len(again["cases"]) == 2


@pytest.mark.django_db
def test_api_still_takes_one_from_region_and_answers_with_the_case(parties):
    person = make_mover(parties)
    api = APIClient()
    api.force_authenticate(person.user)
    body = {
        "insurance": "pension",
        "category": "enterprise",
        "from_region": "110105",
        "to_region": "320106",
        "phone": "13912345678",
        "hukou_address": "北京市朝阳区建国路1号",
    }
    response = api.post("/api/v1/transfers/", body, format="json")
    assert response.status_code == 201
    assert response.json()["serial_no"] == response.json()["application"]
    assert "stages" in response.json()


@pytest.mark.django_db
def test_api_refuses_both_or_neither_place_field(parties):
    person = make_mover(parties)
    api = APIClient()
    api.force_authenticate(person.user)
    body = {
        "insurance": "pension",
        "category": "enterprise",
        "to_region": "320106",
        "phone": "13912345678",
        "hukou_address": "北京市朝阳区建国路1号",
    }
    neither = api.post("/api/v1/transfers/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    both = api.post(
        "/api/v1/transfers/",
        {**body, "from_region": "110105", "from_regions": ["110105"]},
        format="json",
    )
    assert neither.status_code == 400 and both.status_code == 400
    assert "from_regions" in neither.json()["from_region"][0]
    assert not TransferCase.objects.exists()


@pytest.mark.django_db
def test_the_pages_show_the_cases_of_one_application_together(parties, client):
    person = make_mover(parties)
    add_guangzhou(person)
    client.force_login(person.user)
    application = submit(person, ["110105", GUANGZHOU_REGION])
    beijing_case, guangzhou_case = application.cases.order_by("serial_no")

    submitted = client.get(reverse("transfer-submitted", args=[application.number]))
    detail = client.get(reverse("transfer-detail", args=[guangzhou_case.serial_no]))
    listing = client.get(reverse("transfer-list"))

    assert guangzhou_case.serial_no in submitted.content.decode()
    assert "广州市天河区" in submitted.content.decode()
    page = detail.content.decode()
    assert f"同一申请（申请编号 {application.number}）的其他转出地" in page
    assert beijing_case.serial_no in page
    assert listing.content.decode().count(f"申请编号 {application.number}") == 2


@pytest.mark.django_db
def test_the_apply_form_takes_a_second_transfer_out_place(parties, client):
    person = make_mover(parties)
    add_guangzhou(person)
    client.force_login(person.user)
    form = {
        "insurance": "pension",
        "category": "enterprise",
        "from_province": "110000",
        "from_city": "110105",
        "from2_province": "440000",
        "from2_city": "440100",
        "from2_county": GUANGZHOU_REGION,
        "to_province": "320000",
        "to_city": "320100",
        "to_county": "320106",
        "phone": "13912345678",
        "hukou_address": "北京市朝阳区建国路1号",
        "declaration": "on",
    }

    response = client.post(reverse("transfer-apply"), form)

    assert response.status_code == 302, response.content.decode()[:3000]
    application = TransferApplication.objects.get(person=person)
    assert response["Location"] == reverse("transfer-submitted", args=[application.number])
    assert sorted(application.cases.values_list("from_region_id", flat=True)) == [
        "110105",
        GUANGZHOU_REGION,
    ]


def _race(calls):
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait()
            return call()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_applications_of_one_person_open_one(require_postgres, regions):
    parties = make_parties()
    person = make_mover(parties)
    add_guangzhou(person)
    bodies = [
        ["110105", GUANGZHOU_REGION],
        ["110105"],
        [GUANGZHOU_REGION],
        ["110105", GUANGZHOU_REGION],
    ]

    def call(places):
        def run():
            client = APIClient()
            client.force_authenticate(person.user)
            body = {
                "insurance": "pension",
                "category": "enterprise",
                "from_regions": places,
                "to_region": "320106",
                "phone": "13912345678",
                "hukou_address": "北京市朝阳区建国路1号",
            }
            return client.post("/api/v1/transfers/", body, format="json").status_code

        return run

    codes = _race([call(places) for places in bodies])

    assert sorted(codes) == [201, 400, 400, 400]
    application = TransferApplication.objects.get(person=person)
    assert application.is_open
    assert TransferCase.objects.filter(person=person).count() == application.cases.count()
    # The refused ones gave their serial numbers back: only the winner's are used.
    assert DailySerial.objects.get(day=timezone.localdate()).last == application.cases.count()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_last_two_cases_ending_at_once_close_the_application(require_postgres, regions):
    parties = make_parties()
    person = make_mover(parties)
    add_guangzhou(person)
    application = submit(person, ["110105", GUANGZHOU_REGION])
    beijing_case, guangzhou_case = application.cases.order_by("serial_no")

    def reject():
        services.transfer_reject(case=beijing_case, actor=parties.in_reviewer, reason="材料不全")

    def withdraw():
        services.transfer_withdraw(case=guangzhou_case, actor=person.user)

    _race([reject, withdraw])

    application.refresh_from_db()
    assert not application.is_open
    assert submit(person, ["110105"]).is_open  # a new application may now open


@pytest.mark.django_db
def test_months_paid_at_two_transfer_out_places_are_flagged_on_both_cases(parties):
    person = make_mover(parties)
    add_guangzhou(person)
    # Beijing also paid Y-3 months 11-12 (while Guangzhou paid the whole of Y-3).
    beijing = person.enrollments.get(agency=parties.out_agency)
    ContributionYearFactory(enrollment=beijing, year=this_year() - 3, first_month=11)

    application = submit(person, ["110105", GUANGZHOU_REGION])

    beijing_case, guangzhou_case = application.cases.order_by("serial_no")
    y3 = this_year() - 3
    notes = {
        c.serial_no: c.events.get(action="submit").note for c in (beijing_case, guangzhou_case)
    }
    assert (
        f"与转出地广东省广州市天河区重复缴费月份：{y3}-11、{y3}-12" in notes[beijing_case.serial_no]
    )
    assert f"与转出地北京市朝阳区重复缴费月份：{y3}-11、{y3}-12" in notes[guangzhou_case.serial_no]
