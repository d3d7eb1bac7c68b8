"""Celery tasks of the transfer workflow: thin wrappers that take ids and call services.

``dispatch_event`` runs an event's follow-ups through the outbox (``services.outbox``); a
transient failure is retried with exponential backoff, counted on the event itself so that
the cap holds across re-deliveries and re-dispatches. ``acks_late``,
``reject_on_worker_lost``, prefetch 1 and the time limits are set once in settings and
repeated here so that they hold whatever the deployment's defaults."""

import logging

from celery import shared_task
from django.conf import settings

from transfers import figures
from transfers.services import mark_overdue_stages, outbox
from transfers.services.base import DISPATCH_TASK

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    name=DISPATCH_TASK,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,  # the cap is the event's own attempt count (outbox.max_attempts)
)
def dispatch_event(self, event_id: int) -> str:
    try:
        return outbox.dispatch(event_id=event_id)
    except outbox.TransientFailure as exc:
        countdown = min(600, settings.TRANSFER_TASK_RETRY_BACKOFF * 2**self.request.retries)
        logger.warning("Event %s: %s; retrying in %s s", event_id, exc, countdown)
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(name="transfers.redispatch_events", acks_late=True)
def redispatch_events() -> int:
    """Every minute (beat): enqueue again the events left undispatched."""
    event_ids = outbox.sweep()
    for event_id in event_ids:
        dispatch_event.delay(event_id)
    if event_ids:
        logger.warning("Re-dispatched %d undispatched event(s)", len(event_ids))
    return len(event_ids)


@shared_task(acks_late=True)
def mark_overdue_stages_task() -> int:
    """Daily (beat): mark overdue stages; their events tell the agencies."""
    return mark_overdue_stages()


@shared_task(acks_late=True)
def roll_daily_figures_task() -> int:
    """Nightly (beat): roll the closed days of the workbench's charts, so that no clerk's first
    view of the morning pays for it. Idempotent: a day already rolled is skipped."""
    return figures.roll()
