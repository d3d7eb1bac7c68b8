"""The system's steps: the follow-ups the outbox runs after a move commits (named in
``workflow.MOVES[...].follow_ups``). Each takes the event, first checks whether its work is
already done, and is safe to run twice."""

import logging
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Insurance
from documents.kinds import DocumentKind
from documents.services import document_issue
from insured.certificates import certificate_for_enrollment
from insured.models import ContributionYear, Enrollment, EnrollmentStatus
from transfers.amounts import YearRecord, medical_amounts, months_paid, pension_amounts
from transfers.bank import get_bank
from transfers.contexts import (
    contact_letter_context,
    medical_info_sheet_context,
    pension_info_sheet_context,
)
from transfers.models import CaseEvent, FundRemittance, Stage, TransferFunds
from transfers.services.base import apply_move, lock_case, pause_for_tests, record_event
from transfers.services.notify import notify_agency_of_event, notify_person_of_event
from transfers.workflow import OPEN_STATUSES, STEPS, CaseStatus, StageName, side_agency_id

logger = logging.getLogger(__name__)


def transfer_issue_certificate(*, case_id: int):
    """Stage 1: the electronic certificate from the transfer-out records (existing or new).
    A no-op once the certificate stage is done, or when the case ended before it ran."""
    with transaction.atomic():
        case = lock_case(case_id)
        stage = Stage.objects.filter(case=case, name=StageName.CERTIFICATE).first()
        if stage is not None and stage.completed_at is not None:
            return None
        if case.status not in OPEN_STATUSES:
            return None
        document = certificate_for_enrollment(enrollment=case.from_enrollment, actor=None)
        apply_move(case, "issue_certificate", agency=case.transfer_out_agency, note=document.number)
    return document


def transfer_send_letter(*, case_id: int):
    """Stage 3: render the contact letter and deliver it to the transfer-out agency (it is
    addressed to it and readable by its staff). accepted → letter_sent; a no-op otherwise."""
    with transaction.atomic():
        case = lock_case(case_id)
        if case.status != CaseStatus.ACCEPTED:
            return None  # already sent (a repeat run), or the case moved on
        kind = (
            DocumentKind.PENSION_CONTACT_LETTER
            if case.insurance == Insurance.PENSION
            else DocumentKind.MEDICAL_CONTACT_LETTER
        )
        document = document_issue(
            kind=kind,
            holder=case.person,
            agency=case.transfer_in_agency,
            context=contact_letter_context(case),
            case_reference=case.serial_no,
            counterpart_agency=case.transfer_out_agency,
        )
        pause_for_tests("send_letter")
        apply_move(case, "send_letter", agency=case.transfer_in_agency, note=document.number)
    return document


def transfer_issue_info_sheet(*, case_id: int):
    """Stage 4 at the transfer-out agency: compute the amounts from its records, render the
    info sheet, mark the old enrollment transferred out. letter_received → info_sheet_issued;
    a no-op in any other state. All in one transaction: a worker killed half-way leaves
    nothing behind (the document number rolls back with it)."""
    with transaction.atomic():
        case = lock_case(case_id)
        if case.status != CaseStatus.LETTER_RECEIVED:
            return None
        today = timezone.localdate()
        enrollment = Enrollment.objects.select_for_update().get(pk=case.from_enrollment_id)
        years = list(ContributionYear.objects.filter(enrollment=enrollment).order_by("year"))
        records = [YearRecord.from_row(y) for y in years]
        counted = [r for r in records if r.year <= today.year]
        if case.insurance == Insurance.PENSION:
            amounts = pension_amounts(
                records, transfer_date=today, account_kind=enrollment.account_kind
            )
            funds_values = {**amounts, "months": months_paid(counted)}
        else:
            medical = medical_amounts(records, transfer_date=today)
            zero = Decimal("0.00")
            funds_values = {
                "months": medical["months"],
                "before_1998": zero,
                "since_1998_to_last_year": zero,
                "transfer_year_principal": zero,
                "personal_account": medical["personal_account"],
                "pooled_fund": zero,
                "total": medical["personal_account"],
            }
        funds, _created = TransferFunds.objects.update_or_create(case=case, defaults=funds_values)
        if case.insurance == Insurance.PENSION:
            kind = DocumentKind.PENSION_INFO_SHEET
            context = pension_info_sheet_context(
                case, funds=funds, years=years, transfer_date=today
            )
        else:
            kind = DocumentKind.MEDICAL_INFO_SHEET
            context = medical_info_sheet_context(case, funds=funds, years=years)
        document = document_issue(
            kind=kind,
            holder=case.person,
            agency=case.transfer_out_agency,
            context=context,
            case_reference=case.serial_no,
            counterpart_agency=case.transfer_in_agency,
        )
        pause_for_tests("issue_info_sheet")
        enrollment.status = EnrollmentStatus.TRANSFERRED_OUT
        if enrollment.end_month is None:
            enrollment.end_month = today.replace(day=1)
        enrollment.save(update_fields=["status", "end_month"])
        apply_move(
            case,
            "issue_info_sheet",
            agency=case.transfer_out_agency,
            note=_("%(number)s，转移基金总额 ¥%(total)s")
            % {"number": document.number, "total": funds.total},
        )
    return document


def transfer_pay_remittance(*, case_id: int) -> str | None:
    """Pay the case's approved remittance through the bank adapter, by its idempotency key,
    then record the bank's reference (``transfer_record_payment``). Safe to repeat: the bank
    answers a known key with the first payment's reference. Raises what the bank raises:
    ``BankError`` is transient (retried), anything else a permanent failure."""
    remittance = FundRemittance.objects.filter(case_id=case_id).first()
    if remittance is None:
        return None
    reference = remittance.bank_reference
    if not reference:
        reference = get_bank().pay(
            key=remittance.idempotency_key,
            amount=remittance.amount,
            from_account=remittance.from_account,
            to_account=remittance.to_account,
        )
        if not reference:
            raise RuntimeError("the bank adapter returned no reference")
        pause_for_tests("pay_remittance")
    transfer_record_payment(case_id=case_id, reference=str(reference))
    return str(reference)


def transfer_record_payment(*, case_id: int, reference: str) -> None:
    """Before: remitting, the bank returned ``reference``. After: the reference and time on the
    remittance (both agencies see it), the case funds_remitted, the transfer-in stage started.
    A no-op once recorded."""
    with transaction.atomic():
        case = lock_case(case_id)
        remittance = FundRemittance.objects.select_for_update().get(case=case)
        if not remittance.bank_reference:
            remittance.bank_reference = reference
            remittance.paid_at = timezone.now()
            remittance.save(update_fields=["bank_reference", "paid_at"])
        if case.status != CaseStatus.REMITTING:
            return
        apply_move(
            case,
            "record_payment",
            agency=case.transfer_out_agency,
            note=_("¥%(amount)s（银行流水号 %(reference)s）")
            % {"amount": remittance.amount, "reference": remittance.bank_reference},
        )


def transfer_flag_attention(*, event_id: int, step: str, reason: str, detail: str) -> None:
    """A follow-up of ``event_id`` failed for good: the case enters the attention queue of the
    agency responsible for ``step`` (``workflow.STEPS``), with the reason in words and the
    technical detail kept apart; the event is marked failed so that only a retry runs it."""
    with transaction.atomic():
        event = CaseEvent.objects.select_for_update().get(pk=event_id)
        case = lock_case(event.case_id)
        now = timezone.now()
        CaseEvent.objects.filter(pk=event.pk).update(
            failed_at=now, claimed_at=None, last_error=detail[:4000]
        )
        case.attention_since = now
        case.attention_agency_id = side_agency_id(case, STEPS[step].side)
        case.attention_reason = reason
        case.attention_detail = detail[:4000]
        case.attention_event = event
        case.save(
            update_fields=[
                "attention_since",
                "attention_agency",
                "attention_reason",
                "attention_detail",
                "attention_event",
                "updated_at",
            ]
        )
        record_event(
            case,
            "attention",
            from_status=case.status,
            to_status=case.status,
            agency=case.attention_agency,
            note=reason,
        )
    logger.error("Case %s needs attention: %s (%s)", case.serial_no, reason, detail)


# Each follow-up name of ``workflow.STEPS`` → what runs it, given the event.
STEP_FUNCTIONS = {
    "notify_person": notify_person_of_event,
    "notify_agency": notify_agency_of_event,
    "issue_certificate": lambda event: transfer_issue_certificate(case_id=event.case_id),
    "send_letter": lambda event: transfer_send_letter(case_id=event.case_id),
    "issue_info_sheet": lambda event: transfer_issue_info_sheet(case_id=event.case_id),
    "pay_remittance": lambda event: transfer_pay_remittance(case_id=event.case_id),
}
