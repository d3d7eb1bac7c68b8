"""Shared fixtures: the region tree, three kinds of users (owner, colleague, outsider) and the
service checks that turn a missing PostgreSQL/Redis/worker/Chromium into a failure in CI."""

import os
import re
import shutil

import pytest
from django.db import connection
from django.utils import translation

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def require(service: str, available: bool, how: str = "") -> None:
    """Skip locally, fail in CI (REQUIRE_SERVICES=1), when a real service is missing."""
    if available:
        return
    message = f"{service} is not available{': ' + how if how else ''}"
    if REQUIRE_SERVICES:
        pytest.fail(f"{message} (REQUIRE_SERVICES=1)")
    pytest.skip(f"{message}; set REQUIRE_SERVICES=1 to fail instead")  # REQUIRE_SERVICES


def postgres_available() -> bool:
    return connection.vendor == "postgresql"


def redis_url() -> str:
    return os.environ.get("REDIS_URL", "")


def redis_available() -> bool:
    url = redis_url()
    if not url:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def chromium_path() -> str | None:
    path = "/usr/bin/chromium"
    return path if os.path.exists(path) else shutil.which("chromium")


@pytest.fixture
def require_postgres():
    require("PostgreSQL", postgres_available(), "set DATABASE_URL=postgres://…")


@pytest.fixture
def require_redis():
    require("Redis", redis_available(), "set REDIS_URL=redis://127.0.0.1:6379/0")


@pytest.fixture
def require_chromium():
    require("Chromium", chromium_path() is not None, "apt-get install chromium")
    return chromium_path()


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="session")
def document_signing_dir(tmp_path_factory):
    """The portal CA, made once per test session (agency keys follow lazily at first issue)."""
    from documents.signing import ensure_ca

    directory = tmp_path_factory.mktemp("signing")
    ensure_ca(directory)
    return directory


@pytest.fixture(autouse=True)
def _document_signing_keys(settings, document_signing_dir):
    settings.DOCUMENT_SIGNING_DIR = document_signing_dir


@pytest.fixture(autouse=True)
def _no_login_throttling_state(settings):
    # django-axes keeps failures in the database; tests that need throttling turn it on.
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    # A request with Accept-Language: en (the test client runs in this thread) leaves English
    # active; the next test would read English messages from the services.
    yield
    translation.activate("zh-hans")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the region tree once into the test database. pytest-django runs the tests that roll
    back (which keep it) before the transactional ones (whose flush removes it)."""
    from agencies.services import regions_load

    with django_db_blocker.unblock():
        regions_load()


@pytest.fixture
def regions(django_db_blocker):
    """The real GB/T 2260 tree: already there, or loaded again after a transactional flush."""
    from agencies.models import Region
    from agencies.services import regions_load

    with django_db_blocker.unblock():
        if not Region.objects.filter(code="110000").exists():
            regions_load()


@pytest.fixture(autouse=True)
def _eager_tasks_unless_a_worker_is_asked_for():
    """Tasks run in-process unless a test routes them to a real worker (celery_helpers), so
    that no test leaves messages on the shared Redis queue. make run swallows (and logs) a
    failing eager task so that a saved application is never answered with a 500; tests want
    to see such a failure."""
    from portal.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture(autouse=True)
def _fresh_calendar_table():
    """Each process keeps the working-day calendar table in memory, versioned in the shared
    cache; a test's rollback does not bump the version, so forget the copy around each test."""
    from agencies.selectors import forget_official_calendar

    forget_official_calendar()
    yield
    forget_official_calendar()


@pytest.fixture(autouse=True)
def _fresh_rate_counters(monkeypatch):
    """Throttle and login-guard counters live in the cache (Redis db N in CI): every test
    starts with none. Only those keys are removed, never a Celery queue on the same Redis.

    The throttles count in fixed windows (a minute, an hour): a test whose requests straddled
    a window's end saw its count restart (a CI run at 03:00:00 UTC did). The throttles' clock
    runs at the real pace from half past the current hour plus 30 s instead: half an hour and
    half a minute before any window ends."""
    import time as real_time

    from django.core.cache import cache

    import core.throttles

    if hasattr(cache, "delete_pattern"):
        cache.delete_pattern("throttle:*")
        cache.delete_pattern("guard:*")
    else:  # the local-memory cache of the embedded default: nothing else lives in it
        cache.clear()
    started = real_time.time()
    base = started // 3600 * 3600 + 1830

    class ThrottleClock:
        @staticmethod
        def time() -> float:
            return base + (real_time.time() - started)

    monkeypatch.setattr(core.throttles, "time", ThrottleClock)


@pytest.fixture
def sms_outbox(settings):
    """SMS go to memory: a list of (phone, message)."""
    from core.sms import MemorySmsBackend

    settings.SMS_BACKEND = "core.sms.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox.clear()


def sms_code(outbox, phone: str | None = None) -> str:
    """The 6-digit code of the last SMS (to ``phone`` if given)."""
    messages = [message for to, message in outbox if phone is None or to == phone]
    assert messages, "no SMS was sent"
    return re.search(r"\d{6}", messages[-1]).group()


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin client, past the staff second factor (the admin requires it)."""
    from tests.otp_helpers import login_verified

    return login_verified(client, admin_user)
