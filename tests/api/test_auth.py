"""POST /api/v1/auth/token/ and /api/v1/auth/register/."""

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token

from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
REGISTER_URL = "/api/v1/auth/register/"
PASSWORD = "Sheng-Bao-2026"
NO_MATCH = "身份证号码与姓名不匹配或未参保。"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    # DRF counts requests in the cache; every test starts with a clean count.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def person(regions):
    return PersonFactory(name="王小明")


def registration(person, **overrides):
    data = {
        "id_number": person.id_number,
        "name": person.name,
        "phone": "13912345678",
        "password": PASSWORD,
    }
    data.update(overrides)
    return data


def test_token_for_good_credentials(api_client):
    user = UserFactory()
    response = api_client.post(
        TOKEN_URL, {"username": user.username, "password": "Correct-Horse-9"}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=user).key}


def test_bad_credentials_get_400_with_a_chinese_message(api_client):
    user = UserFactory()
    response = api_client.post(
        TOKEN_URL, {"username": user.username, "password": "wrong"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["身份证号码（用户名）或密码不正确。"]}


def test_missing_fields_and_malformed_json_get_400(api_client):
    assert api_client.post(TOKEN_URL, {}, format="json").status_code == 400
    response = api_client.post(TOKEN_URL, "{not json", content_type="application/json")
    assert response.status_code == 400


def test_repeated_failures_lock_the_username_through_axes(api_client, settings):
    settings.AXES_ENABLED = True
    user = UserFactory()
    bad = {"username": user.username, "password": "wrong"}
    statuses = [api_client.post(TOKEN_URL, bad, format="json").status_code for _ in range(5)]
    assert statuses == [400, 400, 400, 400, 429]
    good = {"username": user.username, "password": "Correct-Horse-9"}
    response = api_client.post(TOKEN_URL, good, format="json")
    assert response.status_code == 429
    assert "锁定" in response.json()["detail"]


def test_auth_endpoints_are_throttled(api_client):
    statuses = {api_client.post(TOKEN_URL, {}, format="json").status_code for _ in range(20)}
    assert statuses == {400}
    assert api_client.post(REGISTER_URL, {}, format="json").status_code == 429


def test_registration_returns_201_with_a_working_token(api_client, person):
    response = api_client.post(REGISTER_URL, registration(person), format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["username"] == person.id_number
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert api_client.get("/api/v1/me/").json()["name"] == "王小明"


def test_registration_name_mismatch_and_unknown_id_get_the_same_400(api_client, person):
    mismatch = api_client.post(REGISTER_URL, registration(person, name="别人"), format="json")
    other = PersonFactory.build(name="无此人")  # a valid ID that is not in the registry
    unknown = api_client.post(REGISTER_URL, registration(other), format="json")
    assert mismatch.status_code == unknown.status_code == 400
    assert mismatch.json() == unknown.json() == {"id_number": [NO_MATCH]}


def test_registration_twice_is_refused(api_client, person):
    api_client.post(REGISTER_URL, registration(person), format="json")
    response = api_client.post(REGISTER_URL, registration(person), format="json")
    assert response.status_code == 400
    assert response.json() == {"id_number": ["该身份证号码已注册，请直接登录。"]}


def test_registration_with_a_bad_checksum_names_the_check_character(api_client, person):
    wrong = person.id_number[:-1] + ("1" if person.id_number[-1] != "1" else "2")
    response = api_client.post(REGISTER_URL, registration(person, id_number=wrong), format="json")
    assert response.status_code == 400
    assert response.json() == {"id_number": ["公民身份号码校验位不正确，请核对后重新输入。"]}


def test_registration_with_a_weak_password_gets_a_password_error(api_client, person):
    response = api_client.post(
        REGISTER_URL, registration(person, password="12345678"), format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["password"]


def test_oversized_and_missing_fields_get_400_by_field(api_client, person):
    response = api_client.post(REGISTER_URL, registration(person, name="名" * 500), format="json")
    assert response.status_code == 400
    assert "50" in response.json()["name"][0]
    response = api_client.post(REGISTER_URL, {"name": "x"}, format="json")
    assert response.status_code == 400
    assert {"id_number", "phone", "password"} <= set(response.json())


def test_registration_with_malformed_json_gets_400(api_client):
    response = api_client.post(REGISTER_URL, "[1, 2", content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "id_number",
    ["320106197511124524", "440306197001010015", "510107197801010017", "370705196503100013"],
)
def test_people_born_before_their_districts_code_register_through_the_api(
    api_client, regions, id_number
):
    person = PersonFactory(id_number=id_number, name="周敏")
    response = api_client.post(REGISTER_URL, registration(person), format="json")
    assert response.status_code == 201, response.json()
