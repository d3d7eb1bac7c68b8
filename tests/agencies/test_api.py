import pytest

from agencies.models import Region, ServedInsurance
from tests.factories import AgencyFactory, UserFactory, region

pytestmark = pytest.mark.django_db

REGIONS_URL = "/api/v1/regions/"
AGENCIES_URL = "/api/v1/agencies/"


def test_regions_without_parent_lists_the_province_level_regions(regions, api_client):
    response = api_client.get(REGIONS_URL)
    assert response.status_code == 200
    body = response.json()
    assert isinstance(body, list)
    assert len(body) == 34
    assert body[0] == {
        "code": "110000",
        "name": "北京市",
        "level": 1,
        "parent": None,
        "online_transfer_enabled": True,
    }
    hong_kong = next(r for r in body if r["code"] == "810000")
    assert hong_kong["online_transfer_enabled"] is False


def test_regions_with_parent_lists_its_children(regions, api_client):
    Region.objects.filter(code="320106").update(online_transfer_enabled=False)
    response = api_client.get(REGIONS_URL, {"parent": "320100"})
    assert response.status_code == 200
    by_code = {r["code"]: r for r in response.json()}
    assert by_code["320106"] == {
        "code": "320106",
        "name": "鼓楼区",
        "level": 3,
        "parent": "320100",
        "online_transfer_enabled": False,
    }
    assert all(r["parent"] == "320100" for r in by_code.values())


def test_regions_of_a_district_is_an_empty_list(regions, api_client):
    response = api_client.get(REGIONS_URL, {"parent": "320106"})
    assert response.status_code == 200
    assert response.json() == []


def test_regions_unknown_parent_is_400_with_a_field_message(regions, api_client):
    response = api_client.get(REGIONS_URL, {"parent": "329999"})
    assert response.status_code == 400
    assert "329999" in response.json()["parent"][0]


def test_regions_with_an_empty_parent_lists_the_provinces(regions, api_client):
    response = api_client.get(REGIONS_URL, {"parent": ""})
    assert response.status_code == 200
    assert len(response.json()) == 34


@pytest.mark.parametrize("code", ["3201", "32010x", "1234567", "１２３４５６"])
def test_regions_malformed_parent_is_400_with_a_field_message(regions, api_client, code):
    response = api_client.get(REGIONS_URL, {"parent": code})
    assert response.status_code == 400
    assert list(response.json()) == ["parent"]


def test_regions_needs_no_login_and_ignores_a_bad_token(regions, api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert api_client.get(REGIONS_URL).status_code == 200


def test_regions_list_runs_one_query(regions, api_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = api_client.get(REGIONS_URL, {"parent": "320000"})
    assert response.status_code == 200
    assert len(response.json()) == 13


def test_agencies_for_a_district_resolve_to_the_city_agency(regions, api_client):
    nanjing = AgencyFactory(region=region("320100"), postal_code="210000")
    response = api_client.get(AGENCIES_URL, {"region": "320106"})
    assert response.status_code == 200
    assert response.json() == [
        {
            "id": nanjing.id,
            "name": nanjing.name,
            "region": "320100",
            "insurance": "both",
            "address": nanjing.address,
            "phone": nanjing.phone,
            "postal_code": "210000",
        }
    ]


def test_agencies_for_a_region_served_by_two_agencies_lists_pension_first(regions, api_client):
    medical = AgencyFactory(region=region("320100"), insurance=ServedInsurance.MEDICAL)
    pension = AgencyFactory(region=region("320000"), insurance=ServedInsurance.PENSION)
    response = api_client.get(AGENCIES_URL, {"region": "320106"})
    assert [a["id"] for a in response.json()] == [pension.id, medical.id]


def test_agencies_for_a_region_with_none_is_an_empty_list(regions, api_client):
    response = api_client.get(AGENCIES_URL, {"region": "650100"})
    assert response.status_code == 200
    assert response.json() == []


def test_agencies_unknown_region_is_400_with_a_field_message(regions, api_client):
    response = api_client.get(AGENCIES_URL, {"region": "329999"})
    assert response.status_code == 400
    assert "329999" in response.json()["region"][0]


def test_agencies_malformed_region_is_400_with_a_field_message(regions, api_client):
    response = api_client.get(AGENCIES_URL, {"region": "abc"})
    assert response.status_code == 400
    assert response.json()["region"] == ["行政区划代码应为6位数字。"]


def test_agencies_without_region_are_all_listed_and_paginated(regions, api_client):
    for code in ["110105", "320100", "330100"]:
        AgencyFactory(region=region(code))
    response = api_client.get(AGENCIES_URL)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [a["region"] for a in body["results"]] == ["110105", "320100", "330100"]


def test_agencies_with_an_empty_region_are_listed_like_no_region(regions, api_client):
    # Found by schemathesis: ``?region=`` used to reach the look-up as "" and answer 500.
    AgencyFactory(region=region("110105"))
    response = api_client.get(AGENCIES_URL, {"region": ""})
    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_agencies_queries_are_bounded(regions, api_client, django_assert_max_num_queries):
    AgencyFactory(region=region("320100"))
    with django_assert_max_num_queries(3):  # the region, then one look-up per insurance
        assert api_client.get(AGENCIES_URL, {"region": "320106"}).status_code == 200
    for code in ["110105", "330100", "440100", "510100"]:
        AgencyFactory(region=region(code))
    with django_assert_max_num_queries(2):  # count and page
        assert len(api_client.get(AGENCIES_URL).json()["results"]) == 5


def test_agencies_answer_a_logged_in_person_too(regions, api_client):
    api_client.force_authenticate(UserFactory())
    assert api_client.get(AGENCIES_URL, {"region": "320106"}).status_code == 200


def test_schema_documents_the_lookup_parameters(api_client):
    response = api_client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    regions_params = {p["name"] for p in paths["/api/v1/regions/"]["get"]["parameters"]}
    agencies_params = {p["name"] for p in paths["/api/v1/agencies/"]["get"]["parameters"]}
    assert "parent" in regions_params
    assert "region" in agencies_params
    assert "400" in paths["/api/v1/regions/"]["get"]["responses"]
    # with region a plain list, without it a page: the schema says both
    agencies_200 = response.json()["components"]["schemas"]["AgencyListOrPage"]
    assert len(agencies_200["oneOf"]) == 2
