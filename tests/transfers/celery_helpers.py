"""Real Celery workers for tests: in-process (a thread) or a subprocess, on a queue of the
test's own, so that no other worker on the same Redis takes its tasks."""

import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

ROOT = Path(__file__).resolve().parents[2]


def wait_for(predicate: Callable[[], object], *, timeout: float = 60, what: str = "") -> object:
    """Poll until ``predicate()`` is truthy; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)


def fresh_queue() -> str:
    return f"transfers-test-{uuid.uuid4().hex[:10]}"


@contextmanager
def routed_to(queue: str):
    """Send this process's tasks to ``queue`` through the broker (not eagerly)."""
    from portal.celery import app

    saved = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    try:
        yield app
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = saved
        with app.connection_for_write() as connection:
            connection.default_channel.queue_delete(queue)


def _close_thread_connections(**kwargs):
    # The worker thread's database connections would otherwise outlive the test and keep
    # PostgreSQL from dropping the test database.
    if threading.current_thread() is not threading.main_thread():
        connections.close_all()


@contextmanager
def inprocess_worker():
    """A real worker (solo pool) in a thread of this process, consuming the test's queue."""
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun

    queue = fresh_queue()
    task_postrun.connect(_close_thread_connections, weak=False)
    try:
        with (
            routed_to(queue) as app,
            start_worker(
                app,
                pool="solo",
                concurrency=1,
                perform_ping_check=False,
                loglevel="WARNING",
                queues=[queue],
                shutdown_timeout=30,
            ),
        ):
            yield app
    finally:
        task_postrun.disconnect(_close_thread_connections)


def worker_subprocess(queue: str, *, extra_env: dict | None = None, log=None) -> subprocess.Popen:
    """``celery -A portal worker --pool=solo -c 1`` against this test's database and Redis."""
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
        ),
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        # The test session's signing CA (tests/conftest.py): the worker signs what it issues.
        "DOCUMENT_SIGNING_DIR": str(settings.DOCUMENT_SIGNING_DIR),
        # The worker's own follow-up tasks go to the test's queue too.
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        **(extra_env or {}),
    }
    celery = Path(sys.executable).with_name("celery")
    return subprocess.Popen(
        [
            str(celery),
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "-c",
            "1",
            "-Q",
            queue,
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=log or subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )


@pytest.fixture
def eager_tasks():
    """Run tasks in-process whatever REDIS_URL says (unit tests must not leave messages in a
    shared Redis queue for some other worker to find)."""
    from portal.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield app
    finally:
        app.conf.task_always_eager = saved
