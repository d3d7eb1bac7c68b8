"""Working-day deadlines: marking overdue stages."""

import datetime
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency
from transfers.models import (
    Stage,
    StageName,
)
from transfers.services.base import (
    _event,
)
from transfers.workflow import OPEN_STATUSES

logger = logging.getLogger(__name__)


def mark_overdue_stages(*, today: datetime.date | None = None) -> int:
    """Mark every running agency stage whose due date has passed (once), log it on the case,
    and tell the responsible agency on commit. Returns how many stages were marked."""
    from transfers import tasks

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
            agency_id = (
                case.transfer_out_agency_id
                if stage.name == StageName.TRANSFER_OUT
                else case.transfer_in_agency_id
            )
            _event(
                case,
                "overdue",
                from_status=case.status,
                to_status=case.status,
                agency=Agency(pk=agency_id),
                note=_("%(stage)s已超过办理时限（%(due)s）。")
                % {"stage": stage.get_name_display(), "due": stage.due_date},
            )
            tasks.notify_overdue_stage.delay_on_commit(stage.pk)
            marked += 1
    if marked:
        logger.info("Marked %d overdue stage(s)", marked)
    return marked
