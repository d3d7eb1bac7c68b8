"""The Celery app. Without REDIS_URL tasks run eagerly in-process (settings), same code path."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The default app in every thread: ``current_app`` in a request thread other than the one that
# imported this module (runserver, the test live server, threaded workers) would otherwise be
# Celery's empty fallback app, where the tasks are not registered.
app.set_default()


def _in_a_worker(sender) -> bool:
    # An eager task runs inside its caller's request or transaction: its connection is theirs.
    return sender is not None and not getattr(sender.request, "is_eager", False)


@signals.task_prerun.connect
def task_starts_on_a_working_connection(sender=None, **kwargs) -> None:
    """What Django does before each request (close a connection older than CONN_MAX_AGE, or
    broken by an error, or left outside autocommit; keep the others: CELERY_DB_REUSE_MAX stops
    Celery closing every one around every task), plus a ``SELECT 1`` on a kept connection, so
    that a task never starts on one PostgreSQL dropped meanwhile (a restart, a failover)."""
    if not _in_a_worker(sender):
        return
    from django.db import close_old_connections, connections

    close_old_connections()
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None and not connection.is_usable():
            connection.close()


@signals.task_postrun.connect
def task_ends(sender=None, **kwargs) -> None:
    if _in_a_worker(sender):
        from django.db import close_old_connections

        close_old_connections()
