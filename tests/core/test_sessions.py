"""Sessions end after 30 idle minutes and 12 hours after login, whatever happens between."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone

from core.sessions import LOGIN_AT, SEEN_AT
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MINUTE = 60


@pytest.fixture
def logged_in(client):
    user = UserFactory()
    response = client.post(
        reverse("login"), {"username": user.username, "password": "Correct-Horse-9"}
    )
    assert response.status_code == 302
    return client


def shift(client, **seconds_ago):
    """Move the session's clocks into the past."""
    session = client.session
    now = timezone.now().timestamp()
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def is_logged_in(client) -> bool:
    client.get(reverse("home"))
    return SESSION_KEY in client.session


def test_login_starts_both_clocks(logged_in):
    session = logged_in.session
    assert session[LOGIN_AT] == session[SEEN_AT]


def test_a_session_idle_for_more_than_30_minutes_is_logged_out(logged_in):
    shift(logged_in, **{SEEN_AT: 31 * MINUTE, LOGIN_AT: 31 * MINUTE})
    response = logged_in.get(reverse("notifications"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert SESSION_KEY not in logged_in.session


def test_a_session_used_within_30_minutes_stays_and_its_idle_clock_moves(logged_in):
    shift(logged_in, **{SEEN_AT: 29 * MINUTE, LOGIN_AT: 5 * 60 * MINUTE})
    before = logged_in.session[SEEN_AT]
    assert logged_in.get(reverse("notifications")).status_code == 200
    assert logged_in.session[SEEN_AT] > before


def test_a_busy_session_still_ends_12_hours_after_login(logged_in):
    shift(logged_in, **{SEEN_AT: 1 * MINUTE, LOGIN_AT: 12 * 60 * MINUTE + 1})
    assert not is_logged_in(logged_in)


def test_the_logged_out_page_says_why(logged_in):
    shift(logged_in, **{SEEN_AT: 31 * MINUTE})
    response = logged_in.get(reverse("notifications"), follow=True)
    assert "请重新登录" in response.content.decode()


def test_the_api_session_times_out_too(logged_in):
    shift(logged_in, **{SEEN_AT: 31 * MINUTE})
    assert logged_in.get("/api/v1/me/notifications/").status_code in (401, 403)


def test_the_session_cookie_lasts_no_longer_than_the_absolute_limit(settings):
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
