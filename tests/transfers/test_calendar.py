"""Chinese working days and stage limits: pure, no database (the calendar table is passed in,
or empty: see the ``no_table`` fixture; the table itself is tested in test_calendar_table.py).

The 2026 schedules below were read from chinesecalendar 1.11.0's data (constants.py), which
follows the State Council notice for 2026: Spring Festival off Feb 15–23 with make-up working
Saturdays Feb 14 and Feb 28; Mid-Autumn off Sep 25–27; National Day off Oct 1–7 with make-up
working Sunday Sep 20 and Saturday Oct 10.

2027 is not published (today is November 2026): the ``holidays`` package gives its statutory
holidays — New Year's Day Fri Jan 1; Spring Festival Fri Feb 5 (eve) to Wed Feb 10 — without
make-up days. Tables marked "test schedule" are made up for the tests, not the real notice.
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
    NO_TABLE,
    STAGE_LIMIT_DEFAULTS,
    STAGES,
    DueDate,
    add_working_days,
    calendar_knows,
    due_date,
    is_working_day,
    schedule_published,
    service_target_working_days,
    stage_due,
    stage_due_date,
    stage_limit,
    time_limits,
    working_days_between,
)

date = datetime.date


@pytest.fixture(autouse=True)
def no_table(monkeypatch):
    """No calendar table (nothing typed in): these rules run without a database."""
    monkeypatch.setattr(calendar, "official_table", lambda: NO_TABLE)


@pytest.fixture
def without_holidays_package(monkeypatch):
    """As if the ``holidays`` package knew nothing: the last fallback, Monday to Friday."""
    monkeypatch.setattr(calendar, "_holidays_year", lambda year: None)


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


def test_unpublished_year_uses_the_holidays_package_and_logs_once(fresh_warnings, caplog):
    caplog.set_level(logging.WARNING, logger="transfers.calendar")

    assert not calendar_knows(date(2027, 1, 1))
    assert not is_working_day(date(2027, 1, 1))  # Friday, New Year's Day
    assert not is_working_day(date(2027, 2, 8))  # Monday in the Spring Festival
    assert is_working_day(date(2027, 1, 4))  # Monday
    assert add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)  # Thu → Mon

    warnings = [r for r in caplog.records if r.name == "transfers.calendar"]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING
    assert "2027" in warnings[0].getMessage()


def test_a_2027_due_date_does_not_land_on_the_spring_festival():
    # Thu Feb 4: Feb 5 (eve) off, Feb 6–7 weekend, Feb 8–10 off.
    assert due_date(date(2027, 2, 4), 1) == DueDate(date(2027, 2, 11), estimated=True)


def test_due_date_running_into_an_unpublished_year_is_an_estimate_skipping_new_year():
    # Mon Dec 21: Dec 22–25 (4), Dec 28–31 (8), Jan 1 off, Jan 4–8 (13), Jan 11 (14), Jan 12.
    due = due_date(date(2026, 12, 21), 15)

    assert due == DueDate(date(2027, 1, 12), estimated=True)
    assert working_days_between(date(2026, 12, 21), due.date) == 15


def test_a_due_date_inside_a_published_year_is_not_an_estimate():
    # Fri Feb 13 2026 + 15 working days (see above) = Thu Mar 12.
    assert due_date(date(2026, 2, 13), 15) == DueDate(date(2026, 3, 12), estimated=False)
    assert due_date(date(2026, 12, 30), 1) == DueDate(date(2026, 12, 31), estimated=False)


def test_without_any_calendar_monday_to_friday_is_the_last_estimate(
    without_holidays_package, fresh_warnings, caplog
):
    caplog.set_level(logging.WARNING, logger="transfers.calendar")
    # Jan 1 2027 counted as a working day now: Dec 22–25, 28–31, Jan 1, Jan 4–8, Jan 11.
    assert due_date(date(2026, 12, 21), 15) == DueDate(date(2027, 1, 11), estimated=True)
    assert is_working_day(date(2027, 1, 1))
    assert not is_working_day(date(2027, 1, 2))  # Saturday
    assert "Monday to Friday" in caplog.records[0].getMessage()


# A test schedule for 2027 (made up: New Year's Day off, Saturday Jan 9 worked).
TEST_2027 = {date(2027, 1, 1): False, date(2027, 1, 9): True}


def test_the_calendar_table_makes_a_year_official():
    # Dec 22–25 (4), Dec 28–31 (8), Jan 4–8 (13), Sat Jan 9 (14), Mon Jan 11 (15).
    assert due_date(date(2026, 12, 21), 15, table=TEST_2027) == DueDate(
        date(2027, 1, 11), estimated=False
    )
    # A day of that year not in the table is an ordinary day: Feb 8 2027 is a Monday.
    assert is_working_day(date(2027, 2, 8), table=TEST_2027)
    assert calendar_knows(date(2027, 2, 8), table=TEST_2027)


def test_the_calendar_table_comes_before_chinesecalendar():
    # Test schedule: as if Saturday Oct 10 2026 were no longer a make-up working day.
    table = {date(2026, 10, 10): False}

    assert is_working_day(date(2026, 10, 10))
    assert not is_working_day(date(2026, 10, 10), table=table)
    assert add_working_days(date(2026, 10, 9), 1, table=table) == date(2026, 10, 12)


def test_a_schedule_is_published_when_the_table_or_chinesecalendar_has_it():
    assert schedule_published(2026)
    assert not schedule_published(2027)
    assert schedule_published(2027, table=TEST_2027)


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
    # 43号: transfer-out 10 from acceptance, the review counted inside them (3 + 7), then 5.
    assert stage_limit(Insurance.MEDICAL, "review") == 3
    assert stage_limit(Insurance.MEDICAL, "transfer_out") == 7
    assert stage_limit(Insurance.MEDICAL, "transfer_in") == 5
    assert service_target_working_days("pension") == 15
    assert service_target_working_days("medical") == 15


def test_pension_limits_add_up_to_the_45_days_of_66hao_with_the_15_day_online_target():
    limits = time_limits("pension")

    assert (limits.review, limits.transfer_out, limits.transfer_in) == (15, 15, 15)
    assert limits.whole == 45
    assert limits.service_target == 15


def test_medical_limits_add_up_to_the_15_day_target_with_the_review_inside():
    limits = time_limits(Insurance.MEDICAL)

    assert limits.review + limits.transfer_out == 10  # 43号: transfer-out 10 from acceptance
    assert limits.transfer_in == 5
    assert limits.whole == limits.service_target == 15


@pytest.mark.parametrize("insurance", ["pension", "medical"])
def test_the_target_shown_never_exceeds_the_stage_limits_added_up(insurance):
    limits = time_limits(insurance)

    assert limits.whole == sum(stage_limit(insurance, name) for name in STAGES)
    assert limits.service_target <= limits.whole
    if insurance == "medical":
        assert limits.service_target == limits.whole


def test_a_medical_case_using_every_stage_limit_ends_on_the_target_date():
    # Submitted Mon Mar 2 2026. Review 3: Mar 3, 4, 5. Transfer-out 7 from Thu Mar 5: Mar 6,
    # 9–13, 16. Transfer-in 5 from Mon Mar 16: Mar 17–20, 23. Target 15 from Mar 2: Mar 23.
    submitted = date(2026, 3, 2)
    review = stage_due("medical", "review", started=submitted).date
    out = stage_due("medical", "transfer_out", started=review).date
    recorded = stage_due("medical", "transfer_in", started=out).date

    assert (review, out, recorded) == (date(2026, 3, 5), date(2026, 3, 16), date(2026, 3, 23))
    assert add_working_days(submitted, time_limits("medical").service_target) == recorded


def test_medical_target_follows_a_stage_override(settings):
    settings.TRANSFER_STAGE_LIMITS = {("medical", "transfer_in"): 7}

    assert time_limits("medical").service_target == 17


def test_a_pension_target_longer_than_the_stages_fails_loudly(settings):
    settings.TRANSFER_SERVICE_TARGET_DAYS = 46

    with pytest.raises(ImproperlyConfigured, match="TRANSFER_SERVICE_TARGET_DAYS"):
        time_limits("pension")


def test_stage_limits_are_overridden_from_settings(settings):
    settings.TRANSFER_STAGE_LIMITS = {("medical", "review"): 3, (Insurance.PENSION, "review"): 5}
    settings.TRANSFER_SERVICE_TARGET_DAYS = 20

    assert stage_limit("medical", "review") == 3
    assert stage_limit(Insurance.PENSION, "review") == 5
    assert stage_limit("pension", "transfer_out") == 15  # not overridden
    assert service_target_working_days("pension") == 20
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
