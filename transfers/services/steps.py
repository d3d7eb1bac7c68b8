"""The system's steps: the follow-ups the outbox runs after a move commits (named in
``workflow.MOVES[...].follow_ups``). Each takes the event, first checks whether its work is
already done, and is safe to run twice.

Documents are issued outside the case's row lock: ``documents.document_issue`` takes its number
in a short transaction of its own and renders after it (a failed render voids the number, 作废),
so one slow PDF never holds a case or a numbering series; it is idempotent per case and kind, so
a step run again finds its document. The move itself then happens under the lock, if the case
is still where the step expects it."""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Insurance
from documents.kinds import DocumentKind
from documents.services import document_issue
from insured import ledger
from insured.certificates import certificate_for_enrollment
from transfers.bank import get_bank
from transfers.contexts import (
    bridging_context,
    contact_letter_context,
    medical_info_sheet_context,
    pension_info_sheet_context,
)
from transfers.models import CaseEvent, FundRemittance, Stage, TransferCase, TransferFunds
from transfers.services.base import (
    apply_move,
    lock_case,
    pause_for_tests,
    read_case,
    record_event,
)
from transfers.services.bridging import bridging_amounts
from transfers.services.notify import notify_agency_of_event, notify_person_of_event
from transfers.workflow import OPEN_STATUSES, STEPS, CaseStatus, StageName, side_agency_id

logger = logging.getLogger(__name__)


def _certificate_done(case: TransferCase) -> bool:
    return Stage.objects.filter(
        case=case, name=StageName.CERTIFICATE, completed_at__isnull=False
    ).exists()


def transfer_issue_certificate(*, case_id: int):
    """Stage 1: the electronic certificate from the transfer-out records (existing or new).
    A no-op once the certificate stage is done, or when the case ended before it ran."""
    case = TransferCase.objects.select_related(
        "from_enrollment", "transfer_in_agency", "transfer_out_agency"
    ).get(pk=case_id)
    if _certificate_done(case) or case.status not in OPEN_STATUSES:
        return None
    document = certificate_for_enrollment(
        enrollment=case.from_enrollment,
        actor=None,
        reference=case.serial_no,
        counterpart_agency=case.transfer_in_agency,
        mark_transferring_out=not case.is_bridging,
    )
    with transaction.atomic():
        case = lock_case(case_id)
        if _certificate_done(case) or case.status not in OPEN_STATUSES:
            return document
        apply_move(case, "issue_certificate", agency=case.transfer_out_agency, note=document.number)
    return document


def transfer_send_letter(*, case_id: int):
    """Stage 3: render the contact letter and deliver it to the transfer-out agency (it is
    addressed to it and readable by its staff). accepted → letter_sent; a no-op otherwise."""
    case = read_case(case_id)
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
    with transaction.atomic():
        case = lock_case(case_id)
        if case.status != CaseStatus.ACCEPTED:
            return document
        apply_move(case, "send_letter", agency=case.transfer_in_agency, note=document.number)
    return document


def transfer_issue_info_sheet(*, case_id: int):
    """Stage 4 at the transfer-out agency: the rights leave its records (``insured.ledger``:
    in transit on this case, the enrollment 已转出) and the amounts are fixed on the case;
    then the info sheet is issued; then letter_received → info_sheet_issued. A no-op in any
    other state; run again after a crash, it reuses the amounts and the sheet already made."""
    today = timezone.localdate()
    with transaction.atomic():
        case = lock_case(case_id)
        if case.status != CaseStatus.LETTER_RECEIVED:
            return None
        funds = TransferFunds.objects.filter(case=case).first()
        if funds is None and case.is_bridging:
            # 城乡制度衔接: the figures are fixed now; the ledger records the merge, the refund
            # and 已衔接 together at the receipt (ledger.bridging_record), so nothing is shown
            # as moved before it has.
            figures = bridging_amounts(case, transfer_date=today)
            resident = (
                case.from_enrollment if case.from_enrollment.is_resident else case.to_enrollment
            )
            ledger.overlap_refund_fix(
                reference=case.serial_no,
                resident=resident,
                refund=figures["refund"],
                account=figures["resident_account"],
            )
            funds = TransferFunds.objects.create(case=case, **figures["funds"])
        elif funds is None:
            rights = ledger.rights_send(
                enrollment=case.from_enrollment_id,
                to_enrollment=case.to_enrollment_id,
                reference=case.serial_no,
                transfer_date=today,
            )
            funds = TransferFunds.objects.create(
                case=case, **{name: rights[name] for name in ledger.FUNDS_FIELDS}
            )
        years = ledger.periods_of(case.from_enrollment)
        if case.insurance == Insurance.PENSION:
            kind = DocumentKind.PENSION_INFO_SHEET
            context = pension_info_sheet_context(
                case, funds=funds, years=years, transfer_date=timezone.localdate(funds.computed_at)
            )
            if case.is_bridging:
                context["bridging"] = bridging_context(case, funds=funds)
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
    with transaction.atomic():
        case = lock_case(case_id)
        if case.status != CaseStatus.LETTER_RECEIVED:
            return document
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
