"""Reads of the back-office workbench (经办工作台): the queues of the clerk's role with their
counts and overdue counts (live, on the queues' indexes), and the figures behind the charts
(``transfers.figures``: rolled day rows, the last two days live). What a view reads is bounded
by the number of open cases and days, whatever the number of cases in the agency's history."""

import datetime
from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, StaffRole
from transfers import charts, figures
from transfers.calendar import stage_limit
from transfers.figures import AGENCY_STAGES
from transfers.models import TransferCase
from transfers.workflow import (
    ACTOR_RULES,
    CLERK_MOVES,
    MOVES,
    QUEUES,
    RUNNING_STAGE,
    Queue,
    StageName,
    overdue_condition,
    queue_condition,
)

WEEKS = 12
MONTHS = 12
DURATION_DAYS = 180


def queue_roles() -> dict[str, str | None]:
    """The role that works each queue, read from the move table: the clerk move that starts
    from the queue's state names its actor (None: any clerk, the attention queue)."""
    roles: dict[str, str | None] = {}
    for queue, (status, _side) in QUEUES.items():
        roles[queue] = None
        for name in CLERK_MOVES:
            move = MOVES[name]
            if status and status in move.sources and move.who in ACTOR_RULES:
                roles[queue] = ACTOR_RULES[move.who][1]
                break
    return roles


def queues_for(clerk) -> list[str]:
    """The queues a clerk's workbench shows: their role's and attention; a supervisor's (and a
    superuser's, ``clerk`` None) are all of them."""
    if clerk is None or clerk.role == StaffRole.SUPERVISOR:
        return list(QUEUES)
    roles = queue_roles()
    return [queue for queue in QUEUES if roles[queue] in (None, clerk.role)]


def _agency_cases(agency: Agency | None):
    cases = TransferCase.objects.order_by()
    if agency is not None:
        cases = cases.filter(Q(transfer_in_agency=agency) | Q(transfer_out_agency=agency))
    return cases


def queue_rows(*, agency: Agency | None, queues: list[str], today: datetime.date) -> list[dict]:
    aggregates = {}
    in_any_queue = Q()
    for queue in queues:
        condition = queue_condition(queue, agency.pk if agency else None)
        in_any_queue |= condition
        aggregates[f"{queue}_total"] = Count("pk", filter=condition)
        aggregates[f"{queue}_overdue"] = Count("pk", filter=condition & overdue_condition(today))
    # Only the rows of the queues are read (each condition has its index: (agency side,
    # status, due) or the attention partial index), never the agency's whole history.
    counts = (
        TransferCase.objects.order_by().filter(in_any_queue).aggregate(**aggregates)
        if queues
        else {}
    )
    return [
        {
            "queue": queue,
            "label": Queue(queue).label,
            "total": counts[f"{queue}_total"],
            "overdue": counts[f"{queue}_overdue"],
        }
        for queue in queues
    ]


def _first_week(today: datetime.date) -> datetime.date:
    monday = today - datetime.timedelta(days=today.weekday())
    return monday - datetime.timedelta(weeks=WEEKS - 1)


def _month_starts(today: datetime.date) -> list[datetime.date]:
    month_starts = [today.replace(day=1)]
    for _i in range(MONTHS - 1):
        month_starts.insert(0, (month_starts[0] - datetime.timedelta(days=1)).replace(day=1))
    return month_starts


def _daily(agency: Agency | None, today: datetime.date) -> dict:
    """The days behind every chart, read once: from the first of the 12 months, the first of
    the 12 weeks or 180 days ago, whichever is earliest."""
    first = min(
        _first_week(today),
        _month_starts(today)[0],
        today - datetime.timedelta(days=DURATION_DAYS),
    )
    return figures.daily(agency_id=agency.pk if agency else None, first=first, today=today)


def weekly_received(*, days: dict, today: datetime.date) -> list[tuple[str, int]]:
    """Cases received (submitted) per week, the last 12 weeks, oldest first."""
    first = _first_week(today)
    by_week: dict = defaultdict(int)
    for day, day_figures in days.items():
        if day >= first:
            by_week[day - datetime.timedelta(days=day.weekday())] += day_figures.received
    weeks = [first + datetime.timedelta(weeks=i) for i in range(WEEKS)]
    return [(week.strftime("%m-%d"), by_week.get(week, 0)) for week in weeks]


def _nth(histogram: list[tuple[int, int]], index: int) -> int:
    """The ``index``-th (0-based) value of the sorted values a histogram stands for."""
    seen = 0
    for value, count in histogram:
        seen += count
        if index < seen:
            return value
    raise IndexError(index)


def _median(histogram: list[tuple[int, int]], n: int) -> float:
    if n % 2:
        return float(_nth(histogram, n // 2))
    return (_nth(histogram, n // 2 - 1) + _nth(histogram, n // 2)) / 2


def _percentile(histogram: list[tuple[int, int]], n: int, share: float) -> float:
    """``statistics.quantiles(values, n=100, method="inclusive")[share*100 - 1]`` over the
    values of a histogram, without writing them all out."""
    if n == 1:
        return float(histogram[0][0])
    i = int(share * 100)
    m = n - 1
    j, delta = divmod(i * m, 100)
    low = _nth(histogram, j)
    high = _nth(histogram, j + 1) if j + 1 < n else low
    return (low * (100 - delta) + high * delta) / 100


def stage_durations(*, days: dict, today: datetime.date) -> list[dict]:
    """Per agency stage done in the last 180 days by this agency's side: median and 90th
    percentile working days, against the limit (pension's; medical's is shorter)."""
    since = today - datetime.timedelta(days=DURATION_DAYS)
    totals: dict[str, Counter] = defaultdict(Counter)
    insurances: dict[str, set] = defaultdict(set)
    for day, day_figures in days.items():
        if day < since:
            continue
        for stage, kinds in day_figures.durations.items():
            for insurance, histogram in kinds.items():
                totals[stage].update(histogram)
                insurances[stage].add(insurance)
    rows = []
    for stage in AGENCY_STAGES:
        histogram = sorted(totals.get(stage, Counter()).items())
        count = sum(n for _value, n in histogram)
        kinds = insurances.get(stage) or {"pension"}
        rows.append(
            {
                "stage": stage,
                "label": StageName(stage).label,
                "count": count,
                "median": _median(histogram, count) if count else 0.0,
                "p90": _percentile(histogram, count, 0.9) if count else 0.0,
                "limit": max(stage_limit(kind, stage) for kind in kinds),
            }
        )
    return rows


def overdue_by_stage(*, agency: Agency | None, today: datetime.date) -> list[dict]:
    counts = dict(
        _agency_cases(agency)
        .filter(overdue_condition(today))
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    per_stage: dict[str, int] = defaultdict(int)
    for status, n in counts.items():
        per_stage[RUNNING_STAGE.get(status, "")] += n
    return [
        {"stage": stage, "label": StageName(stage).label, "count": per_stage.get(stage, 0)}
        for stage in AGENCY_STAGES
    ]


def money_by_month(*, days: dict, today: datetime.date) -> list[dict]:
    """Money the agency remitted (bank paid out, transfer-out side) and received (confirmed,
    transfer-in side) per month, the last 12 months."""
    months = [day.strftime("%Y-%m") for day in _month_starts(today)]
    remitted: dict = defaultdict(Decimal)
    received: dict = defaultdict(Decimal)
    for day, day_figures in days.items():
        remitted[day.strftime("%Y-%m")] += day_figures.remitted
        received[day.strftime("%Y-%m")] += day_figures.confirmed
    return [
        {
            "month": month,
            "remitted": remitted.get(month) or Decimal("0.00"),
            "received": received.get(month) or Decimal("0.00"),
        }
        for month in months
    ]


def moves_per_clerk(*, days: dict, today: datetime.date) -> list[tuple[str, int]]:
    """For the supervisor: the moves each clerk of the agency made in the last 30 days."""
    since = today - datetime.timedelta(days=30)
    moves: Counter = Counter()
    for day, day_figures in days.items():
        if day >= since:
            moves.update(day_figures.moves)
    return sorted(moves.items(), key=lambda row: (-row[1], row[0]))[:12]


def workbench(*, clerk, today: datetime.date | None = None) -> dict:
    """Everything the workbench shows for ``clerk`` (None: a superuser, every agency)."""
    today = today or timezone.localdate()
    agency = clerk.agency if clerk else None
    rows = queue_rows(agency=agency, queues=queues_for(clerk), today=today)
    days = _daily(agency, today)
    weeks = weekly_received(days=days, today=today)
    durations = stage_durations(days=days, today=today)
    overdue = overdue_by_stage(agency=agency, today=today)
    money = money_by_month(days=days, today=today)
    per_clerk = (
        moves_per_clerk(days=days, today=today)
        if clerk is not None and clerk.role == StaffRole.SUPERVISOR
        else None
    )
    charts_extra = {}
    if per_clerk is not None:
        charts_extra["clerks"] = charts.bar_chart(
            chart_id="chart-clerks",
            title=_("各经办人员办理件次（近30天）"),
            desc=_("本机构每位经办人员在近30天内办理的受理、退回、划转、确认到账等操作次数。"),
            labels=[name for name, _n in per_clerk] or ["—"],
            series=[(_("办理件次"), [n for _name, n in per_clerk] or [0])],
        )
    return {
        "per_clerk": per_clerk,
        "rows": rows,
        "total_overdue": sum(row["overdue"] for row in rows if row["queue"] != Queue.ATTENTION),
        "weeks": weeks,
        "durations": durations,
        "overdue_stages": overdue,
        "money": money,
        "charts": {
            "weekly": charts.bar_chart(
                chart_id="chart-weekly",
                title=_("每周受理申请数（近12周）"),
                desc=_("按提交周统计的申请件数。"),
                labels=[label for label, _n in weeks],
                series=[(_("申请件数"), [n for _label, n in weeks])],
            ),
            "durations": charts.bar_chart(
                chart_id="chart-durations",
                title=_("各环节办理用时（工作日）"),
                desc=_("中位数与第90百分位，虚线为办理时限。"),
                labels=[str(row["label"]) for row in durations],
                series=[
                    (_("中位数"), [row["median"] for row in durations]),
                    (_("第90百分位"), [row["p90"] for row in durations]),
                ],
                limits=[row["limit"] for row in durations],
                unit=_("个工作日"),
            ),
            "overdue": charts.bar_chart(
                chart_id="chart-overdue",
                title=_("超时件数（按环节）"),
                desc=_("当前已超过办理时限的申请件数。"),
                labels=[str(row["label"]) for row in overdue],
                series=[(_("超时件数"), [row["count"] for row in overdue])],
            ),
            "money": charts.bar_chart(
                chart_id="chart-money",
                title=_("每月划出与到账金额（元）"),
                desc=_("本机构作为转出地划出、作为转入地确认到账的转移基金。"),
                labels=[row["month"][2:] for row in money],
                series=[
                    (_("划出"), [row["remitted"] for row in money]),
                    (_("到账"), [row["received"] for row in money]),
                ],
                unit=_("元"),
            ),
            **charts_extra,
        },
    }
