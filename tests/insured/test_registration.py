"""Real-name registration: the service, then the page. The API is in tests/api/test_auth.py."""

import datetime
import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from insured import idnumbers
from insured.services import person_register_login
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

NO_MATCH = "身份证号码与姓名不匹配或未参保。"
PASSWORD = "Sheng-Bao-2026"


@pytest.fixture
def person(regions):
    return PersonFactory(name="王小明", phone="13800000000")


def register(person=None, **overrides):
    data = {
        "id_number": person.id_number if person else "110105199003071239",
        "name": person.name if person else "张三",
        "phone": "13912345678",
        "password": PASSWORD,
    }
    data.update(overrides)
    return person_register_login(**data)


def errors_of(call) -> dict:
    with pytest.raises(ValidationError) as info:
        call()
    return info.value.message_dict


def test_matching_id_and_name_creates_a_login_linked_to_the_person(person):
    user = register(person)
    person.refresh_from_db()
    assert user.username == person.id_number
    assert person.user == user
    assert person.phone == "13912345678"
    assert user.check_password(PASSWORD)
    assert not user.is_staff


def test_a_lowercase_check_character_registers_the_uppercase_username(regions):
    numbers = (idnumbers.build("110105", datetime.date(1990, 3, 7), n) for n in range(1, 999, 2))
    person = PersonFactory(id_number=next(n for n in numbers if n.endswith("X")))
    user = register(person, id_number=person.id_number.lower())
    assert user.username == person.id_number


def test_a_name_mismatch_and_an_unknown_id_get_the_same_message(person):
    mismatch = errors_of(lambda: register(person, name="王小红"))
    unknown = errors_of(lambda: register(None))
    assert mismatch == unknown == {"id_number": [NO_MATCH]}
    assert not get_user_model().objects.filter(username=person.id_number).exists()


def test_an_already_registered_person_is_told_to_log_in(person):
    register(person)
    assert errors_of(lambda: register(person)) == {
        "id_number": ["该身份证号码已注册，请直接登录。"]
    }


def test_an_existing_username_equal_to_the_id_counts_as_registered(person):
    UserFactory(username=person.id_number)
    assert "已注册" in errors_of(lambda: register(person))["id_number"][0]


def test_a_wrong_check_character_is_named_before_any_lookup(person):
    wrong = person.id_number[:-1] + ("1" if person.id_number[-1] != "1" else "2")
    errors = errors_of(lambda: register(person, id_number=wrong))
    assert errors == {"id_number": ["公民身份号码校验位不正确，请核对后重新输入。"]}


@pytest.mark.parametrize(
    "password",
    ["short1!", "12345678901", "password123", "110105199003071239"],
    ids=["too-short", "numeric", "common", "like-the-id"],
)
def test_a_weak_password_is_refused_and_nothing_is_created(person, password):
    errors = errors_of(lambda: register(person, password=password))
    assert list(errors) == ["password"]
    person.refresh_from_db()
    assert person.user is None


def test_a_bad_phone_and_an_empty_name_are_reported_by_field(person):
    errors = errors_of(lambda: register(person, phone="12345", name="  "))
    assert set(errors) == {"phone", "name"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_registrations_for_one_person_only_one_succeeds(require_postgres, regions):
    person = PersonFactory()
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt():
        try:
            barrier.wait()
            register(person)
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
    assert sorted(map(str, outcomes)) == sorted(
        ["ok", str({"id_number": ["该身份证号码已注册，请直接登录。"]})]
    )
    assert get_user_model().objects.filter(username=person.id_number).count() == 1


# The page ------------------------------------------------------------------------------------


def form_data(person, **overrides):
    data = {
        "id_number": person.id_number,
        "name": person.name,
        "phone": "13912345678",
        "password": PASSWORD,
        "password_confirm": PASSWORD,
    }
    data.update(overrides)
    return data


def test_registration_page_shows_the_form_with_csrf(client):
    response = client.get(reverse("register"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "csrfmiddlewaretoken" in html
    for field in ("id_number", "name", "phone", "password", "password_confirm"):
        assert f'name="{field}"' in html


def test_registering_on_the_page_logs_in_and_opens_my_records(client, person):
    response = client.post(reverse("register"), form_data(person))
    assert response.status_code == 302
    assert response.url == reverse("my-records")
    assert client.get(reverse("my-records")).status_code == 200


def test_the_page_shows_the_no_match_message_under_the_id_field(client, person):
    response = client.post(reverse("register"), form_data(person, name="别人"))
    assert response.status_code == 200
    assert response.context["form"].errors == {"id_number": [NO_MATCH]}
    assert NO_MATCH in response.content.decode()


def test_the_page_reports_bad_checksum_weak_password_and_mismatched_confirmation(client, person):
    wrong = person.id_number[:-1] + ("1" if person.id_number[-1] != "1" else "2")
    response = client.post(
        reverse("register"),
        form_data(person, id_number=wrong, password="123", password_confirm="124"),
    )
    errors = response.context["form"].errors
    assert response.status_code == 200
    assert "校验位" in errors["id_number"][0]
    assert errors["password_confirm"] == ["两次输入的密码不一致。"]


def test_the_page_reports_a_weak_password_from_the_validators(client, person):
    response = client.post(
        reverse("register"),
        form_data(person, password="12345678901", password_confirm="12345678901"),
    )
    assert "password" in response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_the_page_refuses_an_overlong_name_without_error(client, person):
    response = client.post(reverse("register"), form_data(person, name="名" * 500))
    assert response.status_code == 200
    assert "name" in response.context["form"].errors


def test_the_page_tells_an_already_registered_person_to_log_in(client, person):
    register(person)
    response = client.post(reverse("register"), form_data(person))
    assert "已注册，请直接登录" in response.content.decode()
