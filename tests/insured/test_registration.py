"""Registration with proof of control of the phone on file: the service, then the pages.
The API is in tests/api/test_auth.py."""

import datetime
import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from core.models import OneTimeCode
from insured import idnumbers
from insured.services import registration_confirm, registration_start
from tests.conftest import sms_code
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Sheng-Bao-2026"
ON_FILE = "13800000000"
CODE_INVALID = "验证码不正确或已失效，请重新获取。"


@pytest.fixture
def person(regions):
    return PersonFactory(name="王小明", phone=ON_FILE)


def start(person, **overrides):
    data = {"id_number": person.id_number, "name": person.name}
    data.update(overrides)
    return registration_start(**data)


def confirm(person, code, **overrides):
    data = {"id_number": person.id_number, "code": code, "password": PASSWORD}
    data.update(overrides)
    return registration_confirm(**data)


def errors_of(call) -> dict:
    with pytest.raises(ValidationError) as info:
        call()
    return info.value.message_dict


def test_a_match_sends_a_six_digit_code_to_the_phone_already_on_file(person, sms_outbox):
    masked = start(person)
    assert masked == "138****0000"
    assert [phone for phone, _ in sms_outbox] == [ON_FILE]
    assert len(sms_code(sms_outbox)) == 6


def test_the_code_and_a_password_create_the_login_and_keep_the_phone_on_file(person, sms_outbox):
    start(person)
    user = confirm(person, sms_code(sms_outbox))
    person.refresh_from_db()
    assert person.user == user
    assert user.username == person.id_number
    assert user.check_password(PASSWORD)
    assert not user.is_staff
    assert person.phone == ON_FILE


def test_id_and_name_alone_create_nothing(person, sms_outbox):
    start(person)
    assert not get_user_model().objects.filter(username=person.id_number).exists()


@pytest.mark.parametrize("case", ["name-mismatch", "unknown-id", "registered", "no-mobile"])
def test_nothing_is_sent_and_nothing_is_said_when_there_is_no_unregistered_match(
    regions, sms_outbox, case
):
    person = PersonFactory(name="王小明", phone=ON_FILE)
    if case == "name-mismatch":
        result = start(person, name="王小红")
    elif case == "unknown-id":
        result = start(PersonFactory.build(name="无此人"))
    elif case == "registered":
        person.user = UserFactory(username=person.id_number)
        person.save()
        result = start(person)
    else:
        person.phone = "010-12345678"  # a landline cannot receive a code
        person.save()
        result = start(person)
    assert result is None
    assert sms_outbox == []


def test_the_code_is_stored_only_as_a_hash(person, sms_outbox):
    start(person)
    code = sms_code(sms_outbox)
    stored = OneTimeCode.objects.get(subject=person.id_number)
    assert code not in stored.code_hash
    assert len(stored.code_hash) == 64


def test_a_wrong_code_is_refused_and_five_wrong_tries_void_the_right_one(person, sms_outbox):
    start(person)
    right = sms_code(sms_outbox)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    for _ in range(4):
        assert errors_of(lambda: confirm(person, wrong)) == {"code": [CODE_INVALID]}
    assert "次数过多" in errors_of(lambda: confirm(person, wrong))["code"][0]
    assert "次数过多" in errors_of(lambda: confirm(person, right))["code"][0]
    person.refresh_from_db()
    assert person.user is None


def test_an_expired_code_is_refused(person, sms_outbox):
    start(person)
    OneTimeCode.objects.update(expires_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    assert errors_of(lambda: confirm(person, sms_code(sms_outbox))) == {"code": [CODE_INVALID]}


def test_the_code_expires_ten_minutes_after_it_was_sent(person, sms_outbox):
    start(person)
    code = OneTimeCode.objects.get()
    assert code.expires_at - code.created_at == pytest.approx(
        datetime.timedelta(minutes=10), abs=datetime.timedelta(seconds=1)
    )


def test_a_code_works_once(person, sms_outbox):
    start(person)
    code = sms_code(sms_outbox)
    confirm(person, code)
    assert errors_of(lambda: confirm(person, code)) == {"code": [CODE_INVALID]}


def test_a_new_code_voids_the_older_one(person, sms_outbox, settings):
    settings.ONE_TIME_CODE_RESEND_SECONDS = 0
    start(person)
    first = sms_code(sms_outbox)
    start(person)
    second = sms_code(sms_outbox)
    if first != second:
        assert errors_of(lambda: confirm(person, first)) == {"code": [CODE_INVALID]}
    assert confirm(person, second).username == person.id_number


def test_a_person_gets_at_most_one_code_a_minute(person, sms_outbox):
    assert start(person) == start(person) == "138****0000"
    assert len(sms_outbox) == 1


def test_a_code_for_one_person_does_not_register_another(regions, sms_outbox):
    alice = PersonFactory(phone="13800000001")
    bob = PersonFactory(phone="13800000002")
    start(alice)
    assert errors_of(lambda: confirm(bob, sms_code(sms_outbox))) == {"code": [CODE_INVALID]}


def test_a_lowercase_check_character_registers_the_uppercase_username(regions, sms_outbox):
    numbers = (idnumbers.build("110105", datetime.date(1990, 3, 7), n) for n in range(1, 999, 2))
    person = PersonFactory(id_number=next(n for n in numbers if n.endswith("X")))
    start(person, id_number=person.id_number.lower())
    user = confirm(person, sms_code(sms_outbox), id_number=person.id_number.lower())
    assert user.username == person.id_number


def test_a_wrong_check_character_is_named_before_any_lookup(person, sms_outbox):
    wrong = person.id_number[:-1] + ("1" if person.id_number[-1] != "1" else "2")
    errors = errors_of(lambda: start(person, id_number=wrong))
    assert errors == {"id_number": ["公民身份号码校验位不正确，请核对后重新输入。"]}


@pytest.mark.parametrize(
    "password",
    ["short1!", "12345678901", "password123", "110105199003071239"],
    ids=["too-short", "numeric", "common", "like-the-id"],
)
def test_a_weak_password_is_refused_without_using_up_the_code(person, sms_outbox, password):
    start(person)
    code = sms_code(sms_outbox)
    assert list(errors_of(lambda: confirm(person, code, password=password))) == ["password"]
    assert OneTimeCode.objects.get().tries == 0
    assert confirm(person, code).username == person.id_number


def test_an_existing_username_equal_to_the_id_gets_no_code(person, sms_outbox):
    UserFactory(username=person.id_number)
    assert start(person) is None
    assert sms_outbox == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_confirmations_with_one_code_only_one_succeeds(
    require_postgres, regions, sms_outbox
):
    person = PersonFactory()
    start(person)
    code = sms_code(sms_outbox)
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt():
        try:
            barrier.wait()
            confirm(person, code)
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(exc.message_dict)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(map(str, outcomes)) == sorted(["ok", str({"code": [CODE_INVALID]})])
    assert get_user_model().objects.filter(username=person.id_number).count() == 1


# The pages ------------------------------------------------------------------------------------


def test_registration_page_asks_for_id_and_name_only(client):
    response = client.get(reverse("register"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "csrfmiddlewaretoken" in html
    for field in ("id_number", "name"):
        assert f'name="{field}"' in html
    assert 'name="phone"' not in html
    assert 'name="password"' not in html


def register_on_the_page(client, person, sms_outbox, *, name=None, **step2):
    response = client.post(
        reverse("register"), {"id_number": person.id_number, "name": name or person.name}
    )
    assert response.status_code == 302
    assert response.url == reverse("register-confirm")
    page = client.get(response.url)
    code = sms_code(sms_outbox) if sms_outbox else "000000"
    data = {"code": code, "password": PASSWORD, "password_confirm": PASSWORD, **step2}
    return page, client.post(reverse("register-confirm"), data)


def test_registering_on_the_pages_logs_in_and_opens_my_records(client, person, sms_outbox):
    page, response = register_on_the_page(client, person, sms_outbox)
    html = page.content.decode()
    assert "如信息匹配，验证码已发送至您在参保地登记的手机" in html
    assert "138****0000" in html
    assert response.status_code == 302
    assert response.url == reverse("my-records")
    assert client.get(reverse("my-records")).status_code == 200


def test_a_mismatch_gets_the_same_neutral_page_without_a_phone(client, person, sms_outbox):
    page, response = register_on_the_page(client, person, sms_outbox, name="别人")
    html = page.content.decode()
    assert "如信息匹配，验证码已发送至您在参保地登记的手机" in html
    assert "****" not in html
    assert response.status_code == 200
    assert response.context["form"].errors == {"code": [CODE_INVALID]}


def test_the_confirm_page_without_step_one_goes_back_to_it(client):
    response = client.get(reverse("register-confirm"))
    assert response.status_code == 302
    assert response.url == reverse("register")


def test_step_one_reports_a_bad_checksum_with_an_error_summary(client, person):
    wrong = person.id_number[:-1] + ("1" if person.id_number[-1] != "1" else "2")
    response = client.post(reverse("register"), {"id_number": wrong, "name": ""})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "校验位" in errors["id_number"][0]
    assert "name" in errors
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert 'href="#id_id_number"' in html and 'href="#id_name"' in html


def test_step_two_reports_all_errors_at_once(client, person, sms_outbox):
    _page, response = register_on_the_page(
        client, person, sms_outbox, code="12", password="123", password_confirm="124"
    )
    errors = response.context["form"].errors
    assert response.status_code == 200
    assert set(errors) == {"code", "password_confirm"}
    assert errors["password_confirm"] == ["两次输入的密码不一致。"]
    assert 'id="error-summary"' in response.content.decode()


def test_step_two_reports_a_weak_password_from_the_validators(client, person, sms_outbox):
    _page, response = register_on_the_page(
        client, person, sms_outbox, password="12345678901", password_confirm="12345678901"
    )
    assert "password" in response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_the_page_refuses_an_overlong_name_without_error(client, person):
    response = client.post(reverse("register"), {"id_number": person.id_number, "name": "名" * 500})
    assert response.status_code == 200
    assert "name" in response.context["form"].errors


def test_the_registration_pages_are_throttled_per_address(client, person, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "register": "3/h"}
    data = {"id_number": person.id_number, "name": "别人"}
    statuses = [client.post(reverse("register"), data).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert "请求过于频繁" in client.post(reverse("register"), data).content.decode()
