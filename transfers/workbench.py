"""Reads of the back-office workbench (经办工作台): the queues of the clerk's role with their
counts and overdue counts, and the figures behind the charts. Every read is one aggregate
query (seven in all), whatever the number of cases."""

import datetime
import statistics
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, StaffRole
from transfers import charts
from transfers.calendar import official_table, stage_limit, working_days_between
from transfers.models import CaseEvent, FundRemittance, Stage, TransferCase
from transfers.workflow import (
    ACTOR_RULES,
    CLERK_MOVES,
    MOVES,
    QUEUES,
    RUNNING_STAGE,
    STAGE_SIDE,
    Queue,
    StageName,
    overdue_condition,
    queue_condition,
)

WEEKS = 12
MONTHS = 12
AGENCY_STAGES = (StageName.REVIEW, StageName.TRANSFER_OUT, StageName.TRANSFER_IN)


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


def weekly_received(*, agency: Agency | None, today: datetime.date) -> list[tuple[str, int]]:
    """Cases received (submitted) per week, the last 12 weeks, oldest first."""
    monday = today - datetime.timedelta(days=today.weekday())
    first = monday - datetime.timedelta(weeks=WEEKS - 1)
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time()))
    rows = (
        _agency_cases(agency)
        .filter(submitted_at__gte=start)
        .annotate(week=TruncWeek("submitted_at"))
        .values("week")
        .annotate(n=Count("pk"))
    )
    by_week = {
        timezone.localdate(row["week"])
        if isinstance(row["week"], datetime.datetime)
        else row["week"]: row["n"]
        for row in rows
    }
    weeks = [first + datetime.timedelta(weeks=i) for i in range(WEEKS)]
    return [(week.strftime("%m-%d"), by_week.get(week, 0)) for week in weeks]


def _percentile(values: list[int], share: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return float(ordered[0])
    return float(statistics.quantiles(ordered, n=100, method="inclusive")[int(share * 100) - 1])


def stage_durations(*, agency: Agency | None, today: datetime.date) -> list[dict]:
    """Per agency stage done in the last 180 days by this agency's side: median and 90th
    percentile working days, against the limit (pension's; medical's is shorter)."""
    since = timezone.now() - datetime.timedelta(days=180)
    stages = Stage.objects.filter(
        completed_at__isnull=False, completed_at__gte=since, name__in=list(AGENCY_STAGES)
    )
    if agency is not None:
        side_filters = Q()
        for stage in AGENCY_STAGES:
            field = (
                "case__transfer_in_agency"
                if STAGE_SIDE[stage] == "in"
                else ("case__transfer_out_agency")
            )
            side_filters |= Q(name=stage, **{field: agency})
        stages = stages.filter(side_filters)
    durations: dict[str, list[int]] = defaultdict(list)
    insurances: dict[str, set] = defaultdict(set)
    table = official_table()  # read once (a cache round trip), not once per stage
    for name, started, completed, insurance in stages.values_list(
        "name", "started_at", "completed_at", "case__insurance"
    )[:5000]:
        durations[name].append(
            working_days_between(
                timezone.localdate(started), timezone.localdate(completed), table=table
            )
        )
        insurances[name].add(insurance)
    rows = []
    for stage in AGENCY_STAGES:
        values = durations.get(stage, [])
        kinds = insurances.get(stage) or {"pension"}
        rows.append(
            {
                "stage": stage,
                "label": StageName(stage).label,
                "count": len(values),
                "median": float(statistics.median(values)) if values else 0.0,
                "p90": _percentile(values, 0.9) if values else 0.0,
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


def money_by_month(*, agency: Agency | None, today: datetime.date) -> list[dict]:
    """Money the agency remitted (bank paid out, transfer-out side) and received (confirmed,
    transfer-in side) per month, the last 12 months."""
    month_starts = [today.replace(day=1)]
    for _i in range(MONTHS - 1):
        month_starts.insert(0, (month_starts[0] - datetime.timedelta(days=1)).replace(day=1))
    first = month_starts[0]
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time()))
    remittances = FundRemittance.objects.order_by()
    out_filter = {"case__transfer_out_agency": agency} if agency else {}
    in_filter = {"case__transfer_in_agency": agency} if agency else {}

    def per_month(field: str, filters: dict) -> dict:
        rows = (
            remittances.filter(**{f"{field}__gte": start}, **filters)
            .annotate(month=TruncMonth(field))
            .values("month")
            .annotate(total=Sum("amount"))
        )
        return {timezone.localdate(r["month"]).strftime("%Y-%m"): r["total"] for r in rows}

    remitted = per_month("paid_at", out_filter)
    received = per_month("received_at", in_filter)
    months = [day.strftime("%Y-%m") for day in month_starts]
    return [
        {
            "month": month,
            "remitted": remitted.get(month) or Decimal("0.00"),
            "received": received.get(month) or Decimal("0.00"),
        }
        for month in months
    ]


def moves_per_clerk(*, agency: Agency, today: datetime.date) -> list[tuple[str, int]]:
    """For the supervisor: the moves each clerk of the agency made in the last 30 days."""
    since = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=30), datetime.time())
    )
    rows = (
        CaseEvent.objects.filter(
            agency=agency, actor__isnull=False, action__in=list(CLERK_MOVES), created_at__gte=since
        )
        .order_by()
        .values("actor__username")
        .annotate(n=Count("pk"))
    )
    return sorted(((row["actor__username"], row["n"]) for row in rows), key=lambda r: -r[1])[:12]


def workbench(*, clerk, today: datetime.date | None = None) -> dict:
    """Everything the workbench shows for ``clerk`` (None: a superuser, every agency)."""
    today = today or timezone.localdate()
    agency = clerk.agency if clerk else None
    rows = queue_rows(agency=agency, queues=queues_for(clerk), today=today)
    weeks = weekly_received(agency=agency, today=today)
    durations = stage_durations(agency=agency, today=today)
    overdue = overdue_by_stage(agency=agency, today=today)
    money = money_by_month(agency=agency, today=today)
    per_clerk = (
        moves_per_clerk(agency=agency, today=today)
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
