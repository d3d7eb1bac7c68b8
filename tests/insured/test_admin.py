"""The registry in the back office: masked IDs in lists, a clerk limited to their agency."""

import datetime

import pytest
from django.contrib.auth.models import Permission

from insured import ledger
from tests.factories import (
    AgencyFactory,
    EnrollmentFactory,
    PersonFactory,
    StaffFactory,
    UserFactory,
    region,
)
from tests.otp_helpers import login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_agencies_people(regions):
    nanjing = EnrollmentFactory(agency=AgencyFactory(region=region("320100")))
    shanghai = EnrollmentFactory(agency=AgencyFactory(region=region("310000")))
    return nanjing, shanghai


def test_superuser_list_shows_masked_ids_and_searches_by_full_id(client, two_agencies_people):
    nanjing, _shanghai = two_agencies_people
    login_verified(client, UserFactory(is_staff=True, is_superuser=True))
    response = client.get("/admin/insured/insuredperson/")
    html = response.content.decode()
    assert response.status_code == 200
    assert nanjing.person.id_number_masked in html
    assert nanjing.person.id_number not in html
    found = client.get("/admin/insured/insuredperson/", {"q": nanjing.person.id_number})
    assert list(found.context["cl"].result_list) == [nanjing.person]


def test_a_clerk_sees_only_the_persons_of_their_agency(client, two_agencies_people):
    nanjing, shanghai = two_agencies_people
    clerk = StaffFactory(agency=nanjing.agency).user
    clerk.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_insuredperson", "view_enrollment"])
    )
    login_verified(client, clerk)
    people = client.get("/admin/insured/insuredperson/").context["cl"].result_list
    assert list(people) == [nanjing.person]
    assert client.get(f"/admin/insured/enrollment/{shanghai.pk}/change/").status_code == 302


def test_an_enrollment_page_shows_its_years_inline(client, two_agencies_people):
    nanjing, _shanghai = two_agencies_people
    login_verified(client, UserFactory(is_staff=True, is_superuser=True))
    response = client.get(f"/admin/insured/enrollment/{nanjing.pk}/change/")
    assert response.status_code == 200
    assert "缴费期间" in response.content.decode()


def test_the_person_page_names_where_an_abolished_code_lies_today(client, regions):
    # 110104 宣武区 was merged in 2010; numbers issued there stay valid for life.
    person = PersonFactory(birth_region="110104", born=datetime.date(1970, 1, 1))
    login_verified(client, UserFactory(is_staff=True, is_superuser=True))
    html = client.get(f"/admin/insured/insuredperson/{person.pk}/change/").content.decode()
    assert "北京市宣武区（该地址码使用至2010年，今属北京市）" in html


def test_the_counter_stops_contributions_and_undoes_a_transferring_out_mark(
    client, two_agencies_people
):
    from insured.models import EnrollmentStatus

    nanjing, _shanghai = two_agencies_people
    login_verified(client, UserFactory(is_staff=True, is_superuser=True))
    url = "/admin/insured/enrollment/"
    client.post(url, {"action": "stop_contributions", "_selected_action": [nanjing.pk]})
    nanjing.refresh_from_db()
    assert nanjing.status == EnrollmentStatus.INTERRUPTED and nanjing.end_month is not None
    ledger.enrollment_mark_transferring_out(enrollment=nanjing)
    client.post(url, {"action": "restore_status", "_selected_action": [nanjing.pk]})
    nanjing.refresh_from_db()
    assert nanjing.status == EnrollmentStatus.INTERRUPTED
    assert [(e.from_status, e.to_status) for e in nanjing.events.all()] == [
        ("active", "interrupted"),
        ("interrupted", "transferring_out"),
        ("transferring_out", "interrupted"),
    ]
