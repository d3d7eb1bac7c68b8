"""The working-day calendar table (节假日安排): it decides due dates before chinesecalendar, a
change recomputes the due dates of open cases (with an event), the overdue job then uses the
new dates, and a system check warns when next year has no official schedule.

Dates are hand-computed. 2027 is not published (today is November 2026): without the table the
``holidays`` package gives New Year's Day (Fri Jan 1) and no make-up days. The 2027 table below
is a made-up test schedule, not the real notice."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse

from agencies import services as agency_services
from agencies.models import CalendarDay
from agencies.selectors import forget_official_calendar, official_calendar
from tests.otp_helpers import api_verified, login_verified
from tests.transfers.factories import case_in, make_parties
from transfers import checks, services
from transfers.models import Stage, StageName

pytestmark = pytest.mark.django_db

date = datetime.date
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
SOURCE = "测试用安排（非真实通知）"


@pytest.fixture
def parties(regions):
    return make_parties()


def day(when: date, kind: str, name: str) -> CalendarDay:
    return CalendarDay(date=when, kind=kind, name=name, source=SOURCE)


def letter_sent_on(parties, started: date, *, due: date, estimated: bool = False):
    """A pension case whose transfer-out stage (15 working days) started on ``started``."""
    case = case_in("letter_sent", parties)
    stage = case.stages.get(name=StageName.TRANSFER_OUT)
    stage.started_at = datetime.datetime.combine(started, datetime.time(10), tzinfo=SHANGHAI)
    stage.due_date, stage.due_date_estimated = due, estimated
    stage.save()
    case.current_due_date = due
    case.save(update_fields=["current_due_date"])
    return case


def save_test_2027_schedule(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.working_day_calendar_save(day=day(date(2027, 1, 1), "holiday", "元旦"))
        return services.working_day_calendar_save(day=day(date(2027, 1, 9), "workday", "春节"))


def test_the_table_is_read_once_per_process_until_a_change_is_committed(
    django_assert_num_queries, django_capture_on_commit_callbacks
):
    with django_assert_num_queries(1):
        assert official_calendar() == {}
        assert official_calendar() == {}  # from memory

    with django_capture_on_commit_callbacks(execute=True):
        agency_services.calendar_day_save(day=day(date(2027, 1, 1), "holiday", "元旦"))

    assert official_calendar() == {date(2027, 1, 1): False}


def test_a_stage_running_into_2027_is_recomputed_as_an_estimate_then_from_the_table(
    parties, django_capture_on_commit_callbacks
):
    # Started Mon Dec 21 2026 and stored before this feature with Monday–Friday counting:
    # Dec 22–25, 28–31, Jan 1, Jan 4–8, Jan 11 → 2027-01-11.
    case = letter_sent_on(parties, date(2026, 12, 21), due=date(2027, 1, 11))

    # The holidays package knows New Year's Day: … Jan 4–8 (13), Jan 11, Jan 12 → an estimate.
    assert services.due_dates_recompute() == 1
    stage = case.stages.get(name=StageName.TRANSFER_OUT)
    assert (stage.due_date, stage.due_date_estimated) == (date(2027, 1, 12), True)
    case.refresh_from_db()
    assert case.current_due_date == date(2027, 1, 12)
    event = case.events.get(action="due_date_recomputed")
    assert (event.from_status, event.to_status) == ("letter_sent", "letter_sent")
    assert "2027-01-11 → 2027-01-12（预计）" in event.note

    # The (test) schedule: Jan 1 off, Saturday Jan 9 worked → Jan 4–8 (13), Jan 9, Jan 11.
    assert save_test_2027_schedule(django_capture_on_commit_callbacks) == 1
    stage.refresh_from_db()
    assert (stage.due_date, stage.due_date_estimated) == (date(2027, 1, 11), False)
    case.refresh_from_db()
    assert case.current_due_date == date(2027, 1, 11)
    # One event per change: the estimate; Jan 1 entered (2027 now official, same date);
    # Saturday Jan 9 entered (one day earlier).
    notes = [e.note for e in case.events.filter(action="due_date_recomputed").order_by("id")]
    assert [note.split("：", 1)[1] for note in notes] == [
        "2027-01-11 → 2027-01-12（预计）",
        "2027-01-12（预计） → 2027-01-12",
        "2027-01-12 → 2027-01-11",
    ]


def test_an_unchanged_due_date_logs_nothing(parties):
    # Started Mon Nov 2 2026, inside the published year: Nov 3–6, 9–13, 16–20, 23 → Nov 23.
    case = letter_sent_on(parties, date(2026, 11, 2), due=date(2026, 11, 23))

    assert services.due_dates_recompute() == 0
    assert not case.events.filter(action="due_date_recomputed").exists()


def test_ended_cases_and_completed_stages_keep_their_dates(parties):
    case = case_in("returned", parties)
    stage = case.stages.get(name=StageName.TRANSFER_OUT)
    before = stage.due_date

    assert services.due_dates_recompute() == 0
    stage.refresh_from_db()
    assert stage.due_date == before


def test_the_overdue_job_uses_the_recomputed_dates(parties, django_capture_on_commit_callbacks):
    letter_sent_on(parties, date(2026, 12, 21), due=date(2027, 1, 11))
    services.due_dates_recompute()  # estimate: Jan 12

    assert services.mark_overdue_stages(today=date(2027, 1, 12)) == 0

    save_test_2027_schedule(django_capture_on_commit_callbacks)  # official: Jan 11
    with django_capture_on_commit_callbacks(execute=False):
        assert services.mark_overdue_stages(today=date(2027, 1, 12)) == 1


def test_a_later_date_lifts_an_overdue_mark_that_no_longer_holds(
    parties, django_capture_on_commit_callbacks
):
    case = letter_sent_on(parties, date(2026, 12, 21), due=date(2027, 1, 11))
    Stage.objects.filter(case=case, name=StageName.TRANSFER_OUT).update(
        overdue_marked_at=datetime.datetime(2027, 1, 12, 1, tzinfo=datetime.UTC)
    )

    services.due_dates_recompute(today=date(2027, 1, 12))  # Jan 12: not past on Jan 12

    stage = case.stages.get(name=StageName.TRANSFER_OUT)
    assert stage.due_date == date(2027, 1, 12)
    assert stage.overdue_marked_at is None


def test_deleting_the_schedule_makes_the_dates_estimates_again(
    parties, django_capture_on_commit_callbacks
):
    case = letter_sent_on(parties, date(2026, 12, 21), due=date(2027, 1, 11))
    save_test_2027_schedule(django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        services.working_day_calendar_delete(days=list(CalendarDay.objects.all()))

    stage = case.stages.get(name=StageName.TRANSFER_OUT)
    assert (stage.due_date, stage.due_date_estimated) == (date(2027, 1, 12), True)


def test_saving_in_the_admin_recomputes_open_cases(admin_client, parties):
    case = letter_sent_on(parties, date(2026, 12, 21), due=date(2027, 1, 12), estimated=True)
    data = {"date": "2027-01-09", "kind": "workday", "name": "春节", "source": SOURCE}

    response = admin_client.post(reverse("admin:agencies_calendarday_add"), data, follow=True)

    assert response.status_code == 200
    assert CalendarDay.objects.filter(date=date(2027, 1, 9)).exists()
    assert "1笔在办申请的办理时限已重新计算" in response.content.decode()
    forget_official_calendar()
    # Only Sat Jan 9 entered (the test schedule's other day left out): 2027 now counts as
    # published, Jan 1 an ordinary Friday: Dec 22–25, 28–31, Jan 1, Jan 4–8 (14), Jan 9 (15).
    stage = case.stages.get(name=StageName.TRANSFER_OUT)
    assert (stage.due_date, stage.due_date_estimated) == (date(2027, 1, 9), False)
    assert case.events.filter(action="due_date_recomputed").count() == 1


def test_the_admin_refuses_a_make_up_working_day_on_a_weekday(admin_client):
    data = {"date": "2027-01-08", "kind": "workday", "name": "元旦", "source": SOURCE}

    response = admin_client.post(reverse("admin:agencies_calendarday_add"), data)

    assert response.status_code == 200  # the form again, with the error
    assert "调休上班日应为周六或周日" in response.content.decode()
    assert not CalendarDay.objects.exists()


# ── the person sees 预计 ───────────────────────────────────────────────────────────────────


def test_the_case_page_and_the_api_mark_an_estimated_due_date(client, api_client, parties):
    case = letter_sent_on(parties, date(2026, 12, 21), due=date(2027, 1, 12), estimated=True)
    login_verified(client, case.person.user)

    page = client.get(reverse("transfer-detail", args=[case.serial_no])).content.decode()
    assert '2027-01-12 <span class="badge warn"' in page
    assert "预计" in page

    api_verified(api_client, case.person.user)
    stages = api_client.get(f"/api/v1/transfers/{case.serial_no}/").json()["stages"]
    by_name = {s["name"]: s for s in stages}
    assert by_name["transfer_out"]["due_date"] == "2027-01-12"
    assert by_name["transfer_out"]["due_date_estimated"] is True
    assert by_name["review"]["due_date_estimated"] is False


# ── the system check ───────────────────────────────────────────────────────────────────────


@pytest.fixture
def today_is(monkeypatch):
    def set_today(value: date):
        monkeypatch.setattr(checks.timezone, "localdate", lambda: value)

    return set_today


def test_no_warning_in_october_while_the_current_year_is_published(today_is):
    today_is(date(2026, 10, 31))
    assert checks.check_holiday_schedule() == []


def test_from_1_november_a_missing_next_year_is_a_warning(today_is):
    today_is(date(2026, 11, 1))

    [warning] = checks.check_holiday_schedule()

    assert warning.id == "transfers.W001"
    assert "2027" in warning.msg
    assert "节假日安排" in warning.hint


def test_the_warning_goes_once_next_years_schedule_is_entered(
    today_is, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        agency_services.calendar_day_save(day=day(date(2027, 1, 1), "holiday", "元旦"))
    today_is(date(2026, 11, 26))

    assert checks.check_holiday_schedule() == []


def test_an_unpublished_current_year_warns_all_year(today_is):
    today_is(date(2027, 3, 1))

    [warning] = checks.check_holiday_schedule()
    assert "2027" in warning.msg
