"""Chinese working days and the time limits of each stage of a transfer.

Working days skip weekends and public holidays and include the official make-up working days
(调休), as published by the State Council each year and shipped in the ``chinesecalendar``
package. The package knows a fixed range of years (2004 to the year of its release) and raises
``NotImplementedError`` outside it; there we count Monday–Friday, log a warning once per year,
and carry on: a due date in a year not yet published is an estimate, never a crash.

Counting convention, used by every function here: a step that starts on ``start`` (whatever
kind of day that is) has its first working day on the first working day *after* ``start``.
``add_working_days(start, n)`` is the n-th such day (the due date: the step is on time if
done by the end of it), and ``working_days_between(start, end)`` counts the working days in
``(start, end]``, so that ``working_days_between(d, add_working_days(d, n)) == n``.
"""

import datetime
import logging

import chinese_calendar

logger = logging.getLogger("transfers.calendar")

# Years for which the fallback was already logged (once per process and year is enough).
_warned_years: set[int] = set()

# Working days per stage, (insurance, stage) → days. Stages:
#   review        transfer-in agency reviews the application and issues the contact letter
#   transfer_out  transfer-out agency issues the info sheet and remits the funds
#   transfer_in   transfer-in agency checks sheet and funds, records the rights (记录个人权益)
STAGE_LIMIT_DEFAULTS: dict[tuple[str, str], int] = {
    # 国办发〔2009〕66号 art. 8: 15 working days each — review; transfer-out processing after
    # the letter arrives; transfer-in completion after the funds arrive (45 in all).
    ("pension", "review"): 15,
    ("pension", "transfer_out"): 15,
    ("pension", "transfer_in"): 15,
    # 医保办发〔2021〕43号 sets no national limit for checking and accepting an application
    # (校验/受理); 10 follows Beijing's online-service manual, which tells applicants to look
    # for the acceptance after 10 working days. Configurable.
    ("medical", "review"): 10,
    # 医保办发〔2021〕43号: transfer-out within 10 working days of acceptance (info sheet and
    # remittance of the personal account balance); transfer-in records within 5 working days.
    ("medical", "transfer_out"): 10,
    ("medical", "transfer_in"): 5,
}

# The whole case as promised to the person: places that run the pension transfer online report
# compressing 45 working days to 15 (DOMAIN.md "Time limits"). Shown, not enforced per stage.
SERVICE_TARGET_WORKING_DAYS = 15


def _check_date(day: datetime.date) -> None:
    # An aware datetime's calendar date depends on the time zone; make callers choose it
    # (timezone.localdate()) instead of silently taking the UTC or naive date.
    if isinstance(day, datetime.datetime):
        raise TypeError("pass a date (e.g. timezone.localdate(dt)), not a datetime")


def calendar_knows(day: datetime.date) -> bool:
    """Whether ``chinesecalendar`` has the official schedule for ``day``'s year."""
    _check_date(day)
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def is_working_day(day: datetime.date) -> bool:
    """Official working day (make-up days included); Monday–Friday where the year is unknown."""
    _check_date(day)
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            logger.warning(
                "chinesecalendar has no holiday schedule for %s; counting Monday to Friday as "
                "working days for that year (holidays and make-up days ignored). Upgrade "
                "chinesecalendar once the State Council publishes it.",
                day.year,
            )
        return day.weekday() < 5


def add_working_days(start: datetime.date, n: int) -> datetime.date:
    """The n-th working day after ``start`` (the due date of a step started on ``start``).

    ``n == 0`` returns ``start`` itself; a negative ``n`` is an error.
    """
    _check_date(start)
    if n < 0:
        raise ValueError(f"n must not be negative, got {n}")
    day = start
    while n:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days in ``(start, end]``; negative (the same count) when ``end`` is before.

    ``working_days_between(due, today)`` is how many working days a step is overdue.
    """
    _check_date(start)
    _check_date(end)
    if end < start:
        return -working_days_between(end, start)
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        count += is_working_day(day)
    return count


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


def stage_due_date(insurance: str, stage: str, *, started: datetime.date) -> datetime.date:
    """Due date of a stage that started on ``started`` (its limit in working days after it)."""
    return add_working_days(started, stage_limit(insurance, stage))


def service_target_working_days() -> int:
    """The whole-case target shown to the person (``settings.TRANSFER_SERVICE_TARGET_DAYS``)."""
    return _positive_int(
        _setting("TRANSFER_SERVICE_TARGET_DAYS", SERVICE_TARGET_WORKING_DAYS),
        "TRANSFER_SERVICE_TARGET_DAYS",
    )
