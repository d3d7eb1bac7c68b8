"""The API's entry points: POST /api/v1/auth/token/, logout/, password/change/,
password/reset/ (+ confirm/), register/ (+ confirm/)."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.models import AuthToken
from tests.conftest import sms_code
from tests.factories import PersonFactory, StaffFactory, UserFactory
from tests.otp_helpers import current_code, device_of

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
LOGOUT_URL = "/api/v1/auth/logout/"
CHANGE_URL = "/api/v1/auth/password/change/"
RESET_URL = "/api/v1/auth/password/reset/"
RESET_CONFIRM_URL = "/api/v1/auth/password/reset/confirm/"
REGISTER_URL = "/api/v1/auth/register/"
CONFIRM_URL = "/api/v1/auth/register/confirm/"
PASSWORD = "Sheng-Bao-2026"
ON_FILE = "13800000000"
SENT = "如信息匹配，验证码已发送至您在参保地登记的手机"
CODE_INVALID = "验证码不正确或已失效，请重新获取。"


@pytest.fixture
def person(regions):
    return PersonFactory(name="王小明", phone=ON_FILE)


def login(api_client, username, password="Correct-Horse-9"):
    """The token request; staff add the current code of their OTP device."""
    body = {"username": username, "password": password}
    user = get_user_model().objects.filter(username=username).first()
    if user is not None and user.is_staff:
        body["otp"] = current_code(device_of(user))
    return api_client.post(TOKEN_URL, body, format="json")


def use(api_client, token):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api_client


# Tokens ---------------------------------------------------------------------------------------


def test_token_for_good_credentials_with_its_expiry(api_client):
    user = UserFactory()
    response = login(api_client, user.username)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires"}
    stored = AuthToken.objects.get(user=user)
    assert parse_datetime(body["expires"]) == stored.expires_at
    assert body["expires"].endswith("+08:00")  # China's time, as every other API time


def test_a_person_token_lasts_12_hours_and_a_staff_token_8(api_client, regions):
    person_user = UserFactory()
    clerk = StaffFactory().user
    login(api_client, person_user.username)
    login(api_client, clerk.username)
    for user, hours in [(person_user, 12), (clerk, 8)]:
        token = AuthToken.objects.get(user=user)
        assert token.expires_at - token.created_at == pytest.approx(
            datetime.timedelta(hours=hours), abs=datetime.timedelta(seconds=5)
        )


def test_a_superuser_token_expires_too(api_client, django_user_model):
    django_user_model.objects.create_superuser("root", password="Correct-Horse-9")
    body = login(api_client, "root").json()
    token = AuthToken.objects.get(user__username="root")
    assert token.expires_at - token.created_at <= datetime.timedelta(hours=8, seconds=5)
    assert parse_datetime(body["expires"]) == token.expires_at


def test_every_login_gets_its_own_token_and_only_the_hash_is_kept(api_client):
    user = UserFactory()
    first = login(api_client, user.username).json()["token"]
    second = login(api_client, user.username).json()["token"]
    assert first != second
    assert AuthToken.objects.filter(user=user).count() == 2
    assert not AuthToken.objects.filter(digest__in=[first, second]).exists()


def test_a_token_works_until_it_expires(api_client, person):
    person.user = UserFactory()
    person.save()
    token = login(api_client, person.user.username).json()["token"]
    assert use(api_client, token).get("/api/v1/me/").status_code == 200
    AuthToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["detail"] == "令牌无效或已过期，请重新登录。"
    assert not AuthToken.objects.exists()


def test_logout_revokes_that_token_only(api_client, person):
    person.user = UserFactory()
    person.save()
    phone_token = login(api_client, person.user.username).json()["token"]
    tablet_token = login(api_client, person.user.username).json()["token"]
    assert use(api_client, phone_token).post(LOGOUT_URL).status_code == 204
    assert api_client.get("/api/v1/me/").status_code == 401
    assert use(api_client, tablet_token).get("/api/v1/me/").status_code == 200


def test_logout_without_a_token_is_401(api_client):
    assert api_client.post(LOGOUT_URL).status_code == 401


def test_drf_authtoken_is_gone(settings):
    assert "rest_framework.authtoken" not in settings.INSTALLED_APPS
    assert "authtoken_token" not in connection.introspection.table_names()


def test_bad_credentials_get_400_with_a_chinese_message(api_client):
    user = UserFactory()
    response = login(api_client, user.username, "wrong")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["身份证号码（用户名）或密码不正确。"]}


def test_missing_fields_and_malformed_json_get_400(api_client):
    assert api_client.post(TOKEN_URL, {}, format="json").status_code == 400
    response = api_client.post(TOKEN_URL, "{not json", content_type="application/json")
    assert response.status_code == 400


def test_repeated_failures_lock_the_username_through_axes(api_client, settings):
    settings.AXES_ENABLED = True
    user = UserFactory()
    statuses = [login(api_client, user.username, "wrong").status_code for _ in range(5)]
    assert statuses == [400, 400, 400, 400, 429]
    response = login(api_client, user.username)
    assert response.status_code == 429
    assert "锁定" in response.json()["detail"]


def test_the_token_endpoint_is_throttled_per_address(api_client):
    statuses = {api_client.post(TOKEN_URL, {}, format="json").status_code for _ in range(20)}
    assert statuses == {400}
    assert api_client.post(TOKEN_URL, {}, format="json").status_code == 429


# Password change ------------------------------------------------------------------------------


def test_password_change_needs_the_old_password_and_revokes_every_token(api_client):
    user = UserFactory()
    token = login(api_client, user.username).json()["token"]
    other = login(api_client, user.username).json()["token"]
    use(api_client, token)
    wrong = api_client.post(
        CHANGE_URL, {"old_password": "nope", "new_password": PASSWORD}, format="json"
    )
    assert wrong.status_code == 400
    assert wrong.json() == {"old_password": ["原密码不正确。"]}
    weak = api_client.post(
        CHANGE_URL, {"old_password": "Correct-Horse-9", "new_password": "12345678"}, format="json"
    )
    assert weak.status_code == 400
    assert list(weak.json()) == ["new_password"]
    response = api_client.post(
        CHANGE_URL, {"old_password": "Correct-Horse-9", "new_password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    assert use(api_client, token).get("/api/v1/me/").status_code == 401
    assert use(api_client, other).get("/api/v1/me/").status_code == 401
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    api_client.credentials()
    assert login(api_client, user.username, PASSWORD).status_code == 200


def test_password_change_without_login_is_401(api_client):
    response = api_client.post(CHANGE_URL, {"old_password": "a", "new_password": "b"})
    assert response.status_code == 401


# Password reset -------------------------------------------------------------------------------


@pytest.fixture
def registered(person):
    person.user = UserFactory(username=person.id_number)
    person.save()
    return person


def test_reset_sends_a_code_to_the_phone_on_file_and_sets_the_new_password(
    api_client, registered, sms_outbox
):
    token = login(api_client, registered.id_number).json()["token"]
    response = api_client.post(RESET_URL, {"id_number": registered.id_number}, format="json")
    assert response.status_code == 200
    assert [phone for phone, _ in sms_outbox] == [ON_FILE]
    response = api_client.post(
        RESET_CONFIRM_URL,
        {"id_number": registered.id_number, "code": sms_code(sms_outbox), "password": PASSWORD},
        format="json",
    )
    assert response.status_code == 200
    assert login(api_client, registered.id_number, PASSWORD).status_code == 200
    assert use(api_client, token).get("/api/v1/me/").status_code == 401


def test_reset_answers_the_same_for_an_unregistered_or_unknown_id(
    api_client, registered, person, sms_outbox
):
    unregistered = PersonFactory(phone="13900000000")
    unknown = PersonFactory.build()
    answers = [
        api_client.post(RESET_URL, {"id_number": p.id_number}, format="json")
        for p in (registered, unregistered, unknown)
    ]
    assert {a.status_code for a in answers} == {200}
    assert answers[0].json() == answers[1].json() == answers[2].json()
    assert [phone for phone, _ in sms_outbox] == [ON_FILE]


def test_reset_with_a_wrong_code_changes_nothing(api_client, registered, sms_outbox):
    api_client.post(RESET_URL, {"id_number": registered.id_number}, format="json")
    wrong = f"{(int(sms_code(sms_outbox)) + 1) % 10**6:06d}"
    response = api_client.post(
        RESET_CONFIRM_URL,
        {"id_number": registered.id_number, "code": wrong, "password": PASSWORD},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"code": [CODE_INVALID]}
    assert login(api_client, registered.id_number).status_code == 200


# Registration ---------------------------------------------------------------------------------


def test_registration_step_one_answers_neutrally_and_sends_a_code_to_the_phone_on_file(
    api_client, person, sms_outbox
):
    response = api_client.post(
        REGISTER_URL, {"id_number": person.id_number, "name": person.name}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["detail"].startswith(SENT)
    assert response.json()["phone_masked"] == "138****0000"
    assert "token" not in response.json()
    assert [phone for phone, _ in sms_outbox] == [ON_FILE]


def test_registration_step_one_gives_the_same_answer_without_a_phone_when_nothing_matches(
    api_client, person, sms_outbox
):
    mismatch = api_client.post(
        REGISTER_URL, {"id_number": person.id_number, "name": "别人"}, format="json"
    )
    other = PersonFactory.build(name="无此人")  # a valid ID that is not in the registry
    unknown = api_client.post(
        REGISTER_URL, {"id_number": other.id_number, "name": other.name}, format="json"
    )
    assert mismatch.status_code == unknown.status_code == 200
    assert (
        mismatch.json()
        == unknown.json()
        == {
            "detail": mismatch.json()["detail"],
            "phone_masked": None,
        }
    )
    assert mismatch.json()["detail"].startswith(SENT)
    assert sms_outbox == []


def test_the_old_one_step_registration_no_longer_takes_over_an_account(api_client, person):
    # Issue 10: ID + name + a phone of the caller's choosing used to return a token.
    response = api_client.post(
        REGISTER_URL,
        {
            "id_number": person.id_number,
            "name": person.name,
            "phone": "13912345678",
            "password": PASSWORD,
        },
        format="json",
    )
    assert response.status_code == 200
    assert "token" not in response.json()
    person.refresh_from_db()
    assert person.user is None
    assert person.phone == ON_FILE


def register(api_client, person, sms_outbox, **overrides):
    api_client.post(
        REGISTER_URL, {"id_number": person.id_number, "name": person.name}, format="json"
    )
    data = {"id_number": person.id_number, "code": sms_code(sms_outbox), "password": PASSWORD}
    data.update(overrides)
    return api_client.post(CONFIRM_URL, data, format="json")


def test_registration_step_two_returns_201_with_a_working_expiring_token(
    api_client, person, sms_outbox
):
    response = register(api_client, person, sms_outbox)
    assert response.status_code == 201
    body = response.json()
    assert body["username"] == person.id_number
    assert parse_datetime(body["expires"]) > timezone.now()
    assert body["expires"].endswith("+08:00")
    assert use(api_client, body["token"]).get("/api/v1/me/").json()["name"] == "王小明"
    person.refresh_from_db()
    assert person.phone == ON_FILE


def test_registration_step_two_with_a_wrong_code_is_400(api_client, person, sms_outbox):
    response = register(api_client, person, sms_outbox, code="000000")
    if response.status_code == 201:  # one chance in a million that the code was 000000
        return
    assert response.status_code == 400
    assert response.json() == {"code": [CODE_INVALID]}


def test_registration_step_two_with_a_weak_password_gets_a_password_error(
    api_client, person, sms_outbox
):
    response = register(api_client, person, sms_outbox, password="12345678")
    assert response.status_code == 400
    assert list(response.json()) == ["password"]


def test_registration_with_a_bad_checksum_names_the_check_character(api_client, person):
    wrong = person.id_number[:-1] + ("1" if person.id_number[-1] != "1" else "2")
    response = api_client.post(
        REGISTER_URL, {"id_number": wrong, "name": person.name}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"id_number": ["公民身份号码校验位不正确，请核对后重新输入。"]}


def test_oversized_and_missing_fields_get_400_by_field(api_client, person):
    response = api_client.post(
        REGISTER_URL, {"id_number": person.id_number, "name": "名" * 500}, format="json"
    )
    assert response.status_code == 400
    assert "50" in response.json()["name"][0]
    response = api_client.post(CONFIRM_URL, {"code": "1"}, format="json")
    assert response.status_code == 400
    assert {"id_number", "password"} <= set(response.json())


def test_registration_with_malformed_json_gets_400(api_client):
    response = api_client.post(REGISTER_URL, "[1, 2", content_type="application/json")
    assert response.status_code == 400


def test_registration_and_reset_are_throttled_per_address(api_client, person, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "register": "3/h", "reset": "2/h"}
    data = {"id_number": person.id_number, "name": "别人"}
    statuses = [api_client.post(REGISTER_URL, data, format="json").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert api_client.post(CONFIRM_URL, {}, format="json").status_code == 429
    reset = {"id_number": person.id_number}
    statuses = [api_client.post(RESET_URL, reset, format="json").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


@pytest.mark.parametrize(
    "id_number",
    ["320106197511124524", "440306197001010015", "510107197801010017", "370705196503100013"],
)
def test_people_born_before_their_districts_code_register_through_the_api(
    api_client, regions, sms_outbox, id_number
):
    person = PersonFactory(id_number=id_number, name="周敏")
    response = register(api_client, person, sms_outbox)
    assert response.status_code == 201, response.json()


def test_the_schema_documents_the_new_auth_endpoints(api_client):
    schema = api_client.get("/api/v1/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    for path in [
        "/api/v1/auth/token/",
        "/api/v1/auth/logout/",
        "/api/v1/auth/password/change/",
        "/api/v1/auth/password/reset/",
        "/api/v1/auth/password/reset/confirm/",
        "/api/v1/auth/register/",
        "/api/v1/auth/register/confirm/",
    ]:
        assert path in paths, path
    token_schema = paths["/api/v1/auth/token/"]["post"]["responses"]["200"]
    ref = token_schema["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(schema["components"]["schemas"][ref]["properties"]) == {"token", "expires"}
    assert "429" in paths["/api/v1/auth/register/"]["post"]["responses"]
    assert "201" in paths["/api/v1/auth/register/confirm/"]["post"]["responses"]


def test_expired_tokens_are_purged_when_a_new_one_is_issued(api_client):
    alice, bob = UserFactory(), UserFactory()
    login(api_client, alice.username)
    AuthToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    login(api_client, bob.username)
    assert list(AuthToken.objects.values_list("user", flat=True)) == [bob.pk]
