import pytest

from agencies.models import Region
from tests.factories import AgencyFactory, StaffFactory, UserFactory, region
from tests.otp_helpers import login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    login_verified(client, UserFactory(username="admin", is_staff=True, is_superuser=True))
    return client


def test_region_changelist_searches_by_code_and_name(admin_client, regions):
    response = admin_client.get("/admin/agencies/region/", {"q": "320106"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [region("320106")]
    response = admin_client.get("/admin/agencies/region/", {"q": "鼓楼区"})
    assert region("320106") in response.context["cl"].result_list


def test_region_changelist_filters_by_level_and_online_switch(admin_client, regions):
    response = admin_client.get(
        "/admin/agencies/region/", {"level__exact": "1", "online_transfer_enabled__exact": "0"}
    )
    assert {r.code for r in response.context["cl"].result_list} == {
        "710000",
        "810000",
        "820000",
    }


def test_region_online_switch_is_editable_from_the_list(admin_client, regions):
    page = admin_client.get("/admin/agencies/region/", {"q": "320106"})
    form = page.context["cl"].formset
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-code": "320106",
        "_save": "保存",
    }
    assert form.total_form_count() == 1
    response = admin_client.post("/admin/agencies/region/?q=320106", data)
    assert response.status_code == 302
    assert not Region.objects.get(code="320106").online_transfer_enabled


def test_region_code_is_read_only_once_saved(admin_client, regions):
    response = admin_client.get("/admin/agencies/region/320106/change/")
    assert response.status_code == 200
    assert "code" not in response.context["adminform"].form.fields
    assert (
        "code" in admin_client.get("/admin/agencies/region/add/").context["adminform"].form.fields
    )


def test_region_changelist_queries_are_bounded(
    admin_client, regions, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        assert admin_client.get("/admin/agencies/region/").status_code == 200


def test_agency_and_staff_admin_pages_render(admin_client, regions):
    agency = AgencyFactory(region=region("320100"))
    staff = StaffFactory(agency=agency)
    for url in [
        "/admin/agencies/agency/",
        f"/admin/agencies/agency/{agency.pk}/change/",
        "/admin/agencies/agency/?q=320100",
        "/admin/agencies/staffmembership/",
        f"/admin/agencies/staffmembership/{staff.pk}/change/",
    ]:
        response = admin_client.get(url)
        assert response.status_code == 200, url
    assert agency.name in admin_client.get("/admin/agencies/agency/?q=南京").content.decode()
