"""Working-day deadlines: marking overdue stages (its event tells the responsible agency)."""

import datetime
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency
from transfers.models import Stage
from transfers.services.base import record_event
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
