"""Working-day deadlines: marking overdue stages, and recomputing due dates when the calendar
table changes."""

import datetime
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies import services as agency_services
from agencies.models import Agency, CalendarDay
from agencies.selectors import load_official_calendar
from transfers.calendar import Table, stage_due
from transfers.models import Stage, TransferCase
from transfers.services.base import record_event, set_running_due_date
from transfers.workflow import OPEN_STATUSES, STAGE_SIDE, side_agency_id

logger = logging.getLogger(__name__)


def mark_overdue_stages(*, today: datetime.date | None = None) -> int:
    """Mark every running agency stage whose due date has passed (once) and log it on the
    case; the event's follow-up tells the responsible agency. Returns how many were marked."""
    today = today or timezone.localdate()
    now = timezone.now()
    marked = 0
    with transaction.atomic():
        stages = (
            Stage.objects.select_for_update(of=("self",), skip_locked=True)
            .filter(
                completed_at__isnull=True,
                overdue_marked_at__isnull=True,
                due_date__lt=today,
                case__status__in=OPEN_STATUSES,
            )
            .select_related("case")
            .order_by("due_date", "id")
        )
        for stage in stages:
            stage.overdue_marked_at = now
            stage.save(update_fields=["overdue_marked_at"])
            case = stage.case
            record_event(
                case,
                "overdue",
                from_status=case.status,
                to_status=case.status,
                agency=Agency(pk=side_agency_id(case, STAGE_SIDE[stage.name])),
                note=_("%(stage)s已超过办理时限（%(due)s）。")
                % {"stage": stage.get_name_display(), "due": stage.due_date},
            )
            marked += 1
    if marked:
        logger.info("Marked %d overdue stage(s)", marked)
    return marked


def _due_text(day: datetime.date, estimated: bool) -> str:
    return _("%(date)s（预计）") % {"date": day} if estimated else str(day)


def due_dates_recompute(*, table: Table | None = None, today: datetime.date | None = None) -> int:
    """Recompute the due date of every running agency stage of an open case from its start
    and the calendar (``table``, else the one in force). A case whose dates changed gets one
    event listing them and its ``current_due_date`` refreshed; a stage marked overdue whose new
    date is not past yet is unmarked, so the overdue job judges it by the new date. Returns how
    many cases changed."""
    table = load_official_calendar() if table is None else table
    today = today or timezone.localdate()
    case_ids = sorted(
        set(
            Stage.objects.filter(
                completed_at__isnull=True,
                due_date__isnull=False,
                case__status__in=OPEN_STATUSES,
            ).values_list("case_id", flat=True)
        )
    )
    changed = 0
    for case_id in case_ids:  # one case at a time, in id order: short locks, no deadlock
        with transaction.atomic():
            case = (
                TransferCase.objects.select_for_update(of=("self",))
                .filter(pk=case_id, status__in=OPEN_STATUSES)
                .first()
            )
            if case is None:
                continue
            lines = []
            for stage in case.stages.filter(completed_at__isnull=True, due_date__isnull=False):
                new = stage_due(
                    case.insurance,
                    stage.name,
                    started=timezone.localdate(stage.started_at),
                    table=table,
                )
                if (new.date, new.estimated) == (stage.due_date, stage.due_date_estimated):
                    continue
                lines.append(
                    _("%(stage)s：%(old)s → %(new)s")
                    % {
                        "stage": stage.get_name_display(),
                        "old": _due_text(stage.due_date, stage.due_date_estimated),
                        "new": _due_text(new.date, new.estimated),
                    }
                )
                stage.due_date, stage.due_date_estimated = new.date, new.estimated
                fields = ["due_date", "due_date_estimated"]
                if stage.overdue_marked_at is not None and new.date >= today:
                    stage.overdue_marked_at = None
                    fields.append("overdue_marked_at")
                stage.save(update_fields=fields)
            if not lines:
                continue
            set_running_due_date(case)
            case.save(update_fields=["current_due_date", "updated_at"])
            record_event(
                case,
                "due_date_recomputed",
                from_status=case.status,
                to_status=case.status,
                note="；".join(lines),
            )
            changed += 1
    if changed:
        logger.info("Calendar changed: due dates recomputed for %d open case(s)", changed)
    return changed


def working_day_calendar_save(*, day: CalendarDay, actor=None) -> int:
    """Before: ``day`` passed ``full_clean``. After: it is stored, and every open stage's due
    date follows the new calendar (``due_dates_recompute``). Returns the cases changed."""
    with transaction.atomic():
        agency_services.calendar_day_save(day=day)
    logger.info("Calendar day %s saved by %s", day.date, getattr(actor, "pk", None))
    return due_dates_recompute()


def working_day_calendar_delete(*, days: list[CalendarDay], actor=None) -> int:
    """Remove entries of the calendar table, then recompute open due dates as above."""
    with transaction.atomic():
        agency_services.calendar_days_delete(days=days)
    logger.info("%d calendar day(s) deleted by %s", len(days), getattr(actor, "pk", None))
    return due_dates_recompute()


def working_day_calendar_decide(*, proposal, actor, publish: bool) -> int:
    """A superuser publishes (or sets aside) a supervisor's proposed calendar day; once it is
    in the table, every open stage's due date follows it. Returns the cases changed."""
    agency_services.calendar_proposal_decide(proposal=proposal, actor=actor, publish=publish)
    return due_dates_recompute() if publish else 0
