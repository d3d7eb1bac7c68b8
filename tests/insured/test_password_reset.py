"""找回密码 (pages): a code to the phone on file, then a new password."""

import pytest
from django.urls import reverse

from core.models import AuthToken
from core.tokens import token_issue
from tests.conftest import sms_code
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW = "Sheng-Bao-2026"
SENT = "如该身份证号码已注册，验证码已发送至您在参保地登记的手机"


@pytest.fixture
def person(regions):
    person = PersonFactory(phone="13800000000")
    person.user = UserFactory(username=person.id_number)
    person.save()
    return person


def reset(client, id_number, code_of, password=NEW):
    response = client.post(reverse("password-reset"), {"id_number": id_number})
    assert response.status_code == 302
    assert response.url == reverse("password-reset-confirm")
    page = client.get(response.url)
    data = {"code": code_of(), "password": password, "password_confirm": password}
    return page, client.post(reverse("password-reset-confirm"), data)


def test_the_login_page_links_to_the_reset(client):
    assert reverse("password-reset") in client.get(reverse("login")).content.decode()


def test_a_person_resets_their_password_with_the_code_sent_to_the_phone_on_file(
    client, person, sms_outbox
):
    token_issue(user=person.user)
    page, response = reset(client, person.id_number, lambda: sms_code(sms_outbox, "13800000000"))
    assert SENT in page.content.decode()
    assert response.status_code == 302
    assert response.url == reverse("login")
    person.user.refresh_from_db()
    assert person.user.check_password(NEW)
    assert not AuthToken.objects.filter(user=person.user).exists()


def test_an_unknown_id_gets_the_same_page_and_no_sms(client, regions, sms_outbox):
    stranger = PersonFactory.build()
    page, response = reset(client, stranger.id_number, lambda: "123456")
    assert SENT in page.content.decode()
    assert sms_outbox == []
    assert response.status_code == 200
    assert "code" in response.context["form"].errors


def test_a_reset_with_a_wrong_code_shows_the_error_summary(client, person, sms_outbox):
    _page, response = reset(
        client, person.id_number, lambda: f"{(int(sms_code(sms_outbox)) + 1) % 10**6:06d}"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert "验证码不正确或已失效" in html
    person.user.refresh_from_db()
    assert person.user.check_password("Correct-Horse-9")


def test_the_confirm_page_without_step_one_goes_back_to_it(client):
    response = client.get(reverse("password-reset-confirm"))
    assert response.status_code == 302
    assert response.url == reverse("password-reset")
