"""Chinese working days and the time limits of each stage of a transfer.

Working days skip weekends and public holidays and include the official make-up working days
(调休). For each day, the first source that knows it decides:

1. the calendar table (``agencies.CalendarDay``), typed in by hand from the State Council's
   yearly notice (国务院办公厅关于部分节假日安排的通知) as soon as it is published;
2. the ``chinesecalendar`` package (the published years up to its release);
3. a year that has entries in the table but not this day: an ordinary day (the notice lists
   every holiday and make-up day of its year);
4. the ``holidays`` package's China calendar: the statutory holidays of any year, without the
   make-up days of years not yet published — an **estimate**;
5. Monday to Friday — an **estimate**.

The first three are official; a due date that counted any day from 4 or 5 is an estimate
(``DueDate.estimated``), shown to the person as 预计. A fallback year is logged once.

Counting convention, used by every function here: a step that starts on ``start`` (whatever
kind of day that is) has its first working day on the first working day *after* ``start``.
``add_working_days(start, n)`` is the n-th such day (the due date: the step is on time if
done by the end of it), and ``working_days_between(start, end)`` counts the working days in
``(start, end]``, so that ``working_days_between(d, add_working_days(d, n)) == n``.

The rules need no database: each function takes the table as ``table`` (date → working day);
without it they read ``agencies.selectors.official_calendar()`` (kept in memory per process).
"""

import datetime
import functools
import logging
from collections.abc import Mapping
from dataclasses import dataclass

import chinese_calendar

from agencies.selectors import official_calendar

logger = logging.getLogger("transfers.calendar")

# Years for which the fallback was already logged (once per process and year is enough).
_warned_years: set[int] = set()

Table = Mapping[datetime.date, bool]
NO_TABLE: Table = {}


@dataclass(frozen=True)
class DueDate:
    date: datetime.date
    estimated: bool  # counted with a day no official schedule knows (预计)


def _check_date(day: datetime.date) -> None:
    # An aware datetime's calendar date depends on the time zone; make callers choose it
    # (timezone.localdate()) instead of silently taking the UTC or naive date.
    if isinstance(day, datetime.datetime):
        raise TypeError("pass a date (e.g. timezone.localdate(dt)), not a datetime")


def official_table() -> Table:
    """The calendar table of ``agencies`` (date → working day), as this process has it."""
    return official_calendar()


def _table(table: Table | None) -> Table:
    return official_table() if table is None else table


@functools.lru_cache(maxsize=64)
def _holidays_year(year: int):
    """The ``holidays`` package's China calendar for ``year``, or None if it has none."""
    try:
        import holidays  # imported on first use: the package loads many countries' modules
    except ImportError:
        return None
    china = holidays.country_holidays("CN", years=year)
    if not china.start_year <= year <= china.end_year:
        return None
    return china


def _chinese_calendar(day: datetime.date) -> bool | None:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


def _warn_once(year: int, source: str) -> None:
    if year in _warned_years:
        return
    _warned_years.add(year)
    logger.warning(
        "No official holiday schedule for %s (neither the calendar table nor chinesecalendar); "
        "counting working days with %s for that year: due dates are estimates. Enter the State "
        "Council's schedule in the back office (节假日安排) once it is published.",
        year,
        source,
    )


def _resolve(day: datetime.date, table: Table) -> tuple[bool, bool]:
    """(working day?, from an official schedule?) for ``day``."""
    if day in table:
        return table[day], True
    known = _chinese_calendar(day)
    if known is not None:
        return known, True
    if any(entry.year == day.year for entry in table):
        return day.weekday() < 5, True
    china = _holidays_year(day.year)
    if china is not None:
        _warn_once(day.year, "the holidays package's statutory holidays (make-up days unknown)")
        return china.is_working_day(day), False
    _warn_once(day.year, "Monday to Friday (holidays and make-up days ignored)")
    return day.weekday() < 5, False


def schedule_published(year: int, *, table: Table | None = None) -> bool:
    """Whether ``year``'s official schedule is known (in the table or in chinesecalendar)."""
    table = _table(table)
    if any(entry.year == year for entry in table):
        return True
    return all(
        _chinese_calendar(day) is not None
        for day in (datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    )


def calendar_knows(day: datetime.date, *, table: Table | None = None) -> bool:
    """Whether an official schedule decides ``day`` (not an estimate)."""
    _check_date(day)
    return _resolve(day, _table(table))[1]


def is_working_day(day: datetime.date, *, table: Table | None = None) -> bool:
    """Working day (make-up days included), by the first source that knows ``day``."""
    _check_date(day)
    return _resolve(day, _table(table))[0]


def due_date(start: datetime.date, n: int, *, table: Table | None = None) -> DueDate:
    """The n-th working day after ``start``, and whether any day counted was an estimate.

    ``n == 0`` returns ``start`` itself; a negative ``n`` is an error.
    """
    _check_date(start)
    if n < 0:
        raise ValueError(f"n must not be negative, got {n}")
    table = _table(table)
    day = start
    estimated = False
    while n:
        day += datetime.timedelta(days=1)
        working, official = _resolve(day, table)
        estimated = estimated or not official
        if working:
            n -= 1
    return DueDate(day, estimated)


def add_working_days(start: datetime.date, n: int, *, table: Table | None = None) -> datetime.date:
    """The n-th working day after ``start`` (the due date of a step started on ``start``)."""
    return due_date(start, n, table=table).date


def working_days_between(
    start: datetime.date, end: datetime.date, *, table: Table | None = None
) -> int:
    """Working days in ``(start, end]``; negative (the same count) when ``end`` is before.

    ``working_days_between(due, today)`` is how many working days a step is overdue.
    """
    _check_date(start)
    _check_date(end)
    if end < start:
        return -working_days_between(end, start, table=table)
    table = _table(table)
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        count += _resolve(day, table)[0]
    return count


# ── time limits: one table for the stage limits and the whole shown to the person ──────────

# Working days per stage, (insurance, stage) → days. Stages:
#   review        transfer-in agency reviews the application and issues the contact letter
#   transfer_out  transfer-out agency issues the info sheet and remits the funds
#   transfer_in   transfer-in agency checks sheet and funds, records the rights (记录个人权益)
STAGES = ("review", "transfer_out", "transfer_in")
STAGE_LIMIT_DEFAULTS: dict[tuple[str, str], int] = {
    # 国办发〔2009〕66号 art. 8: 15 working days each — review; transfer-out processing after
    # the letter arrives; transfer-in completion after the funds arrive (45 in all).
    ("pension", "review"): 15,
    ("pension", "transfer_out"): 15,
    ("pension", "transfer_in"): 15,
    # 医保办发〔2021〕43号: once the application is accepted, the transfer-out agency has 10
    # working days (info sheet and remittance of the personal account balance) and the
    # transfer-in agency 5 to record: 15 in all. The review (校验/受理) has no limit of its own
    # there, so it is counted inside the transfer-out's 10 (3 + 7), not on top of the 15.
    ("medical", "review"): 3,
    ("medical", "transfer_out"): 7,
    ("medical", "transfer_in"): 5,
}

# The pension target promised to the person: places that run the transfer online report
# compressing 66号's 45 working days to 15 (DOMAIN.md "Time limits"); a promise shown, not a
# stage limit. Medical has no separate promise: its target is the sum of its stages (15).
SERVICE_TARGET_WORKING_DAYS = 15


@dataclass(frozen=True)
class TimeLimits:
    """The limits of one insurance: each stage's, the whole (their sum), and the target shown
    to the person (pension: the online promise, at most the whole; medical: the whole)."""

    insurance: str
    review: int
    transfer_out: int
    transfer_in: int
    service_target: int

    @property
    def whole(self) -> int:
        return self.review + self.transfer_out + self.transfer_in

    def stage(self, name: str) -> int:
        if name not in STAGES:
            raise KeyError(f"no time limit for insurance {self.insurance!r}, stage {name!r}")
        return getattr(self, name)


def _setting(name: str, default):
    # Read lazily so this module imports (and works, with the defaults) without Django
    # settings; with settings, a value set there wins.
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        return getattr(settings, name, default)
    except ImproperlyConfigured:
        return default


def _positive_int(value, name: str) -> int:
    from django.core.exceptions import ImproperlyConfigured

    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ImproperlyConfigured(f"{name} must be a positive integer, got {value!r}")
    return value


def stage_limit(insurance: str, stage: str) -> int:
    """Working days allowed for ``stage`` of a transfer of ``insurance``.

    ``settings.TRANSFER_STAGE_LIMITS`` (a dict keyed like ``STAGE_LIMIT_DEFAULTS``) overrides
    the defaults key by key. An unknown (insurance, stage) raises ``KeyError``.
    """
    # str(): TextChoices members hash by name, not by value, so normalise before looking up.
    key = (str(insurance), str(stage))
    overrides = {
        (str(i), str(s)): days for (i, s), days in _setting("TRANSFER_STAGE_LIMITS", {}).items()
    }
    if key in overrides:
        return _positive_int(overrides[key], f"TRANSFER_STAGE_LIMITS[{key!r}]")
    if key in STAGE_LIMIT_DEFAULTS:
        return STAGE_LIMIT_DEFAULTS[key]
    raise KeyError(f"no time limit for insurance {key[0]!r}, stage {key[1]!r}")


def time_limits(insurance: str) -> TimeLimits:
    """The one source of every limit shown or enforced for ``insurance``."""
    from django.core.exceptions import ImproperlyConfigured

    insurance = str(insurance)
    stages = {name: stage_limit(insurance, name) for name in STAGES}
    whole = sum(stages.values())
    if insurance == "pension":
        target = _positive_int(
            _setting("TRANSFER_SERVICE_TARGET_DAYS", SERVICE_TARGET_WORKING_DAYS),
            "TRANSFER_SERVICE_TARGET_DAYS",
        )
        if target > whole:
            raise ImproperlyConfigured(
                f"TRANSFER_SERVICE_TARGET_DAYS ({target}) must not exceed the pension stage "
                f"limits added up ({whole})"
            )
    else:
        target = whole
    return TimeLimits(insurance=insurance, service_target=target, **stages)


def stage_due(
    insurance: str, stage: str, *, started: datetime.date, table: Table | None = None
) -> DueDate:
    """Due date of a stage that started on ``started`` (its limit in working days after it)."""
    return due_date(started, stage_limit(insurance, stage), table=table)


def stage_due_date(insurance: str, stage: str, *, started: datetime.date) -> datetime.date:
    return stage_due(insurance, stage, started=started).date


def service_target_working_days(insurance: str) -> int:
    """The whole-case target shown to the person for ``insurance``."""
    return time_limits(insurance).service_target
