"""Chinese working days and stage limits: pure, no database.

The 2026 schedules below were read from chinesecalendar 1.11.0's data (constants.py), which
follows the State Council notice for 2026: Spring Festival off Feb 15–23 with make-up working
Saturdays Feb 14 and Feb 28; Mid-Autumn off Sep 25–27; National Day off Oct 1–7 with make-up
working Sunday Sep 20 and Saturday Oct 10.
"""

import datetime
import logging

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import strategies as st

from agencies.models import Insurance
from transfers import calendar
from transfers.calendar import (
    STAGE_LIMIT_DEFAULTS,
    add_working_days,
    calendar_knows,
    is_working_day,
    service_target_working_days,
    stage_due_date,
    stage_limit,
    working_days_between,
)

date = datetime.date


@pytest.fixture
def fresh_warnings(monkeypatch):
    """Forget which fallback years were already logged, so this test sees its warning."""
    monkeypatch.setattr(calendar, "_warned_years", set())


def days(start: date, end: date) -> list[date]:
    return [start + datetime.timedelta(n) for n in range((end - start).days + 1)]


def test_spring_festival_2026_schedule_follows_the_package():
    off = [d for d in days(date(2026, 2, 10), date(2026, 3, 3)) if not is_working_day(d)]

    # Feb 15–23 off; Sat Feb 14 and Sat Feb 28 are worked; Sun Mar 1 is an ordinary Sunday.
    assert off == [*days(date(2026, 2, 15), date(2026, 2, 23)), date(2026, 3, 1)]


def test_add_working_days_skips_the_2026_spring_festival():
    start = date(2026, 2, 13)  # Friday before the holiday

    assert add_working_days(start, 1) == date(2026, 2, 14)  # make-up Saturday
    assert add_working_days(start, 2) == date(2026, 2, 24)  # first day back
    assert add_working_days(start, 6) == date(2026, 2, 28)  # second make-up Saturday
    assert add_working_days(start, 7) == date(2026, 3, 2)
    # Feb 14, 24, 25, 26, 27, 28, Mar 2, 3, 4, 5, 6, 9, 10, 11, 12
    assert add_working_days(start, 15) == date(2026, 3, 12)
    assert working_days_between(start, date(2026, 3, 12)) == 15


def test_add_working_days_skips_national_day_2026():
    # Thu Sep 24: Mid-Autumn Sep 25–27 off, Sep 28–30 worked, Oct 1–7 off, Oct 8–10 worked.
    start = date(2026, 9, 24)

    assert add_working_days(start, 1) == date(2026, 9, 28)
    assert add_working_days(start, 3) == date(2026, 9, 30)
    assert add_working_days(start, 4) == date(2026, 10, 8)
    assert add_working_days(start, 6) == date(2026, 10, 10)  # make-up Saturday
    assert add_working_days(start, 7) == date(2026, 10, 12)
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 8)) == 1


def test_make_up_weekend_days_count_as_working_days():
    assert is_working_day(date(2026, 2, 14))  # Saturday
    assert is_working_day(date(2026, 2, 28))  # Saturday
    assert is_working_day(date(2026, 9, 20))  # Sunday
    assert is_working_day(date(2026, 10, 10))  # Saturday
    assert not is_working_day(date(2026, 2, 16))  # Monday in the Spring Festival
    assert not is_working_day(date(2026, 10, 7))  # Wednesday in National Day


def test_step_started_on_a_holiday_counts_from_the_next_working_day():
    assert add_working_days(date(2026, 10, 3), 1) == date(2026, 10, 8)
    assert add_working_days(date(2026, 10, 3), 0) == date(2026, 10, 3)


def test_working_days_between_is_negative_when_end_is_before_start():
    assert working_days_between(date(2026, 3, 12), date(2026, 2, 13)) == -15
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 13)) == 0


def test_unknown_year_falls_back_to_monday_to_friday_and_logs_once(fresh_warnings, caplog):
    caplog.set_level(logging.WARNING, logger="transfers.calendar")

    assert not calendar_knows(date(2031, 1, 1))
    assert is_working_day(date(2031, 1, 1))  # a Wednesday; the real New Year holiday is unknown
    assert not is_working_day(date(2031, 1, 4))  # Saturday
    assert add_working_days(date(2031, 1, 3), 1) == date(2031, 1, 6)  # Fri → Mon
    assert working_days_between(date(2031, 1, 3), date(2031, 1, 10)) == 5

    warnings = [r for r in caplog.records if r.name == "transfers.calendar"]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING
    assert "2031" in warnings[0].getMessage()


def test_due_date_running_into_an_unpublished_year_does_not_crash(fresh_warnings):
    due = add_working_days(date(2026, 12, 21), 15)

    assert due.year == 2027
    assert is_working_day(due)
    assert working_days_between(date(2026, 12, 21), due) == 15


def test_calendar_functions_refuse_a_datetime():
    moment = datetime.datetime(2026, 2, 14, 9, tzinfo=datetime.UTC)

    with pytest.raises(TypeError, match="date"):
        is_working_day(moment)
    with pytest.raises(TypeError, match="date"):
        add_working_days(moment, 1)


def test_add_working_days_refuses_a_negative_count():
    with pytest.raises(ValueError, match="negative"):
        add_working_days(date(2026, 2, 13), -1)


def test_stage_limits_default_to_the_national_rules():
    assert stage_limit("pension", "review") == 15
    assert stage_limit("pension", "transfer_out") == 15
    assert stage_limit("pension", "transfer_in") == 15
    assert stage_limit(Insurance.MEDICAL, "review") == 10
    assert stage_limit(Insurance.MEDICAL, "transfer_out") == 10
    assert stage_limit(Insurance.MEDICAL, "transfer_in") == 5
    assert service_target_working_days() == 15


def test_stage_limits_are_overridden_from_settings(settings):
    settings.TRANSFER_STAGE_LIMITS = {("medical", "review"): 3, (Insurance.PENSION, "review"): 5}
    settings.TRANSFER_SERVICE_TARGET_DAYS = 20

    assert stage_limit("medical", "review") == 3
    assert stage_limit(Insurance.PENSION, "review") == 5
    assert stage_limit("pension", "transfer_out") == 15  # not overridden
    assert service_target_working_days() == 20
    # Feb 14 (make-up Saturday), Feb 24, Feb 25
    assert stage_due_date("medical", "review", started=date(2026, 2, 13)) == date(2026, 2, 25)


def test_a_wrong_stage_limit_setting_fails_loudly_with_its_name(settings):
    settings.TRANSFER_STAGE_LIMITS = {("pension", "review"): 0}

    with pytest.raises(ImproperlyConfigured, match="TRANSFER_STAGE_LIMITS"):
        stage_limit("pension", "review")


def test_an_unknown_stage_has_no_limit():
    with pytest.raises(KeyError):
        stage_limit("pension", "lunch")
    assert ("medical", "lunch") not in STAGE_LIMIT_DEFAULTS


# --- properties -------------------------------------------------------------------------

# 2004 is the package's first year; up to 2032 covers the fallback years too.
any_date = st.dates(date(2004, 1, 1), date(2032, 12, 31))


@given(any_date, st.integers(min_value=1, max_value=60))
def test_due_date_is_a_working_day_n_working_days_later(start, n):
    due = add_working_days(start, n)

    assert is_working_day(due)
    assert working_days_between(start, due) == n
    assert working_days_between(start, due - datetime.timedelta(days=1)) == n - 1
