"""The moves people make (applicant and clerks), one service each, as named in
``transfers.workflow.MOVES``. Each: lock, authorize, check the state, ``apply_move`` (state,
stages, due date, event = outbox entry) in one transaction."""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency
from core.errors import DomainError, NotAllowed
from insured import ledger
from transfers.models import CaseEvent, FundRemittance, TransferCase, TransferFunds
from transfers.services.base import (
    CENT,
    AmountChanged,
    AmountMismatch,
    apply_move,
    authorize,
    check_state,
    clean_reason,
    enqueue_dispatch,
    lock_case,
    record_event,
)


def transfer_withdraw(*, case: TransferCase, actor) -> TransferCase:
    """Before: submitted, actor is the applicant. After: withdrawn, review stage closed."""
    with transaction.atomic():
        case = lock_case(case)
        authorize(case, actor, "withdraw")
        check_state(case, "withdraw")
        case.end_reason = _("申请人撤回")
        apply_move(case, "withdraw", actor=actor, fields=("end_reason",))
        ledger.enrollment_restore_status(
            enrollment=case.from_enrollment_id, reference=case.serial_no, actor=actor
        )
    return case


def transfer_accept(*, case: TransferCase, actor, approval_checked: bool = False) -> TransferCase:
    """Before: submitted, actor a reviewer of the transfer-in agency; for an approved transfer
    (调动, 66号 art. 8(2)) the reviewer confirms having checked the approval attached
    (``approval_checked``, recorded in the event). After: accepted; the contact letter is
    rendered and sent after commit (→ letter_sent, ending the review)."""
    with transaction.atomic():
        case = lock_case(case)
        agency = authorize(case, actor, "accept")
        check_state(case, "accept")
        note = ""
        if case.approved_transfer:
            if not approval_checked:
                raise DomainError(
                    _(
                        "该申请为经批准调动的转移，请先核验附件中的调动批准材料，"
                        "并勾选“已核验调动批准材料”后再受理。"
                    ),
                    code="approval_not_checked",
                )
            note = _("审核员已核验调动批准材料（附件：%(name)s）。") % {
                "name": case.attachment_name
            }
        apply_move(case, "accept", actor=actor, agency=agency, note=note)
    return case


def transfer_reject(*, case: TransferCase, actor, reason: str) -> TransferCase:
    """Before: submitted, actor a transfer-in reviewer, a reason. After: rejected; the
    person reads the reason (the written explanation of stage 3)."""
    reason = clean_reason(reason)
    with transaction.atomic():
        case = lock_case(case)
        agency = authorize(case, actor, "reject")
        check_state(case, "reject")
        case.end_reason = reason
        apply_move(case, "reject", actor=actor, agency=agency, note=reason, fields=("end_reason",))
        ledger.enrollment_restore_status(
            enrollment=case.from_enrollment_id, reference=case.serial_no, actor=actor
        )
    return case


def transfer_acknowledge(*, case: TransferCase, actor) -> TransferCase:
    """Before: letter_sent, actor a reviewer of the transfer-out agency. After:
    letter_received; amounts, info sheet and closing the old enrollment follow after commit."""
    with transaction.atomic():
        case = lock_case(case)
        agency = authorize(case, actor, "acknowledge")
        apply_move(case, "acknowledge", actor=actor, agency=agency)
    return case


def transfer_return(*, case: TransferCase, actor, reason: str) -> TransferCase:
    """Before: letter_sent, actor a transfer-out reviewer, a reason. After: returned."""
    reason = clean_reason(reason)
    with transaction.atomic():
        case = lock_case(case)
        agency = authorize(case, actor, "return")
        check_state(case, "return")
        case.end_reason = reason
        apply_move(case, "return", actor=actor, agency=agency, note=reason, fields=("end_reason",))
        ledger.enrollment_restore_status(
            enrollment=case.from_enrollment_id, reference=case.serial_no, actor=actor
        )
    return case


def _check_shown(shown: Decimal | None, actual: Decimal) -> None:
    """A confirmation page restates an amount; posted with another one, nothing is done."""
    if shown is None:
        return
    try:
        value = _parse_amount(shown)
    except DomainError:
        value = None
    if value != actual:
        raise AmountChanged(
            _("确认页显示的金额 ¥%(shown)s 与应办理金额 ¥%(actual)s 不一致，未办理，请重新核对。")
            % {"shown": shown, "actual": actual}
        )


def transfer_remit(
    *, case: TransferCase, actor, expected_amount: Decimal | None = None
) -> TransferCase:
    """Before: info_sheet_issued, actor a finance officer of the transfer-out agency who did
    not acknowledge the letter. After: remitting, with the one approved FundRemittance of the
    case; the bank pays it after commit by its idempotency key, and only the bank's reference
    moves the case on to funds_remitted (``transfer_record_payment``)."""
    with transaction.atomic():
        case = lock_case(case)
        agency = authorize(case, actor, "remit")
        check_state(case, "remit")
        # Separation of duties: who acknowledged the letter may not approve the payment.
        acknowledged_by = (
            CaseEvent.objects.filter(case=case, action="acknowledge")
            .values_list("actor_id", flat=True)
            .first()
        )
        if acknowledged_by is not None and acknowledged_by == actor.pk:
            raise NotAllowed(
                _("确认接收联系函的人员不能审批同一笔基金划转，请由其他财务人员办理。"),
                code="separation_of_duties",
            )
        funds = TransferFunds.objects.get(case=case)
        _check_shown(expected_amount, funds.total)
        out, into = case.transfer_out_agency, case.transfer_in_agency
        FundRemittance.objects.create(
            case=case,
            idempotency_key=f"remit-{case.serial_no}",
            amount=funds.total,
            from_account=f"{out.bank_account_name} {out.bank_name} {out.bank_account_number}",
            to_account=f"{into.bank_account_name} {into.bank_name} {into.bank_account_number}",
            approved_by=actor,
            payer_agency=out,
            payee_agency=into,
        )
        apply_move(case, "remit", actor=actor, agency=agency, note=f"¥{funds.total}")
    return case


def _parse_amount(amount) -> Decimal:
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(_("到账金额格式不正确。"), code="invalid_amount") from None
    if not value.is_finite() or value < 0 or value != value.quantize(CENT):
        raise DomainError(_("到账金额应为不小于零、最多两位小数的金额。"), code="invalid_amount")
    return value.quantize(CENT)


def transfer_confirm_receipt(
    *, case: TransferCase, actor, amount: Decimal, expected_amount: Decimal | None = None
) -> TransferCase:
    """Before: funds_remitted (the bank returned its reference), actor a finance officer of
    the transfer-in agency, ``amount`` equal to the remitted total. After: completed, the
    person's rights recorded at the transfer-in enrollment (记录个人权益). A different amount
    is refused (409) and the refusal is logged on the case in its own transaction, so the log
    survives the refusal. Must not be called inside an outer transaction."""
    amount = _parse_amount(amount)
    mismatch: tuple[TransferCase, Agency | None, Decimal] | None = None
    with transaction.atomic():
        case = lock_case(case)
        agency = authorize(case, actor, "confirm_receipt")
        check_state(case, "confirm_receipt")
        remittance = FundRemittance.objects.select_for_update().get(case=case)
        _check_shown(expected_amount, remittance.amount)
        if amount != remittance.amount:
            mismatch = (case, agency, remittance.amount)
        else:
            funds = TransferFunds.objects.get(case=case)
            now = timezone.now()
            if case.is_bridging:
                # 城乡制度衔接: merge, overlap refund and 已衔接 recorded together.
                ledger.bridging_record(
                    reference=case.serial_no,
                    from_enrollment=case.from_enrollment_id,
                    to_enrollment=case.to_enrollment_id,
                    months=funds.months,
                    personal_account=funds.personal_account,
                )
            else:
                ledger.rights_receive(
                    reference=case.serial_no,
                    to_enrollment=case.to_enrollment_id,
                    from_enrollment=case.from_enrollment_id,
                    from_region_id=case.from_region_id,
                    months=funds.months,
                    personal_account=funds.personal_account,
                    pooled_fund=funds.pooled_fund,
                )
            remittance.received_by = actor
            remittance.received_at = now
            remittance.save(update_fields=["received_by", "received_at"])
            case.completed_at = now
            apply_move(
                case,
                "confirm_receipt",
                actor=actor,
                agency=agency,
                note=_("到账 ¥%(amount)s，记录缴费月数 %(months)d")
                % {"amount": amount, "months": funds.months},
                fields=("completed_at",),
            )
    if mismatch is not None:
        case, agency, expected = mismatch
        with transaction.atomic():
            record_event(
                case,
                "receipt_mismatch",
                from_status=case.status,
                to_status=case.status,
                actor=actor,
                agency=agency,
                note=_("确认到账金额 ¥%(amount)s 与划转金额 ¥%(expected)s 不符，未办结。")
                % {"amount": amount, "expected": expected},
            )
        raise AmountMismatch(
            _("到账金额 ¥%(amount)s 与转出地划转金额 ¥%(expected)s 不一致，请核实后再确认。")
            % {"amount": amount, "expected": expected}
        )
    return case


def transfer_retry(*, case: TransferCase, actor) -> TransferCase:
    """Before: the case waits in the attention queue of the actor's agency. After: the flag
    is cleared, the failed follow-ups are dispatched again from the start of their retries, and
    the retry is logged. If they fail for good again, the case comes back to the queue."""
    with transaction.atomic():
        case = lock_case(case)
        agency = authorize(case, actor, "retry")
        check_state(case, "retry")
        failed = list(
            CaseEvent.objects.filter(
                case=case, failed_at__isnull=False, dispatched_at__isnull=True
            ).values_list("pk", flat=True)
        )
        CaseEvent.objects.filter(pk__in=failed).update(failed_at=None, claimed_at=None, attempts=0)
        reason = case.attention_reason
        case.attention_since = None
        case.attention_agency = None
        case.attention_reason = ""
        case.attention_detail = ""
        case.attention_event = None
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
            "retry",
            from_status=case.status,
            to_status=case.status,
            actor=actor,
            agency=agency,
            note=reason,
        )
        for event_id in failed:
            transaction.on_commit(lambda event_id=event_id: enqueue_dispatch(event_id))
    return case
