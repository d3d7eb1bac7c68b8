"""Reads of transfer cases shared by the pages, the back office and the API.

Visibility is decided here: a person sees their own cases, a clerk the cases where their
agency is a party. Anything else is ``Http404``: never reveal that another person's case
exists."""

import datetime

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import F, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency
from insured.models import InsuredPerson
from transfers.models import CaseEvent, Stage, StageName, TransferCase
from transfers.services.base import ACTOR_RULES
from transfers.workflow import MOVES, QUEUES, Actor, CaseStatus

# Regions with their parents: lists show full names (province, city, district).
LIST_RELATED = (
    "person",
    "from_region__parent__parent",
    "to_region__parent__parent",
    "transfer_in_agency",
    "transfer_out_agency",
)

# The four stages the person follows, in order.
STAGE_ORDER = (
    StageName.CERTIFICATE,
    StageName.REVIEW,
    StageName.TRANSFER_OUT,
    StageName.TRANSFER_IN,
)


def cases_for_person(
    *, person: InsuredPerson, status: str | None = None, insurance: str | None = None
) -> QuerySet[TransferCase]:
    cases = TransferCase.objects.filter(person=person).select_related(*LIST_RELATED)
    if status:
        cases = cases.filter(status=status)
    if insurance:
        cases = cases.filter(insurance=insurance)
    return cases.order_by("-submitted_at", "-id")


def case_for_person(*, person: InsuredPerson, serial_no: str) -> TransferCase:
    case = (
        TransferCase.objects.select_related(*LIST_RELATED)
        .filter(person=person, serial_no=serial_no)
        .first()
    )
    if case is None:
        raise Http404(_("未找到该申请。"))
    return case


def cases_for_agency(*, agency: Agency) -> QuerySet[TransferCase]:
    """Every case where ``agency`` is the transfer-in or transfer-out party, overdue first."""
    return (
        TransferCase.objects.filter(Q(transfer_in_agency=agency) | Q(transfer_out_agency=agency))
        .select_related(*LIST_RELATED)
        .order_by(F("current_due_date").asc(nulls_last=True), "submitted_at", "id")
    )


def queue_for_agency(*, agency: Agency, queue: str) -> QuerySet[TransferCase]:
    """The cases waiting on ``agency`` in ``queue`` (workflow.QUEUES), earliest due first, so
    overdue cases lead (served by the (agency, status, current_due_date) indexes)."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")
    status, side = QUEUES[queue]
    party = {"transfer_in_agency": agency} if side == "in" else {"transfer_out_agency": agency}
    return (
        TransferCase.objects.filter(status=status, **party)
        .select_related(*LIST_RELATED)
        .order_by(F("current_due_date").asc(nulls_last=True), "submitted_at", "id")
    )


def staff_agency(user) -> Agency | None:
    try:
        return user.staff_membership.agency if user.is_authenticated else None
    except ObjectDoesNotExist:
        return None


def case_for_staff(*, user, serial_no: str) -> TransferCase:
    """The case if the user's agency is a party to it; Http404 otherwise."""
    try:
        agency_id = user.staff_membership.agency_id
    except (ObjectDoesNotExist, AttributeError):
        raise Http404(_("未找到该申请。")) from None
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
    """The MOVES keys ``user`` may do on ``case`` now (state and role; separation of duties
    is checked by the service itself)."""
    moves = []
    person_user_id = case.person.user_id if case.person_id else None
    try:
        membership = user.staff_membership
    except (ObjectDoesNotExist, AttributeError):
        membership = None
    for name, move in MOVES.items():
        if case.status not in move.sources:
            continue
        if move.who == Actor.APPLICANT:
            if person_user_id is not None and person_user_id == user.pk:
                moves.append(name)
            continue
        if move.who == Actor.SYSTEM or membership is None:
            continue
        side, role = ACTOR_RULES[move.who]
        agency_id = case.transfer_in_agency_id if side == "in" else case.transfer_out_agency_id
        if membership.agency_id == agency_id and membership.role == role:
            moves.append(name)
    return moves


def with_detail(cases: QuerySet[TransferCase]) -> QuerySet[TransferCase]:
    """Prefetch what a case's detail shows: stages, events (with agency), funds, remittance."""
    return cases.select_related("funds", "remittance").prefetch_related(
        Prefetch("stages", queryset=Stage.objects.order_by("started_at", "id")),
        Prefetch(
            "events",
            queryset=CaseEvent.objects.select_related("agency").order_by("created_at", "id"),
        ),
    )


def case_documents(case: TransferCase) -> list:
    """The documents of the case: its certificate (issued for the transfer-out enrollment)
    and the letter and info sheet issued under its serial number, oldest first."""
    from documents.kinds import DocumentKind
    from documents.models import Document

    certificates = [DocumentKind.PENSION_CERTIFICATE, DocumentKind.MEDICAL_CERTIFICATE]
    # insured.certificates keys a certificate "enrollment:<id>:<fingerprint of its figures>";
    # a re-issued one supersedes the old, which is left out here.
    key = f"enrollment:{case.from_enrollment_id}"
    return list(
        Document.objects.filter(
            Q(case_reference=case.serial_no)
            | (
                Q(kind__in=certificates, superseded_by__isnull=True)
                & (Q(subject_key=key) | Q(subject_key__startswith=f"{key}:"))
            )
        ).order_by("issued_at", "id")
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
    return {
        "case": case,
        "stages": stage_progress(case),
        "events": list(case.events.all()),
        "funds": funds,
        "remittance": remittance,
        "documents": case_documents(case),
        "service_target_due": service_target_due(case),
    }


def stage_progress(case: TransferCase, *, today: datetime.date | None = None) -> list[dict]:
    """The four stages, each {name, label, status, started_at, due_date, completed_at};
    status is pending, running, done or overdue (running past its due date)."""
    today = today or timezone.localdate()
    by_name = {stage.name: stage for stage in case.stages.all()}
    rows = []
    for name in STAGE_ORDER:
        stage = by_name.get(name)
        if stage is None:
            status = "pending"
        elif stage.completed_at is not None:
            status = "done"
        elif case.status not in (
            CaseStatus.REJECTED,
            CaseStatus.RETURNED,
            CaseStatus.WITHDRAWN,
        ) and (stage.overdue_marked_at is not None or (stage.due_date and stage.due_date < today)):
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
                "completed_at": stage.completed_at if stage else None,
            }
        )
    return rows


def service_target_due(case: TransferCase) -> datetime.date:
    """The date promised to the person: submission + the whole-case target in working days."""
    from transfers.calendar import add_working_days, service_target_working_days

    return add_working_days(timezone.localdate(case.submitted_at), service_target_working_days())
