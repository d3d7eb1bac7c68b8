"""The Celery app. Without REDIS_URL tasks run eagerly in-process (settings), same code path."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The default app in every thread: ``current_app`` in a request thread other than the one that
# imported this module (runserver, the test live server, threaded workers) would otherwise be
# Celery's empty fallback app, where the tasks are not registered.
app.set_default()
