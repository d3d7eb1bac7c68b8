"""The system's steps, run by tasks after commit; each is safe to run twice."""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Insurance
from insured import ledger
from transfers import pipeline
from transfers.models import (
    FundRemittance,
    Stage,
    StageName,
    TransferFunds,
)
from transfers.services.base import (
    _complete_stage,
    _event,
    _lock,
    _move,
    _start_stage,
    _test_pause,
)
from transfers.workflow import OPEN_STATUSES, CaseStatus

logger = logging.getLogger(__name__)


def transfer_issue_certificate(*, case_id: int):
    """Stage 1: the electronic certificate from the transfer-out records (existing or new).
    A no-op once the certificate stage is done, or when the case ended before it ran."""
    from insured.certificates import certificate_for_enrollment

    with transaction.atomic():
        case = _lock(case_id)
        stage = Stage.objects.filter(case=case, name=StageName.CERTIFICATE).first()
        if stage is not None and stage.completed_at is not None:
            return None
        if case.status not in OPEN_STATUSES:
            return None
        document = certificate_for_enrollment(
            enrollment=case.from_enrollment,
            actor=None,
            reference=case.serial_no,
            counterpart_agency=case.transfer_in_agency,
        )
        _complete_stage(case, StageName.CERTIFICATE, now=timezone.now())
        event = _event(
            case,
            "issue_certificate",
            from_status=case.status,
            to_status=case.status,
            agency=case.transfer_out_agency,
            note=document.number,
        )
        pipeline.after_commit(event)
    return document


def transfer_send_letter(*, case_id: int):
    """Stage 3: render the contact letter and deliver it to the transfer-out agency (it is
    addressed to it and readable by its staff). accepted → letter_sent; a no-op otherwise."""
    from documents.kinds import DocumentKind
    from documents.services import document_issue
    from transfers.contexts import contact_letter_context

    with transaction.atomic():
        case = _lock(case_id)
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
        _test_pause("send_letter")
        _start_stage(case, StageName.TRANSFER_OUT, now=timezone.now())
        _move(case, "send_letter", agency=case.transfer_in_agency, note=document.number)
    return document


def transfer_issue_info_sheet(*, case_id: int):
    """Stage 4 at the transfer-out agency: compute the amounts from its records, render the
    info sheet, mark the old enrollment transferred out. letter_received → info_sheet_issued;
    a no-op in any other state. All in one transaction: a worker killed half-way leaves
    nothing behind (the document number rolls back with it)."""
    from documents.kinds import DocumentKind
    from documents.services import document_issue
    from transfers.contexts import medical_info_sheet_context, pension_info_sheet_context

    with transaction.atomic():
        case = _lock(case_id)
        if case.status != CaseStatus.LETTER_RECEIVED:
            return None
        today = timezone.localdate()
        # insured.ledger: the rights (own periods and rights carried in) go in transit and the
        # old enrollment is 已转出, in this transaction.
        rights = ledger.rights_send(
            enrollment=case.from_enrollment_id,
            to_enrollment=case.to_enrollment_id,
            reference=case.serial_no,
            transfer_date=today,
        )
        years = ledger.periods_of(case.from_enrollment)
        funds_values = {name: rights[name] for name in ledger.FUNDS_FIELDS}
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
        _test_pause("issue_info_sheet")
        _move(
            case,
            "issue_info_sheet",
            agency=case.transfer_out_agency,
            note=_("%(number)s，转移基金总额 ¥%(total)s")
            % {"number": document.number, "total": funds.total},
        )
    return document


def transfer_pay_remittance(*, case_id: int) -> str | None:
    """Pay the case's remittance through the bank adapter, by its idempotency key; record the
    bank's reference. Safe to repeat: the bank answers a known key with the first reference."""
    from transfers.bank import get_bank

    remittance = FundRemittance.objects.filter(case_id=case_id).first()
    if remittance is None:
        return None
    if remittance.bank_reference:
        return remittance.bank_reference
    reference = get_bank().pay(
        key=remittance.idempotency_key,
        amount=remittance.amount,
        from_account=remittance.from_account,
        to_account=remittance.to_account,
    )
    FundRemittance.objects.filter(pk=remittance.pk, bank_reference="").update(
        bank_reference=reference
    )
    return reference
