import contextlib
import uuid

from django.core.cache import cache
from django.db import transaction

from agencies import names
from agencies.models import CalendarDay, Region
from agencies.regions import current_regions
from agencies.selectors import CALENDAR_VERSION_KEY, forget_official_calendar


@transaction.atomic
def regions_load() -> int:
    """Load the current GB/T 2260 tree; existing codes keep their online switch. Idempotent."""
    existing = set(Region.objects.values_list("code", flat=True))
    new = [
        Region(
            code=row.code,
            name=row.name,
            level=row.level,
            parent_id=row.parent,
            online_transfer_enabled=row.online_transfer_enabled,
        )
        for row in current_regions()
        if row.code not in existing
    ]
    Region.objects.bulk_create(new, batch_size=1000)  # bulk: no signals, so say it here
    names.invalidate()
    return len(new)


def _calendar_changed() -> None:
    # After commit only: a rolled-back edit must not make other processes reload.
    def bump():
        forget_official_calendar()
        # The cache down: every process reads the table each time (official_calendar).
        with contextlib.suppress(Exception):
            cache.set(CALENDAR_VERSION_KEY, uuid.uuid4().hex, timeout=None)

    transaction.on_commit(bump)


def calendar_day_save(*, day: CalendarDay) -> CalendarDay:
    """Before: ``day`` passed ``full_clean``. After: it is stored and every process counts
    working days with it once the transaction commits."""
    day.save()
    _calendar_changed()
    return day


def calendar_days_delete(*, days: list[CalendarDay]) -> int:
    """Remove entries of the calendar table; every process forgets them on commit."""
    deleted, _by_model = CalendarDay.objects.filter(pk__in=[d.pk for d in days]).delete()
    _calendar_changed()
    return deleted
