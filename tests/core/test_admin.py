"""The token list in the admin: superusers only, keys never shown, revocable."""

import pytest

from core.models import AuthToken
from core.tokens import token_issue
from tests.factories import StaffFactory, UserFactory
from tests.otp_helpers import login_verified

pytestmark = pytest.mark.django_db

URL = "/admin/core/authtoken/"


def test_a_superuser_sees_tokens_without_their_keys_and_revokes_one(client, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="Correct-Horse-9")
    key, token = token_issue(user=UserFactory())
    login_verified(client, root)
    html = client.get(URL).content.decode()
    assert token.prefix in html
    assert key not in html
    response = client.post(f"{URL}{token.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not AuthToken.objects.exists()


def test_a_clerk_cannot_see_the_tokens(client, regions):
    clerk = StaffFactory().user
    login_verified(client, clerk)
    assert client.get(URL).status_code == 403
