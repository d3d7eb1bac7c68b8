"""A worker keeps its database connection from one task to the next, as a web process does
from one request to the next (CONN_MAX_AGE), but never starts a task on a connection
PostgreSQL has dropped; an eager task leaves its caller's connection alone."""

import time

import psycopg2
import pytest
from celery import signals
from celery.fixups.django import DjangoWorkerFixup
from django.db import connection, transaction

from portal.celery import app
from transfers.tasks import dispatch_event

pytestmark = pytest.mark.postgres


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.fixture
def celery_fixup():
    """Celery's Django fix-up, installed as a worker installs it (its signal handlers)."""
    fixup = DjangoWorkerFixup(app).install()
    yield fixup
    signals.task_prerun.disconnect(fixup.on_task_prerun)
    signals.task_postrun.disconnect(fixup.on_task_postrun)
    signals.worker_process_init.disconnect(fixup.on_worker_process_init)
    signals.beat_embedded_init.disconnect(fixup.close_database)


def run_task_signals(*, eager: bool) -> None:
    """What a worker sends around a task (prerun, postrun)."""
    dispatch_event.push_request(is_eager=eager)
    try:
        signals.task_prerun.send(sender=dispatch_event, task_id="t", task=dispatch_event)
        signals.task_postrun.send(sender=dispatch_event, task_id="t", task=dispatch_event)
    finally:
        dispatch_event.pop_request()


def terminate(pid: int) -> None:
    settings = connection.settings_dict
    other = psycopg2.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        password=settings["PASSWORD"] or None,
    )
    other.autocommit = True
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    other.close()


@pytest.mark.django_db(transaction=True)
def test_a_worker_task_keeps_the_connection_of_the_task_before(require_postgres, celery_fixup):
    # A connection of its own: one the suite opened over CONN_MAX_AGE ago is closed, rightly.
    connection.close()
    first = backend_pid()
    run_task_signals(eager=False)
    run_task_signals(eager=False)
    assert backend_pid() == first


@pytest.mark.django_db(transaction=True)
def test_a_worker_task_does_not_start_on_a_connection_postgresql_dropped(
    require_postgres, celery_fixup
):
    dropped = backend_pid()
    terminate(dropped)
    run_task_signals(eager=False)
    assert backend_pid() != dropped  # a new connection, and the query on it worked


@pytest.mark.django_db(transaction=True)
def test_an_eager_task_leaves_its_callers_transaction_alone(require_postgres, celery_fixup):
    with transaction.atomic():
        first = backend_pid()
        run_task_signals(eager=True)
        assert backend_pid() == first
        assert connection.in_atomic_block


def test_celery_closes_a_workers_connections_only_now_and_then():
    # Celery's own Django fix-up closes every connection around every task unless told to
    # reuse them; portal.celery's handlers close the old or broken ones instead.
    assert DjangoWorkerFixup(app).db_reuse_max >= 100


@pytest.mark.django_db(transaction=True)
def test_a_worker_task_does_not_keep_a_connection_past_conn_max_age(require_postgres, celery_fixup):
    connection.close()
    old = backend_pid()
    connection.close_at = time.monotonic() - 1  # opened longer than CONN_MAX_AGE ago
    run_task_signals(eager=False)
    assert backend_pid() != old
