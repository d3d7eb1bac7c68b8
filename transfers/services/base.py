"""What every service of a case shares: the domain errors, the row lock, the actor and state
checks (``workflow.actor_error``), the move itself (state, stages, due date, event) and the
hand-over of its follow-ups to the outbox after commit."""

import datetime
import logging
import time
from decimal import Decimal
from functools import partial

from celery import current_app
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, Region
from agencies.selectors import clerk_of
from core.errors import DomainError, TransitionNotAllowed
from core.validators import PlainTextValidator
from transfers.calendar import stage_due
from transfers.models import CaseEvent, Stage, TransferApplication, TransferCase
from transfers.workflow import (
    MOVES,
    OPEN_STATUSES,
    RUNNING_STAGE,
    STAGE_SIDE,
    Actor,
    StageName,
    actor_error,
    side_agency_id,
    state_allows,
)

logger = logging.getLogger(__name__)

# Registered by transfers/tasks.py; looked up by name so that services never import tasks.
DISPATCH_TASK = "transfers.dispatch_event"

CENT = Decimal("0.01")


class EligibilityError(DomainError):
    """The person cannot apply for this transfer; the message says why and what to do."""

    code = "not_eligible"


class AmountChanged(TransitionNotAllowed):
    """A confirmation page was posted with another amount than the one due: nothing done."""

    code = "amount_changed"


class AmountMismatch(TransitionNotAllowed):
    """The amount confirmed as received is not the amount remitted."""

    code = "amount_mismatch"


def lock_case(case: TransferCase | int) -> TransferCase:
    """Re-read the case under a row lock (only the case row: ``of=self``), with what the moves
    and steps read. Three short statements: one joining all eight tables took PostgreSQL
    4-13 ms to plan, on every move and step of every case."""
    case_id = case.pk if isinstance(case, TransferCase) else case
    try:
        locked = (
            TransferCase.objects.select_for_update(of=("self",))
            .select_related("person", "from_enrollment", "to_enrollment")
            .get(pk=case_id)
        )
    except TransferCase.DoesNotExist:
        raise TransitionNotAllowed(_("申请不存在。")) from None
    return with_places(locked)


def read_case(case_id: int) -> TransferCase:
    """The case with what the steps read, without a lock (a move re-reads it under one)."""
    return with_places(
        TransferCase.objects.select_related("person", "from_enrollment", "to_enrollment").get(
            pk=case_id
        )
    )


def with_places(case: TransferCase) -> TransferCase:
    """Set the case's two agencies (with their regions) and two regions, read by key in two
    small statements instead of joined to the case."""
    agencies = Agency.objects.select_related("region").in_bulk(
        {case.transfer_in_agency_id, case.transfer_out_agency_id} - {None}
    )
    regions = Region.objects.in_bulk({case.from_region_id, case.to_region_id} - {None})
    for field, pool in (
        ("transfer_in_agency", agencies),
        ("transfer_out_agency", agencies),
        ("from_region", regions),
        ("to_region", regions),
    ):
        related_id = getattr(case, f"{field}_id")
        if related_id is not None:
            setattr(case, field, pool[related_id])
    return case


def authorize(case: TransferCase, actor, action: str) -> Agency | None:
    """Check that ``actor`` may do ``action`` on ``case``; return the acting agency."""
    error = actor_error(actor, case, action)
    if error is not None:
        raise error
    clerk = clerk_of(actor) if MOVES[action].who != Actor.APPLICANT else None
    return clerk.agency if clerk is not None else None


def check_state(case: TransferCase, action: str) -> None:
    if not state_allows(case, action):
        raise TransitionNotAllowed(
            _("申请当前状态为“%(status)s”，不能%(move)s。")
            % {"status": case.get_status_display(), "move": MOVES[action].label}
        )


def enqueue_dispatch(event_id: int) -> None:
    """Ask a worker to run the event's follow-ups. If the broker is down the event simply
    stays undispatched: the re-dispatcher (beat, every minute) finds it later."""
    task = current_app.tasks[DISPATCH_TASK]  # a missing task is a bug: fail loudly
    try:
        task.delay(event_id)
    except Exception:  # a broker error must not turn a committed move into an error page
        logger.warning(
            "Could not enqueue dispatch of event %s; it will be re-dispatched",
            event_id,
            exc_info=True,
        )


def record_event(
    case: TransferCase,
    action: str,
    *,
    from_status: str,
    to_status: str,
    actor=None,
    agency: Agency | None = None,
    note: str = "",
) -> CaseEvent:
    """Write the event in the current transaction. It is also the outbox entry of the move's
    follow-ups: dispatched after commit, or born dispatched when there are none."""
    follow_ups = MOVES[action].follow_ups if action in MOVES else ()
    event = CaseEvent.objects.create(
        case=case,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=actor if getattr(actor, "pk", None) else None,
        agency=agency,
        note=note,
        dispatched_at=None if follow_ups else timezone.now(),
    )
    if follow_ups:
        transaction.on_commit(partial(enqueue_dispatch, event.pk))
    return event


def apply_move(
    case: TransferCase,
    action: str,
    *,
    actor=None,
    agency: Agency | None = None,
    note: str = "",
    fields: tuple[str, ...] = (),
) -> CaseEvent:
    """Carry out one row of ``workflow.MOVES`` on a locked case: its state change (if any), the
    stages it ends and starts, the running stage's due date, and its event."""
    check_state(case, action)
    move = MOVES[action]
    now = timezone.now()
    previous = case.status
    for name in move.ends:
        complete_stage(case, name, now=now)
    for name in move.starts:
        start_stage(case, name, now=now)
    if move.target is not None:
        case.status = move.target
    set_running_due_date(case)
    case.save(update_fields=["status", "current_due_date", "updated_at", *fields])
    if previous in OPEN_STATUSES and case.status not in OPEN_STATUSES:
        close_application_if_done(case)
    return record_event(
        case,
        action,
        from_status=previous,
        to_status=case.status,
        actor=actor,
        agency=agency,
        note=note,
    )


def close_application_if_done(case: TransferCase) -> None:
    """The application stops being open when its last open case ends. Its row is locked
    first, so two of its cases ending at once cannot both see the other still open."""
    application = TransferApplication.objects.select_for_update().get(pk=case.application_id)
    if not application.is_open:
        return
    others_open = (
        TransferCase.objects.filter(application=application, status__in=sorted(OPEN_STATUSES))
        .exclude(pk=case.pk)
        .exists()
    )
    if not others_open:
        application.is_open = False
        application.save(update_fields=["is_open"])


def start_stage(case: TransferCase, name: str, *, now: datetime.datetime) -> Stage:
    due, estimated = None, False
    if name != StageName.CERTIFICATE:
        computed = stage_due(case.insurance, name, started=timezone.localdate(now))
        due, estimated = computed.date, computed.estimated
    stage, _created = Stage.objects.get_or_create(
        case=case,
        name=name,
        defaults={
            "started_at": now,
            "due_date": due,
            "due_date_estimated": estimated,
            "agency_id": side_agency_id(case, STAGE_SIDE[name]),
        },
    )
    return stage


def complete_stage(case: TransferCase, name: str, *, now: datetime.datetime) -> None:
    Stage.objects.filter(case=case, name=name, completed_at__isnull=True).update(completed_at=now)


def set_running_due_date(case: TransferCase) -> None:
    """``current_due_date`` is the due date of the agency stage now running (None if none)."""
    running = RUNNING_STAGE.get(case.status)
    if running is None:
        case.current_due_date = None
        return
    stage = Stage.objects.filter(case=case, name=running).only("due_date").first()
    case.current_due_date = stage.due_date if stage else None


def pause_for_tests(step: str) -> None:
    """Tests only (``TRANSFER_TEST_TASK_DELAY``): say we are inside ``step``, then wait, so a
    test can kill the worker at this point deterministically. A no-op when unset."""
    delay = settings.TRANSFER_TEST_TASK_DELAY
    if not delay:
        return
    if settings.REDIS_URL:
        import redis

        redis.Redis.from_url(settings.REDIS_URL).incr(f"transfers:test-pause:{step}")
    logger.warning("TRANSFER_TEST_TASK_DELAY: pausing %.1f s inside %s", delay, step)
    time.sleep(delay)


def plain_text(value: str, *, multiline: bool = False) -> str:
    """``value`` unchanged, or a DomainError naming the control or bidi character in it."""
    try:
        PlainTextValidator(multiline=multiline)(value)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], code="control_character") from None
    return value


def clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请填写原因，申请人将看到这段说明。"), code="reason_required")
    if len(reason) > 1000:
        raise DomainError(_("原因不能超过1000字。"), code="reason_too_long")
    return plain_text(reason, multiline=True)
