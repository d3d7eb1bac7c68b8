"""The outbox: running the follow-ups of an event (``workflow.MOVES[action].follow_ups``).

The event row is written in the move's transaction; after commit a worker calls ``dispatch``.
It claims the event with a conditional update (so two workers never run it at once), runs its
steps in order (each idempotent), and marks it dispatched. A transient failure (database,
mail, bank connection) releases the claim and is retried with backoff; a permanent one, or the
last attempt, puts the case in the attention queue of the agency responsible for that step.
The re-dispatcher (beat) picks up events a lost message or a dead worker left undispatched."""

import datetime
import logging
import smtplib

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import override

from core.errors import DomainError
from core.notifications import fail_interrupted_deliveries
from transfers.bank import BankError
from transfers.models import CaseEvent
from transfers.services.steps import STEP_FUNCTIONS, transfer_flag_attention
from transfers.workflow import MOVES, STEPS

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (
    OperationalError,
    InterfaceError,
    smtplib.SMTPException,
    ConnectionError,
    TimeoutError,
    BankError,
)


class TransientFailure(Exception):
    """A step failed in a way that may pass (the caller retries after a backoff)."""

    def __init__(self, step: str, error: BaseException):
        self.step = step
        self.error = error
        super().__init__(f"{step}: {error!r}")


def claim_lease() -> datetime.timedelta:
    """How long a claim protects an event: past the task's hard time limit its worker is dead."""
    return datetime.timedelta(seconds=settings.OUTBOX_CLAIM_LEASE_SECONDS)


def max_attempts() -> int:
    return settings.TRANSFER_TASK_MAX_RETRIES + 1


def _claim(event_id: int) -> bool:
    now = timezone.now()
    return bool(
        CaseEvent.objects.filter(pk=event_id, dispatched_at__isnull=True, failed_at__isnull=True)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - claim_lease()))
        .update(claimed_at=now, attempts=F("attempts") + 1)
    )


def _give_up(event: CaseEvent, step: str, error: BaseException) -> None:
    with override(settings.LANGUAGE_CODE):
        reason = str(STEPS[step].failure)
        if isinstance(error, DomainError):
            reason = f"{reason}{error.message}"
    transfer_flag_attention(
        event_id=event.pk,
        step=step,
        reason=reason,
        detail=f"{type(error).__module__}.{type(error).__name__}: {error}",
    )


def dispatch(*, event_id: int) -> str:
    """Run the event's follow-ups once. Returns "dispatched", "skipped" (already done or
    claimed by another worker) or "failed" (now in the attention queue); raises
    ``TransientFailure`` when a retry may succeed."""
    if not _claim(event_id):
        return "skipped"
    # With the case, person and user the person's notice reads (its first follow-up, mostly).
    event = CaseEvent.objects.select_related("case__person__user").get(pk=event_id)
    for step in MOVES[event.action].follow_ups:
        try:
            STEP_FUNCTIONS[step](event)
        except TRANSIENT_ERRORS as exc:
            if event.attempts >= max_attempts():
                _give_up(event, step, exc)
                return "failed"
            CaseEvent.objects.filter(pk=event_id).update(claimed_at=None, last_error=repr(exc))
            raise TransientFailure(step, exc) from exc
        except Exception as exc:  # a bug, a refusal, a bank adapter's hard "no": not retried
            logger.exception("Step %s of event %s failed for good", step, event_id)
            _give_up(event, step, exc)
            return "failed"
    CaseEvent.objects.filter(pk=event_id).update(
        dispatched_at=timezone.now(), claimed_at=None, last_error=""
    )
    return "dispatched"


def stale_event_ids(*, now: datetime.datetime | None = None, limit: int = 500) -> list[int]:
    """Events still undispatched a while after they were written, and not being worked on:
    their message was lost (broker down at commit) or their worker died."""
    now = now or timezone.now()
    older = now - datetime.timedelta(seconds=settings.OUTBOX_REDISPATCH_AFTER_SECONDS)
    return list(
        CaseEvent.objects.filter(
            dispatched_at__isnull=True, failed_at__isnull=True, created_at__lt=older
        )
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - claim_lease()))
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )


def sweep(*, now: datetime.datetime | None = None) -> list[int]:
    """The beat's minute: interrupted deliveries marked, stale events returned to re-dispatch."""
    fail_interrupted_deliveries(now=now)
    return stale_event_ids(now=now)
