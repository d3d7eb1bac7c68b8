"""Throttles that cannot be dodged, and a lockout a stranger cannot turn against a clerk."""

import pytest
import redis
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse

from core.throttles import hit
from tests.conftest import redis_url
from tests.factories import StaffFactory, UserFactory
from tests.otp_helpers import current_code, device_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # Dozens of logins per test: the production hasher's cost is not what is tested here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


TOKEN_URL = "/api/v1/auth/token/"
PASSWORD = "Correct-Horse-9"


def api_login(api_client, username, password="wrong", *, remote="203.0.113.7", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    body = {"username": username, "password": password}
    user = get_user_model().objects.filter(username=username).first()
    if user is not None and user.is_staff:  # staff give their one-time code too
        device = device_of(user)
        # Each login here stands for one in a later 30-second step: a TOTP code is good once.
        device.last_t = -1
        device.save(update_fields=["last_t"])
        body["otp"] = current_code(device)
    return api_client.post(TOKEN_URL, body, format="json", **extra)


def page_login(client, username, password="wrong", *, remote="203.0.113.7"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=remote
    )


def test_rotating_x_forwarded_for_from_an_untrusted_address_does_not_reset_the_limit(
    api_client,
):
    statuses = [
        api_login(api_client, "nobody", forwarded=f"198.51.100.{n}").status_code for n in range(21)
    ]
    assert statuses[:20] == [400] * 20
    assert statuses[20] == 429


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(api_client, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    for _ in range(20):
        api_login(api_client, "nobody", remote="10.0.0.1", forwarded="198.51.100.1")
    assert (
        api_login(api_client, "x", remote="10.0.0.1", forwarded="198.51.100.1").status_code == 429
    )
    assert (
        api_login(api_client, "x", remote="10.0.0.1", forwarded="198.51.100.2").status_code == 400
    )


def test_the_global_limit_holds_across_addresses(api_client, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "auth-global": "5/min"}
    statuses = [
        api_login(api_client, "nobody", remote=f"198.51.100.{n}").status_code for n in range(6)
    ]
    assert statuses == [400] * 5 + [429]


def test_forty_usernames_sprayed_from_one_address_get_throttled_on_the_api(api_client):
    statuses = [api_login(api_client, f"clerk{n}").status_code for n in range(40)]
    assert statuses.count(429) >= 20
    assert statuses[-1] == 429


def test_forty_usernames_sprayed_at_the_login_page_lock_the_address(client, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "login": "1000/min"}
    victim = UserFactory()
    statuses = [page_login(client, f"clerk{n}").status_code for n in range(40)]
    assert statuses[:20] == [200] * 20  # the form again, with its error
    assert set(statuses[20:]) == {429}
    # Even the right password of a real account is refused from that address...
    response = page_login(client, victim.username, PASSWORD)
    assert response.status_code == 429
    assert "本设备（网络地址）登录失败次数过多" in response.content.decode()
    # ...and only from that address.
    assert page_login(client, victim.username, PASSWORD, remote="198.51.100.9").status_code == 302


def test_a_stranger_cannot_lock_a_clerk_out(api_client, settings):
    settings.AXES_ENABLED = True
    clerk = StaffFactory().user
    office = "192.0.2.10"
    # The clerk worked from the office before.
    assert api_login(api_client, clerk.username, PASSWORD, remote=office).status_code == 200
    # A stranger guesses from one address until axes locks them there...
    for _ in range(6):
        api_login(api_client, clerk.username, remote="203.0.113.66")
    assert api_login(api_client, clerk.username, PASSWORD, remote="203.0.113.66").status_code == 429
    # ...then from many more: the username is now locked for addresses it never used.
    for n in range(12):
        api_login(api_client, clerk.username, remote=f"198.51.100.{n}")
    refused = api_login(api_client, clerk.username, PASSWORD, remote="198.51.100.200")
    assert refused.status_code == 429
    assert "多处登录失败" in refused.json()["detail"]
    # The clerk at the office still gets in.
    response = api_login(api_client, clerk.username, PASSWORD, remote=office)
    assert response.status_code == 200
    assert "token" in response.json()


def test_behind_the_proxy_axes_locks_the_guesser_not_everyone(api_client, settings):
    # Issue 10: behind the README's proxy every client shared one address, so anyone could
    # lock any clerk out. With TRUSTED_PROXIES the lock is the guesser's own.
    settings.AXES_ENABLED = True
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    clerk = StaffFactory().user
    proxy = {"remote": "10.0.0.1"}
    for _ in range(5):
        api_login(api_client, clerk.username, forwarded="203.0.113.66", **proxy)
    locked = api_login(api_client, clerk.username, PASSWORD, forwarded="203.0.113.66", **proxy)
    assert locked.status_code == 429
    response = api_login(api_client, clerk.username, PASSWORD, forwarded="192.0.2.10", **proxy)
    assert response.status_code == 200


def test_failures_from_a_single_address_never_lock_the_username_elsewhere(client):
    clerk = StaffFactory().user
    for _ in range(15):
        page_login(client, clerk.username, remote="203.0.113.66")
    assert page_login(client, clerk.username, PASSWORD, remote="198.51.100.1").status_code == 302


@pytest.mark.redis
def test_attempts_during_a_lock_do_not_renew_it(api_client, settings, require_redis):
    settings.LOGIN_GUARD_ADDRESS_LIMIT = 3
    for n in range(3):
        api_login(api_client, f"user{n}")
    assert api_login(api_client, "someone").status_code == 429
    [locked] = [key for key in cache.keys("guard:addr:*") if key.endswith(":locked")]
    ttl_before = cache.ttl(locked)
    for _ in range(5):
        assert api_login(api_client, "someone").status_code == 429
    assert cache.ttl(locked) <= ttl_before


def test_the_verify_page_and_api_are_throttled(client, api_client, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "verify": "3/min"}
    # One budget per address for the page and the API.
    pages = [client.get("/verify/no-such-token/").status_code for _ in range(2)]
    answers = [api_client.get("/api/v1/verify/no-such-token/").status_code for _ in range(2)]
    assert pages + answers == [404, 404, 404, 429]
    assert client.get("/verify/no-such-token/").status_code == 429


@pytest.mark.redis
def test_counters_live_in_redis_when_redis_url_is_set(require_redis):
    assert hit(scope="test-scope", ident="203.0.113.7", limit=1, period=60) == 0
    assert hit(scope="test-scope", ident="203.0.113.7", limit=1, period=60) > 0
    keys = redis.Redis.from_url(redis_url()).keys("*throttle:*")
    assert keys
