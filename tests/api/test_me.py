"""GET /api/v1/me/: the caller's own records, and nobody else's."""

import pytest

from core.tokens import token_issue
from tests.factories import StaffFactory
from tests.insured.records import person_with_history

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/"


def as_user(api_client, user):
    key, _token = token_issue(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api_client


def test_without_a_token_401(api_client):
    response = api_client.get(URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


def test_the_caller_gets_their_own_records_with_the_id_masked(api_client, regions):
    alice, (enrollment,) = person_with_history(1, years=2, name="王小明")
    bob, _ = person_with_history(2, name="李小红")
    response = as_user(api_client, alice.user).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "王小明"
    assert body["id_number_masked"] == alice.id_number_masked
    assert alice.id_number not in response.content.decode()
    assert bob.id_number_masked not in response.content.decode()
    assert "李小红" not in response.content.decode()
    (item,) = body["enrollments"]
    assert {
        key: item[key]
        for key in ("insurance", "region", "agency", "account_kind", "start", "end", "status")
    } == {
        "insurance": "pension",
        "region": "320100",
        "agency": enrollment.agency.name,
        "account_kind": "ordinary",
        "start": "2000-01",
        "end": None,
        "status": "active",
    }
    assert item["months"] == 24 + 24  # two years here, 24 months transferred in
    assert item["personal_account_balance"] == "28012.80"  # 2 × 7833.60 + 12345.60
    assert item["years"][0] == {
        "year": 2000,
        "months": 12,
        "first_month": 1,
        "last_month": 12,
        "monthly_base": "8000.00",
        "personal_account_credit": "7680.00",
        "employer_rate": "0.1600",
        "personal_rate": "0.0800",
        "interest": "153.60",
        "contributor_type": "employer",
        "contributor_type_display": "单位职工",
        "balance": "7833.60",
    }
    assert item["transferred_in"] == [
        {
            "serial_no": f"20260101{alice.pk:08d}",
            "from_region": "110105",
            "from_region_name": "北京市朝阳区",
            "transfer_date": "2026-01-01",
            "months": 24,
            "personal_account": "12345.60",
            "pooled_fund": "23040.00",
        }
    ]
    assert body["total_months"] == {"pension": 48, "medical": 0}
    assert body["benefit_place"]["rule"] == "d"
    assert body["benefit_place"]["region"] == "110000"  # the hukou province
    assert body["benefit_place"]["name"] == "北京市"


def test_an_ended_enrollment_shows_its_end_month(api_client, regions):
    person, _ = person_with_history(2, years=3)
    body = as_user(api_client, person.user).get(URL).json()
    assert [(e["start"], e["end"], e["status"]) for e in body["enrollments"]] == [
        ("2000-01", "2002-12", "interrupted"),
        ("2003-01", None, "active"),
    ]


def test_staff_without_a_registry_person_get_404(api_client, regions):
    response = as_user(api_client, StaffFactory().user).get(URL)
    assert response.status_code == 404
    assert response.json()["detail"] == "当前账号没有关联的参保人信息。"


def test_query_count_is_the_same_for_one_and_five_enrollments(
    api_client, regions, django_assert_max_num_queries
):
    counts = []
    for enrollments in (1, 5):
        person, _ = person_with_history(enrollments, years=4)
        client = as_user(api_client, person.user)
        with django_assert_max_num_queries(8) as captured:
            assert client.get(URL).status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
