"""System checks of the transfers app."""

from django.core.checks import Warning
from django.db import DatabaseError
from django.utils import timezone

from transfers.calendar import NO_TABLE, official_table, schedule_published

# From this month on, next year's schedule should be in (the State Council usually publishes
# it in late October or November).
WARN_FROM_MONTH = 11


def check_holiday_schedule(app_configs=None, **kwargs):
    """Warn when due dates will be estimates: from 1 November for next year, and any time for
    the current year, when no official schedule (table or chinesecalendar) is known."""
    try:
        table = official_table()
    except DatabaseError:  # not migrated yet, or no database: judge by chinesecalendar alone
        table = NO_TABLE
    today = timezone.localdate()
    years = [today.year]
    if today.month >= WARN_FROM_MONTH:
        years.append(today.year + 1)
    missing = [year for year in years if not schedule_published(year, table=table)]
    if not missing:
        return []
    return [
        Warning(
            f"No official holiday schedule for {', '.join(map(str, missing))}: due dates in "
            "that year are estimates (statutory holidays from the holidays package, make-up "
            "working days unknown).",
            hint="Enter the State Council's notice in the admin (节假日安排) once it is "
            "published, or upgrade chinesecalendar.",
            id="transfers.W001",
        )
    ]
