"""Reads of transfer cases shared by the pages, the back office and the API.

Visibility is decided here: a person sees their own cases, a clerk the cases where their
agency is a party. Anything else is ``Http404``: never reveal that another person's case
exists."""

import contextlib
import datetime

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import F, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies import names
from agencies.models import Agency, Region
from agencies.selectors import clerk_of
from documents.kinds import DocumentKind
from documents.models import Document
from documents.rmb import rmb, rmb_upper
from insured.models import InsuredPerson, OverlapRefund
from transfers import workflow
from transfers.calendar import DueDate, due_date, time_limits
from transfers.models import CaseEvent, Stage, TransferApplication, TransferCase
from transfers.workflow import QUEUES, STAGE_ORDER, STOPPED_STATUSES

# Lists need the person; region and agency names come from the per-process cache
# (agencies.names), not from joins.
LIST_RELATED = ("person", "application")


def cases_for_person(
    *, person: InsuredPerson, status: str | None = None, insurance: str | None = None
) -> QuerySet[TransferCase]:
    """The person's own cases, newest first. The person is the caller and is not joined again
    (the list, the export and the API list print only the case and its application number)."""
    cases = TransferCase.objects.filter(person=person).select_related("application")
    if status:
        cases = cases.filter(status=status)
    if insurance:
        cases = cases.filter(insurance=insurance)
    return cases.order_by("-submitted_at", "-id")


def application_for_person(*, person: InsuredPerson, number: str) -> TransferApplication:
    """The person's application with its cases (``case_list``, in serial order); 404 otherwise."""
    application = TransferApplication.objects.filter(person=person, number=number).first()
    if application is None:
        raise Http404(_("未找到该申请。"))
    application.case_list = list(
        application.cases.select_related(*LIST_RELATED).order_by("serial_no")
    )
    return application


def sibling_cases(case: TransferCase) -> list[TransferCase]:
    """The other cases of the case's application (other transfer-out places), serial order:
    serial number, places and status, as the person's pages list them (no joins: the places
    and agencies are named from the names cache)."""
    return list(
        TransferCase.objects.filter(application_id=case.application_id)
        .exclude(pk=case.pk)
        .order_by("serial_no")
    )


def person_by_id_number(*, id_number: str) -> InsuredPerson | None:
    return InsuredPerson.objects.filter(id_number=(id_number or "").strip().upper()).first()


def region_or_none(*, code: str) -> Region | None:
    return Region.objects.filter(code=code).first()


def case_for_person(*, person: InsuredPerson, serial_no: str) -> TransferCase:
    case = (
        TransferCase.objects.select_related(*LIST_RELATED)
        .filter(person=person, serial_no=serial_no)
        .first()
    )
    if case is None:
        raise Http404(_("未找到该申请。"))
    return case


def case_with_detail_for_person(*, person: InsuredPerson, serial_no: str) -> TransferCase:
    """The person's own case with everything its page and the API detail show (``with_detail``),
    Http404 otherwise. The person is the caller's, already loaded: not joined again."""
    case = with_detail(
        TransferCase.objects.filter(person=person, serial_no=serial_no).select_related(
            "application"
        )
    ).first()
    if case is None:
        raise Http404(_("未找到该申请。"))
    case.person = person
    return case


def agency_parts(agency_id: int) -> list[Q]:
    """An agency's cases as two disjoint parts, each read in list order on its own index
    (``core.pagination.PartsPaginator``): transfer-in party, and transfer-out party only."""
    return [
        Q(transfer_in_agency_id=agency_id),
        Q(transfer_out_agency_id=agency_id) & ~Q(transfer_in_agency_id=agency_id),
    ]


def _agency_list_order():
    return (F("current_due_date").asc(nulls_last=True), "submitted_at", "id")


def cases_for_agency(*, agency: Agency) -> QuerySet[TransferCase]:
    """Every case where ``agency`` is the transfer-in or transfer-out party, overdue first."""
    return (
        TransferCase.objects.filter(Q(transfer_in_agency=agency) | Q(transfer_out_agency=agency))
        .select_related(*LIST_RELATED)
        .order_by(*_agency_list_order())
    )


def cases_in_agency_list_order() -> QuerySet[TransferCase]:
    """Every case, in the agency list's order: what ``PartsPaginator`` restricts by the parts
    of ``agency_parts`` to count and to find a page's candidates (``whole``)."""
    return TransferCase.objects.order_by(*_agency_list_order())


def queue_for_agency(*, agency: Agency, queue: str) -> QuerySet[TransferCase]:
    """The cases waiting on ``agency`` in ``queue`` (workflow.QUEUES), earliest due first, so
    overdue cases lead (served by the (agency, status, current_due_date) indexes)."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")
    return (
        TransferCase.objects.filter(workflow.queue_condition(queue, agency.pk))
        .select_related(*LIST_RELATED)
        .order_by(F("current_due_date").asc(nulls_last=True), "submitted_at", "id")
    )


def case_for_staff(*, user, serial_no: str) -> TransferCase:
    """The case if the user's agency is a party to it; Http404 otherwise."""
    clerk = clerk_of(user)
    if clerk is None:
        raise Http404(_("未找到该申请。"))
    agency_id = clerk.agency_id
    case = (
        TransferCase.objects.select_related(*LIST_RELATED)
        .filter(Q(transfer_in_agency_id=agency_id) | Q(transfer_out_agency_id=agency_id))
        .filter(serial_no=serial_no)
        .first()
    )
    if case is None:
        raise Http404(_("未找到该申请。"))
    return case


def allowed_moves(*, case: TransferCase, user) -> list[str]:
    """The moves ``user`` may do on ``case`` now (``workflow.may``: actor and state)."""
    return workflow.allowed_moves(user, case)


def with_detail(cases: QuerySet[TransferCase]) -> QuerySet[TransferCase]:
    """Prefetch what a case's detail shows: stages, events, funds, remittance (the events'
    agencies are named from the names cache by ``case_detail``)."""
    return cases.select_related("funds", "remittance").prefetch_related(
        Prefetch("stages", queryset=Stage.objects.order_by("started_at", "id")),
        Prefetch("events", queryset=CaseEvent.objects.order_by("created_at", "id")),
    )


def case_documents(case: TransferCase) -> list:
    """The documents of the case: its certificate (issued for the transfer-out enrollment)
    and the letter and info sheet issued under its serial number, oldest first."""
    certificates = [DocumentKind.PENSION_CERTIFICATE, DocumentKind.MEDICAL_CERTIFICATE]
    # insured.certificates keys a certificate "enrollment:<id>:<fingerprint of its figures>";
    # a re-issued one supersedes the old, which is left out here.
    key = f"enrollment:{case.from_enrollment_id}"
    return list(
        Document.objects.stored()
        .filter(
            Q(case_reference=case.serial_no)
            | (
                Q(kind__in=certificates, superseded_by__isnull=True)
                & (Q(subject_key=key) | Q(subject_key__startswith=f"{key}:"))
            )
        )
        .order_by("issued_at", "id")
    )


def case_detail(case: TransferCase) -> dict:
    """Everything the progress page and the API detail show, in a bounded number of queries
    (the case must come from ``with_detail`` for that; otherwise it still works)."""
    try:
        funds = case.funds
    except ObjectDoesNotExist:
        funds = None
    try:
        remittance = case.remittance
    except ObjectDoesNotExist:
        remittance = None
    target = service_target(case)
    # 城乡制度衔接: the overlap refund, once the info sheet fixed it (no query otherwise).
    refund = (
        OverlapRefund.objects.filter(reference=case.serial_no).first() if case.is_bridging else None
    )
    events = list(case.events.all())
    for event in events:
        if event.agency_id is not None and not CaseEvent.agency.is_cached(event):
            event.agency = names.agency(event.agency_id)
    return {
        "case": case,
        "refund": refund,
        "stages": stage_progress(case),
        "events": events,
        "funds": funds,
        "remittance": remittance,
        "documents": case_documents(case),
        "service_target_due": target.date,
        "service_target_estimated": target.estimated,
    }


def stage_progress(case: TransferCase, *, today: datetime.date | None = None) -> list[dict]:
    """The four stages, each {name, label, status, started_at, due_date, completed_at};
    status is pending, running, done, overdue (running past its due date) or ended.

    A withdrawn, rejected or returned case ends at the last stage it reached: that stage is
    ``ended`` (the ending move closes it, but it did not succeed), never ``done``; a stage left
    unfinished when the case ended is ``pending``, not running."""
    today = today or timezone.localdate()
    by_name = {stage.name: stage for stage in case.stages.all()}
    ended = case.status in STOPPED_STATUSES
    reached = [name for name in STAGE_ORDER if name in by_name]
    ending_stage = reached[-1] if ended and reached else None
    rows = []
    for name in STAGE_ORDER:
        stage = by_name.get(name)
        if stage is None:
            status = "pending"
        elif name == ending_stage:
            status = "ended"
        elif stage.completed_at is not None:
            status = "done"
        elif ended:
            status = "pending"
        elif stage.overdue_marked_at is not None or (stage.due_date and stage.due_date < today):
            status = "overdue"
        else:
            status = "running"
        rows.append(
            {
                "name": str(name),
                "label": str(name.label),
                "status": status,
                "started_at": stage.started_at if stage else None,
                "due_date": stage.due_date if stage else None,
                "due_date_estimated": bool(stage and stage.due_date and stage.due_date_estimated),
                "completed_at": stage.completed_at if stage else None,
            }
        )
    return rows


def service_target(case: TransferCase) -> DueDate:
    """The date promised to the person: submission + the whole-case target in working days
    (``transfers.calendar.time_limits``), and whether it is an estimate (预计)."""
    return due_date(
        timezone.localdate(case.submitted_at), time_limits(case.insurance).service_target
    )


def service_target_due(case: TransferCase) -> datetime.date:
    return service_target(case).date


def months_without_cover(
    *, last_month_out: datetime.date | None, first_month_in: datetime.date
) -> int:
    """Whole months between the last month covered at the transfer-out place and the first at
    the transfer-in place (0 when they follow each other, overlap, or the old one is open)."""
    if last_month_out is None:
        return 0
    gap = (first_month_in.year - last_month_out.year) * 12 + (
        first_month_in.month - last_month_out.month
    )
    return max(gap - 1, 0)


# 医保办发〔2021〕43号: a break of more than 3 months lets the transfer-in place set a waiting
# period of up to 6 months before benefits. Shown to the person, not enforced by the portal.
MEDICAL_GAP_WITHOUT_WAITING = 3


def medical_waiting_tip(case: TransferCase) -> dict | None:
    """What the confirmation page says about the medical waiting period (None for pension)."""
    if case.insurance != "medical":
        return None
    out_end = case.from_enrollment.end_month
    in_start = case.to_enrollment.start_month
    gap = months_without_cover(last_month_out=out_end, first_month_in=in_start)
    return {
        "gap": gap,
        "over": gap > MEDICAL_GAP_WITHOUT_WAITING,
        "last_month_out": out_end,
        "first_month_in": in_start,
    }


# The moves that move money: their confirmation page posts back the amount it showed.
MONEY_MOVES = frozenset({"remit", "confirm_receipt"})


def _account(agency: Agency) -> str:
    parts = (agency.bank_account_name, agency.bank_name, agency.bank_account_number)
    return " ".join(part for part in parts if part) or _("（未登记银行账户）")


def confirmation_facts(case: TransferCase, move: str) -> dict:
    """What a confirmation page restates: the person, the serial, the amount in figures and in
    capitals, and the account the money goes to (the transfer-in agency's fund account)."""
    from_funds = None
    with contextlib.suppress(ObjectDoesNotExist):
        from_funds = case.funds
    remittance = None
    with contextlib.suppress(ObjectDoesNotExist):
        remittance = case.remittance
    if move == "confirm_receipt" and remittance is not None:
        amount = remittance.amount
        amount_label = _("转出地划出金额")
    elif from_funds is not None:
        amount = from_funds.total
        amount_label = _("转移基金合计")
    else:
        amount, amount_label = None, _("转移基金合计")
    return {
        "person": f"{case.person.name}（{case.person.id_number_masked}）",
        "serial_no": case.serial_no,
        "insurance": case.get_insurance_display(),
        "status": case.get_status_display(),
        "transfer_out": case.transfer_out_agency.name,
        "transfer_in": case.transfer_in_agency.name,
        "amount_label": amount_label,
        "amount": amount,
        "amount_figures": rmb(amount) if amount is not None else None,
        "amount_capitals": rmb_upper(amount) if amount is not None else None,
        "months": from_funds.months if from_funds is not None else None,
        "account": remittance.to_account
        if remittance is not None
        else _account(case.transfer_in_agency),
        "money_move": move in MONEY_MOVES,
    }


def from_records(case: TransferCase) -> dict:
    """The person's record at the transfer-out place, as the case page shows it: the
    enrollment the case moves out of, its paid months and years (insured's selectors)."""
    enrollment = case.from_enrollment
    overlapping = sorted(case.overlapping_months or [])
    years = [
        {
            "year": row.year,
            "months": f"{row.first_month}–{row.last_month}",
            "months_paid": row.months_paid,
            "base": row.monthly_base,
            "overlap": [m for m in overlapping if m.startswith(f"{row.year}-")],
        }
        for row in enrollment.years.order_by("year")
    ]
    return {
        "enrollment": enrollment,
        "agency": enrollment.agency,
        "months": sum(row["months_paid"] for row in years),
        "years": years,
        "overlapping": overlapping,
    }
