"""The workbench's charts read rolled day rows (``transfers.figures``) for closed days and
count the last two days live. Whatever the dates, the charts must say what a clerk would count
by hand from the cases: every case, stage, yuan and move in the window exactly once, before
and after the days roll, and however many times they roll."""

import datetime
import statistics
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.transfers.factories import case_in, make_parties
from transfers import figures, workbench
from transfers.calendar import working_days_between
from transfers.models import CaseEvent, DailyFigures, FundRemittance, Stage, TransferCase
from transfers.tasks import roll_daily_figures_task
from transfers.workflow import StageName

pytestmark = pytest.mark.django_db

POOL = 5


@pytest.fixture
def pool(regions):
    parties = make_parties()
    cases = [case_in("completed", parties) for _ in range(POOL)]
    for case in cases:
        CaseEvent.objects.create(
            case=case,
            action="accept",
            actor=parties.in_reviewer,
            agency=parties.in_agency,
            dispatched_at=timezone.now(),
        )
    return parties, cases


def at(day: datetime.date, hour: int) -> datetime.datetime:
    """A local time on ``day``; 0 and 23 (23:59) probe the day's edges in Asia/Shanghai."""
    minute = 59 if hour == 23 else 0
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


# Days back from today, leaning on the edges: the live days (0-2), the 30-day, 180-day and
# year windows.
days_back = st.one_of(
    st.sampled_from([0, 1, 2, 3, 4, 29, 30, 31, 179, 180, 181, 364, 365]), st.integers(0, 400)
)
case_dates = st.fixed_dictionaries(
    {
        "submitted": days_back,
        "review_start": days_back,
        "review_days": st.integers(0, 30),
        "paid": days_back,
        "received": st.one_of(st.none(), days_back),
        "accepted": days_back,
        "hour": st.sampled_from([0, 9, 23]),
    }
)


def place(cases, dates, today):
    """Move each case's timestamps to the drawn days (days back from ``today``)."""
    for case, drawn in zip(cases, dates, strict=True):

        def back(days, hour=drawn["hour"]):
            return at(today - datetime.timedelta(days=days), hour)

        TransferCase.objects.filter(pk=case.pk).update(submitted_at=back(drawn["submitted"]))
        started = back(drawn["review_start"])
        completed = min(started + datetime.timedelta(days=drawn["review_days"]), at(today, 9))
        Stage.objects.filter(case=case, name=StageName.REVIEW).update(
            started_at=started, completed_at=completed
        )
        FundRemittance.objects.filter(case=case).update(
            paid_at=back(drawn["paid"]),
            received_at=None if drawn["received"] is None else back(drawn["received"]),
        )
        CaseEvent.objects.filter(case=case, action="accept").update(
            created_at=back(drawn["accepted"])
        )


def by_hand(cases, parties, today):
    """What a clerk of the transfer-in agency counts from the cases, in plain Python."""
    cases = list(
        TransferCase.objects.filter(pk__in=[c.pk for c in cases]).select_related("remittance")
    )
    monday = today - datetime.timedelta(days=today.weekday())
    first_week = monday - datetime.timedelta(weeks=11)
    weeks = Counter()
    received_by_month = defaultdict(Decimal)
    remitted_by_month = defaultdict(Decimal)
    for case in cases:
        day = timezone.localdate(case.submitted_at)
        if first_week <= day <= today:
            weeks[day - datetime.timedelta(days=day.weekday())] += 1
        if case.remittance.received_at:
            received_by_month[
                timezone.localdate(case.remittance.received_at).strftime("%Y-%m")
            ] += case.remittance.amount
        remitted_by_month[timezone.localdate(case.remittance.paid_at).strftime("%Y-%m")] += (
            case.remittance.amount
        )
    reviews = [
        working_days_between(timezone.localdate(s.started_at), timezone.localdate(s.completed_at))
        for s in Stage.objects.filter(case__in=cases, name=StageName.REVIEW)
        if timezone.localdate(s.completed_at) >= today - datetime.timedelta(days=180)
    ]
    moves = sum(
        1
        for event in CaseEvent.objects.filter(case__in=cases, action="accept")
        if timezone.localdate(event.created_at) >= today - datetime.timedelta(days=30)
    )
    return weeks, received_by_month, remitted_by_month, reviews, moves


def assert_charts_match(parties, cases, today):
    weeks, received, remitted, reviews, moves = by_hand(cases, parties, today)
    data = workbench.workbench(clerk=parties.in_supervisor.staff_membership, today=today)
    monday = today - datetime.timedelta(days=today.weekday())
    expected_weeks = [
        (w.strftime("%m-%d"), weeks[w])
        for w in (monday - datetime.timedelta(weeks=11 - i) for i in range(12))
    ]
    assert data["weeks"] == expected_weeks
    assert {row["month"]: row["received"] for row in data["money"] if row["received"]} == {
        month: total
        for month, total in received.items()
        if month in {r["month"] for r in data["money"]}
    }
    review = next(row for row in data["durations"] if row["stage"] == StageName.REVIEW)
    assert review["count"] == len(reviews)
    if reviews:
        assert review["median"] == float(statistics.median(reviews))
        p90 = (
            float(reviews[0])
            if len(reviews) == 1
            else float(statistics.quantiles(sorted(reviews), n=100, method="inclusive")[89])
        )
        assert review["p90"] == pytest.approx(p90)
    assert data["per_clerk"] == ([(parties.in_reviewer.username, moves)] if moves else [])

    out = workbench.workbench(clerk=parties.out_finance.staff_membership, today=today)
    assert {row["month"]: row["remitted"] for row in out["money"] if row["remitted"]} == {
        month: total
        for month, total in remitted.items()
        if month in {r["month"] for r in out["money"]}
    }


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(dates=st.lists(case_dates, min_size=POOL, max_size=POOL), later=st.integers(0, 9))
def test_rolled_and_live_days_add_up_to_what_a_clerk_counts(pool, dates, later):
    parties, cases = pool
    today = timezone.localdate()
    with transaction.atomic():
        place(cases, dates, today)
        # The first view rolls the closed days; the same view a few days later rolls more (the
        # days that were live before) and must still count every case exactly once.
        assert_charts_match(parties, cases, today)
        assert_charts_match(parties, cases, today + datetime.timedelta(days=later))
        # Viewing again rolls nothing more: one row per agency and day, the same charts.
        rows = DailyFigures.objects.count()
        assert_charts_match(parties, cases, today + datetime.timedelta(days=later))
        assert DailyFigures.objects.count() == rows
        transaction.set_rollback(True)


def test_a_closed_day_is_rolled_once_with_a_row_for_the_whole(pool):
    parties, cases = pool
    today = timezone.localdate()
    long_ago = at(today - datetime.timedelta(days=40), 10)
    TransferCase.objects.filter(pk=cases[0].pk).update(submitted_at=long_ago)

    assert figures.roll(today=today) == figures.WINDOW_DAYS - figures.LIVE_DAYS + 1
    day = long_ago.date()
    rows = {row.agency_id: row for row in DailyFigures.objects.filter(day=day)}
    # Both parties count the case; the whole counts it once.
    assert rows[None].received == 1
    assert rows[parties.in_agency.pk].received == 1
    assert rows[parties.out_agency.pk].received == 1
    # Every closed day has its marker row, even an empty one, and a second roll adds nothing.
    assert DailyFigures.objects.filter(agency=None).count() == figures.WINDOW_DAYS - 1
    assert roll_daily_figures_task() == 0
    call_command("roll_daily_figures", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert DailyFigures.objects.filter(agency=None).count() == figures.WINDOW_DAYS - 1


def test_todays_work_shows_at_once(pool):
    """The last days are live: a case submitted a minute ago is in this week's bar."""
    parties, _cases = pool
    today = timezone.localdate()
    before = workbench.workbench(clerk=parties.in_supervisor.staff_membership, today=today)
    case_in("submitted", parties)
    after = workbench.workbench(clerk=parties.in_supervisor.staff_membership, today=today)
    assert after["weeks"][-1][1] == before["weeks"][-1][1] + 1


def test_the_superuser_sees_every_agency_once(pool):
    _parties, _cases = pool
    today = timezone.localdate()
    data = workbench.workbench(clerk=None, today=today)
    assert sum(n for _label, n in data["weeks"]) == POOL  # not twice (two parties)
    assert data["per_clerk"] is None


@pytest.mark.parametrize("size", [3, 12])
def test_the_workbench_reads_the_same_number_of_queries_at_any_history(
    size, pool, django_assert_num_queries
):
    """Rolled history costs no extra query: two sizes, the same count."""
    parties, _cases = pool
    today = timezone.localdate()
    for i in range(size):
        case = case_in("completed", parties)
        TransferCase.objects.filter(pk=case.pk).update(
            submitted_at=at(today - datetime.timedelta(days=10 + i * 7), 10)
        )
    figures.roll(today=today)
    clerk = parties.in_supervisor.staff_membership
    # queues, overdue, rolled days' markers, the agency's rows, and five live counts
    with django_assert_num_queries(9):
        workbench.workbench(clerk=clerk, today=today)
