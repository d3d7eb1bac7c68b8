"""The workbench's day-by-day figures: cases received, stage durations, money paid out and
confirmed, and each clerk's moves, per agency and day.

Closed days are rolled once into ``DailyFigures`` rows (by the nightly task, or by the first
workbench view that finds a day missing); the charts then read a few hundred rows whatever
the number of cases. The last two days are always counted live from the cases: a move that
committed just after midnight is still counted on the day its timestamp says.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from transfers.calendar import official_table, working_days_between
from transfers.models import CaseEvent, DailyFigures, FundRemittance, Stage, TransferCase
from transfers.workflow import CLERK_MOVES, StageName

AGENCY_STAGES = (StageName.REVIEW, StageName.TRANSFER_OUT, StageName.TRANSFER_IN)
# Days counted live, today included: the rest of the window is read from DailyFigures.
LIVE_DAYS = 2
# Everything the workbench charts: 12 weeks, 180 days, 12 months, 30 days.
WINDOW_DAYS = 366
EVERY_AGENCY = "every agency"


@dataclass
class Day:
    received: int = 0
    remitted: Decimal = Decimal("0.00")
    confirmed: Decimal = Decimal("0.00")
    # {stage: {insurance: Counter({working days: stages})}}
    durations: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(Counter)))
    moves: Counter = field(default_factory=Counter)

    def add(self, other: "Day") -> None:
        self.received += other.received
        self.remitted += other.remitted
        self.confirmed += other.confirmed
        for stage, kinds in other.durations.items():
            for insurance, histogram in kinds.items():
                self.durations[stage][insurance].update(histogram)
        self.moves.update(other.moves)


def _bounds(first: datetime.date, last: datetime.date) -> tuple[datetime.datetime, ...]:
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time()))
    end = timezone.make_aware(
        datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time())
    )
    return start, end


def _keys(scope, agency) -> tuple:
    """Where a figure of ``agency`` counts: its own row and the whole's when rolling, else the
    one row asked for."""
    return (agency, None) if scope == EVERY_AGENCY else (scope,)


def tally(first: datetime.date, last: datetime.date, *, scope) -> dict:
    """Count the days ``first``..``last`` from the cases themselves.

    ``scope`` is an agency's pk (its figures only), None (every agency together), or
    ``EVERY_AGENCY`` (each agency's and the whole's, for rolling). Returns
    ``{(agency pk or None, day): Day}``; a day with nothing to count has no entry."""
    start, end = _bounds(first, last)
    days: dict = defaultdict(Day)
    one = scope not in (None, EVERY_AGENCY)

    def day_of(value):
        return value if isinstance(value, datetime.date) else timezone.localdate(value)

    # Received: a case counts for both its parties, and once for the whole.
    cases = TransferCase.objects.order_by().filter(submitted_at__gte=start, submitted_at__lt=end)
    by_day = cases.annotate(day=TruncDate("submitted_at")).values("day")
    if one:
        for row in (
            by_day.filter(Q(transfer_in_agency=scope) | Q(transfer_out_agency=scope))
            .annotate(n=Count("pk"))
            .values_list("day", "n")
        ):
            days[(scope, day_of(row[0]))].received += row[1]
    else:
        for day, n in by_day.annotate(n=Count("pk")).values_list("day", "n"):
            days[(None, day_of(day))].received += n
    if scope == EVERY_AGENCY:
        for side, others in (("in", {}), ("out", {"transfer_in_agency": F("transfer_out_agency")})):
            rows = (
                by_day.exclude(**others)
                .values("day", f"transfer_{side}_agency")
                .annotate(n=Count("pk"))
                .values_list("day", f"transfer_{side}_agency", "n")
            )
            for day, agency, n in rows:
                days[(agency, day_of(day))].received += n

    # Money: paid out on the transfer-out side, confirmed on the transfer-in side.
    # (The remittance carries both agencies: one agency's day is read on its own index.)
    remittances = FundRemittance.objects.order_by()
    for stamp, party, attribute in (
        ("paid_at", "payer_agency", "remitted"),
        ("received_at", "payee_agency", "confirmed"),
    ):
        rows = remittances.filter(**{f"{stamp}__gte": start, f"{stamp}__lt": end})
        if one:
            rows = rows.filter(**{party: scope})
        for day, agency, total in (
            rows.annotate(day=TruncDate(stamp))
            .values("day", party)
            .annotate(total=Sum("amount"))
            .values_list("day", party, "total")
        ):
            for key in _keys(scope, agency):
                day_figures = days[(key, day_of(day))]
                setattr(day_figures, attribute, getattr(day_figures, attribute) + total)

    # Durations: working days from start to completion, for the agency whose side the stage is.
    stages = Stage.objects.order_by().filter(
        completed_at__gte=start, completed_at__lt=end, name__in=list(AGENCY_STAGES)
    )
    if one:
        # The stage carries the agency of its side (workflow.STAGE_SIDE): its own index.
        stages = stages.filter(agency=scope)
    # Grouped in SQL by local start and completion day: a day's thousands of stages are a few
    # dozen spans, and each span's working days are counted once.
    table = official_table()
    counted: dict = {}
    for name, started, completed, insurance, agency, n in (
        stages.annotate(started=TruncDate("started_at"), completed=TruncDate("completed_at"))
        .values("name", "started", "completed", "case__insurance", "agency")
        .annotate(n=Count("pk"))
        .values_list("name", "started", "completed", "case__insurance", "agency", "n")
    ):
        span = (day_of(started), day_of(completed))
        if span not in counted:
            counted[span] = working_days_between(*span, table=table)
        for key in _keys(scope, agency):
            days[(key, span[1])].durations[name][insurance][counted[span]] += n

    # Moves: what each clerk did (only an agency's own figures show them).
    if scope is not None:
        events = CaseEvent.objects.order_by().filter(
            created_at__gte=start,
            created_at__lt=end,
            actor__isnull=False,
            agency__isnull=False,
            action__in=list(CLERK_MOVES),
        )
        if one:
            events = events.filter(agency=scope)
        for day, agency, username, n in (
            events.annotate(day=TruncDate("created_at"))
            .values("day", "agency", "actor__username")
            .annotate(n=Count("pk"))
            .values_list("day", "agency", "actor__username", "n")
        ):
            days[(agency, day_of(day))].moves[username] += n
    return days


def roll(*, today: datetime.date | None = None, first: datetime.date | None = None) -> int:
    """Roll every closed day of the window not rolled yet (``first`` back to the day before the
    live days). Safe to run twice at once: the same rows, and the second's are ignored. Returns
    the number of days rolled."""
    today = today or timezone.localdate()
    last = today - datetime.timedelta(days=LIVE_DAYS)
    first = first or today - datetime.timedelta(days=WINDOW_DAYS)
    return _roll_missing(first, last)


def _roll_missing(first: datetime.date, last: datetime.date) -> int:
    rolled = set(
        DailyFigures.objects.filter(agency=None, day__range=(first, last)).values_list(
            "day", flat=True
        )
    )
    missing = [
        first + datetime.timedelta(days=i)
        for i in range((last - first).days + 1)
        if first + datetime.timedelta(days=i) not in rolled
    ]
    if not missing:
        return 0
    counted = tally(missing[0], missing[-1], scope=EVERY_AGENCY)
    rows = [
        DailyFigures(
            day=day,
            agency_id=agency,
            received=figures.received,
            remitted=figures.remitted,
            confirmed=figures.confirmed,
            durations={
                stage: {kind: dict(histogram) for kind, histogram in kinds.items()}
                for stage, kinds in figures.durations.items()
            },
            moves=dict(figures.moves),
        )
        for (agency, day), figures in counted.items()
        if day in set(missing)
    ]
    # The row of the whole marks a day as rolled, even a day when nothing happened.
    present = {day for (agency, day) in counted if agency is None}
    rows += [DailyFigures(day=day, agency=None) for day in missing if day not in present]
    DailyFigures.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return len(missing)


def _day_of_row(row: DailyFigures) -> Day:
    figures = Day(received=row.received, remitted=row.remitted, confirmed=row.confirmed)
    for stage, kinds in row.durations.items():
        for insurance, histogram in kinds.items():
            figures.durations[stage][insurance].update(
                {int(days): n for days, n in histogram.items()}
            )
    figures.moves.update(row.moves)
    return figures


def daily(*, agency_id: int | None, first: datetime.date, today: datetime.date) -> dict:
    """``{day: Day}`` from ``first`` to ``today`` for one agency (None: every agency): closed
    days from their rolled rows (rolling the missing ones first), the last days live."""
    last_rolled = today - datetime.timedelta(days=LIVE_DAYS)
    _roll_missing(first, last_rolled)
    rows = DailyFigures.objects.filter(agency_id=agency_id, day__range=(first, last_rolled))
    days: dict = defaultdict(Day)
    for row in rows:
        days[row.day].add(_day_of_row(row))
    live = tally(last_rolled + datetime.timedelta(days=1), today, scope=agency_id)
    for (_agency, day), figures in live.items():
        days[day].add(figures)
    return days
