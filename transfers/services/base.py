"""What every service of a case shares: the domain errors, the row lock, the actor and state
checks, the event, and the stages with their due dates."""

import datetime
import logging
import time
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, StaffRole
from core.errors import DomainError, NotAllowed, TransitionNotAllowed
from core.validators import PlainTextValidator
from transfers import pipeline
from transfers.models import (
    CaseEvent,
    Stage,
    StageName,
    TransferCase,
)
from transfers.workflow import MOVES, Actor, CaseStatus

logger = logging.getLogger(__name__)


class EligibilityError(DomainError):
    """The person cannot apply for this transfer; the message says why and what to do."""

    code = "not_eligible"


class AmountMismatch(TransitionNotAllowed):
    """The amount confirmed as received is not the amount remitted."""

    code = "amount_mismatch"


# Who may do each non-system move: (side of the case whose agency acts, role there).
ACTOR_RULES: dict[str, tuple[str, str]] = {
    Actor.TRANSFER_IN_REVIEWER: ("in", StaffRole.REVIEWER),
    Actor.TRANSFER_OUT_REVIEWER: ("out", StaffRole.REVIEWER),
    Actor.TRANSFER_OUT_FINANCE: ("out", StaffRole.FINANCE),
    Actor.TRANSFER_IN_FINANCE: ("in", StaffRole.FINANCE),
}

# Which agency stage (``transfers.calendar`` names) runs while the case waits in each state.
RUNNING_STAGE = {
    CaseStatus.SUBMITTED: StageName.REVIEW,
    CaseStatus.LETTER_SENT: StageName.TRANSFER_OUT,
    CaseStatus.LETTER_RECEIVED: StageName.TRANSFER_OUT,
    CaseStatus.INFO_SHEET_ISSUED: StageName.TRANSFER_OUT,
    CaseStatus.FUNDS_REMITTED: StageName.TRANSFER_IN,
}

CENT = Decimal("0.01")


def _lock(case: TransferCase | int) -> TransferCase:
    """Re-read the case under a row lock (only the case row: ``of=self``)."""
    case_id = case.pk if isinstance(case, TransferCase) else case
    try:
        return (
            TransferCase.objects.select_for_update(of=("self",))
            .select_related(
                "person",
                "from_region",
                "to_region",
                "transfer_in_agency__region",
                "transfer_out_agency__region",
                "from_enrollment",
                "to_enrollment",
            )
            .get(pk=case_id)
        )
    except TransferCase.DoesNotExist:
        raise TransitionNotAllowed(_("申请不存在。")) from None


def _membership(actor):
    try:
        return actor.staff_membership if actor is not None else None
    except ObjectDoesNotExist:
        return None


def _side_agency_id(case: TransferCase, side: str) -> int:
    return case.transfer_in_agency_id if side == "in" else case.transfer_out_agency_id


def _authorize(case: TransferCase, actor, move_name: str) -> Agency | None:
    """Check that ``actor`` may do ``move_name`` on ``case``; return the acting agency."""
    who = MOVES[move_name].who
    if who == Actor.APPLICANT:
        if actor is None or case.person.user_id is None or case.person.user_id != actor.pk:
            raise NotAllowed(_("只有申请人本人可以办理此项。"))
        return None
    side, role = ACTOR_RULES[who]
    membership = _membership(actor)
    if membership is None or membership.agency_id != _side_agency_id(case, side):
        raise NotAllowed(_("该申请不由您所在的经办机构办理此环节。"))
    if membership.role != role:
        raise NotAllowed(
            _("此项须由%(who)s办理。") % {"who": Actor(who).label},
        )
    return membership.agency


def _check_state(case: TransferCase, move_name: str) -> None:
    move = MOVES[move_name]
    if case.status not in move.sources:
        raise TransitionNotAllowed(
            _("申请当前状态为“%(status)s”，不能%(move)s。")
            % {"status": case.get_status_display(), "move": move.label}
        )


def _event(
    case: TransferCase,
    action: str,
    *,
    from_status: str,
    to_status: str,
    actor=None,
    agency: Agency | None = None,
    note: str = "",
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=actor if getattr(actor, "pk", None) else None,
        agency=agency,
        note=note,
    )


def _move(
    case: TransferCase,
    move_name: str,
    *,
    actor=None,
    agency: Agency | None = None,
    note: str = "",
    fields: tuple[str, ...] = (),
) -> CaseEvent:
    """Write the move's target state (and ``fields``), its event, and its follow-ups."""
    _check_state(case, move_name)
    previous = case.status
    case.status = MOVES[move_name].target
    _set_running_due_date(case)
    case.save(update_fields=["status", "current_due_date", "updated_at", *fields])
    event = _event(
        case,
        move_name,
        from_status=previous,
        to_status=case.status,
        actor=actor,
        agency=agency,
        note=note,
    )
    pipeline.after_commit(event)
    return event


def _start_stage(case: TransferCase, name: str, *, now: datetime.datetime) -> Stage:
    from transfers.calendar import stage_due_date

    due = None
    if name != StageName.CERTIFICATE:
        due = stage_due_date(case.insurance, name, started=timezone.localdate(now))
    stage, _created = Stage.objects.get_or_create(
        case=case, name=name, defaults={"started_at": now, "due_date": due}
    )
    return stage


def _complete_stage(case: TransferCase, name: str, *, now: datetime.datetime) -> None:
    Stage.objects.filter(case=case, name=name, completed_at__isnull=True).update(completed_at=now)


def _set_running_due_date(case: TransferCase) -> None:
    """``current_due_date`` is the due date of the agency stage now running (None if none)."""
    running = RUNNING_STAGE.get(case.status)
    if running is None:
        case.current_due_date = None
        return
    stage = Stage.objects.filter(case=case, name=running).only("due_date").first()
    case.current_due_date = stage.due_date if stage else None


def _test_pause(step: str) -> None:
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


def _plain_text(value: str, *, multiline: bool = False) -> str:
    """``value`` unchanged, or a DomainError naming the control or bidi character in it."""
    try:
        PlainTextValidator(multiline=multiline)(value)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], code="control_character") from None
    return value


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请填写原因，申请人将看到这段说明。"), code="reason_required")
    if len(reason) > 1000:
        raise DomainError(_("原因不能超过1000字。"), code="reason_too_long")
    return _plain_text(reason, multiline=True)
