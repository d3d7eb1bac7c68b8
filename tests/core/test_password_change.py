"""修改密码 (page): the old password first; the session stays, the tokens go."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from core.models import AuthToken
from core.tokens import token_issue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW = "Sheng-Bao-2026"


@pytest.fixture
def user(client):
    user = UserFactory()
    client.force_login(user)
    return user


def test_the_page_needs_a_login(client):
    response = client.get(reverse("password-change"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_changing_the_password_keeps_this_session_and_revokes_api_tokens(client, user):
    token_issue(user=user)
    response = client.post(
        reverse("password-change"),
        {"old_password": "Correct-Horse-9", "new_password": NEW, "new_password_confirm": NEW},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert not AuthToken.objects.filter(user=user).exists()
    client.get(reverse("home"))
    assert SESSION_KEY in client.session


def test_errors_are_shown_together_in_a_summary(client, user):
    response = client.post(
        reverse("password-change"),
        {"old_password": "", "new_password": NEW, "new_password_confirm": NEW + "x"},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"old_password", "new_password_confirm"}
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert 'href="#id_old_password"' in html


def test_a_wrong_old_password_or_a_weak_new_one_changes_nothing(client, user):
    wrong = client.post(
        reverse("password-change"),
        {"old_password": "nope", "new_password": NEW, "new_password_confirm": NEW},
    )
    assert wrong.context["form"].errors == {"old_password": ["原密码不正确。"]}
    weak = client.post(
        reverse("password-change"),
        {
            "old_password": "Correct-Horse-9",
            "new_password": "12345678",
            "new_password_confirm": "12345678",
        },
    )
    assert "new_password" in weak.context["form"].errors
    user.refresh_from_db()
    assert user.check_password("Correct-Horse-9")
