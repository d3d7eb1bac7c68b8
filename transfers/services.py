"""Every write of a transfer case: one service per move of ``transfers.workflow.MOVES``.

Each move, inside one transaction: lock the case row, check the actor (agency and role, see
``ACTOR_RULES``), check the current state, write the new state with ``update_fields``, write
one immutable ``CaseEvent``, and hand the event to ``transfers.pipeline.after_commit``, which
enqueues the follow-up tasks and the person's notification on commit only.

Errors: ``EligibilityError`` (400) at submission, ``NotAllowed`` (403) for the wrong actor,
``TransitionNotAllowed`` (409) for a move the current state does not allow.
"""

import datetime
import logging
import re
import time
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, Insurance, Region, StaffRole
from agencies.selectors import agency_for
from core.errors import DomainError, NotAllowed, TransitionNotAllowed
from insured.models import ContributionYear, Enrollment, EnrollmentStatus, InsuredPerson
from transfers import pipeline
from transfers.attachments import validate_attachment
from transfers.models import (
    CATEGORIES_BY_INSURANCE,
    CaseEvent,
    DailySerial,
    FundRemittance,
    Stage,
    StageName,
    TransferCase,
    TransferFunds,
)
from transfers.workflow import MOVES, OPEN_STATUSES, Actor, CaseStatus

logger = logging.getLogger(__name__)


class EligibilityError(DomainError):
    """The person cannot apply for this transfer; the message says why and what to do."""

    code = "not_eligible"


class AmountMismatch(TransitionNotAllowed):
    """The amount confirmed as received is not the amount remitted."""

    code = "amount_mismatch"


# Who may do each non-system move: (side of the case whose agency acts, role there).
ACTOR_RULES: dict[str, tuple[str, str]] = {
    Actor.TRANSFER_IN_REVIEWER: ("in", StaffRole.REVIEWER),
    Actor.TRANSFER_OUT_REVIEWER: ("out", StaffRole.REVIEWER),
    Actor.TRANSFER_OUT_FINANCE: ("out", StaffRole.FINANCE),
    Actor.TRANSFER_IN_FINANCE: ("in", StaffRole.FINANCE),
}

# Which agency stage (``transfers.calendar`` names) runs while the case waits in each state.
RUNNING_STAGE = {
    CaseStatus.SUBMITTED: StageName.REVIEW,
    CaseStatus.LETTER_SENT: StageName.TRANSFER_OUT,
    CaseStatus.LETTER_RECEIVED: StageName.TRANSFER_OUT,
    CaseStatus.INFO_SHEET_ISSUED: StageName.TRANSFER_OUT,
    CaseStatus.FUNDS_REMITTED: StageName.TRANSFER_IN,
}

PHONE = re.compile(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}")
CENT = Decimal("0.01")


# ── helpers ──────────────────────────────────────────────────────────────────────────────────


def _lock(case: TransferCase | int) -> TransferCase:
    """Re-read the case under a row lock (only the case row: ``of=self``)."""
    case_id = case.pk if isinstance(case, TransferCase) else case
    try:
        return (
            TransferCase.objects.select_for_update(of=("self",))
            .select_related(
                "person",
                "from_region",
                "to_region",
                "transfer_in_agency__region",
                "transfer_out_agency__region",
                "from_enrollment",
                "to_enrollment",
            )
            .get(pk=case_id)
        )
    except TransferCase.DoesNotExist:
        raise TransitionNotAllowed(_("申请不存在。")) from None


def _membership(actor):
    try:
        return actor.staff_membership if actor is not None else None
    except ObjectDoesNotExist:
        return None


def _side_agency_id(case: TransferCase, side: str) -> int:
    return case.transfer_in_agency_id if side == "in" else case.transfer_out_agency_id


def _authorize(case: TransferCase, actor, move_name: str) -> Agency | None:
    """Check that ``actor`` may do ``move_name`` on ``case``; return the acting agency."""
    who = MOVES[move_name].who
    if who == Actor.APPLICANT:
        if actor is None or case.person.user_id is None or case.person.user_id != actor.pk:
            raise NotAllowed(_("只有申请人本人可以办理此项。"))
        return None
    side, role = ACTOR_RULES[who]
    membership = _membership(actor)
    if membership is None or membership.agency_id != _side_agency_id(case, side):
        raise NotAllowed(_("该申请不由您所在的经办机构办理此环节。"))
    if membership.role != role:
        raise NotAllowed(
            _("此项须由%(who)s办理。") % {"who": Actor(who).label},
        )
    return membership.agency


def _check_state(case: TransferCase, move_name: str) -> None:
    move = MOVES[move_name]
    if case.status not in move.sources:
        raise TransitionNotAllowed(
            _("申请当前状态为“%(status)s”，不能%(move)s。")
            % {"status": case.get_status_display(), "move": move.label}
        )


def _event(
    case: TransferCase,
    action: str,
    *,
    from_status: str,
    to_status: str,
    actor=None,
    agency: Agency | None = None,
    note: str = "",
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=actor if getattr(actor, "pk", None) else None,
        agency=agency,
        note=note,
    )


def _move(
    case: TransferCase,
    move_name: str,
    *,
    actor=None,
    agency: Agency | None = None,
    note: str = "",
    fields: tuple[str, ...] = (),
) -> CaseEvent:
    """Write the move's target state (and ``fields``), its event, and its follow-ups."""
    _check_state(case, move_name)
    previous = case.status
    case.status = MOVES[move_name].target
    _set_running_due_date(case)
    case.save(update_fields=["status", "current_due_date", "updated_at", *fields])
    event = _event(
        case,
        move_name,
        from_status=previous,
        to_status=case.status,
        actor=actor,
        agency=agency,
        note=note,
    )
    pipeline.after_commit(event)
    return event


def _start_stage(case: TransferCase, name: str, *, now: datetime.datetime) -> Stage:
    from transfers.calendar import stage_due_date

    due = None
    if name != StageName.CERTIFICATE:
        due = stage_due_date(case.insurance, name, started=timezone.localdate(now))
    stage, _created = Stage.objects.get_or_create(
        case=case, name=name, defaults={"started_at": now, "due_date": due}
    )
    return stage


def _complete_stage(case: TransferCase, name: str, *, now: datetime.datetime) -> None:
    Stage.objects.filter(case=case, name=name, completed_at__isnull=True).update(completed_at=now)


def _set_running_due_date(case: TransferCase) -> None:
    """``current_due_date`` is the due date of the agency stage now running (None if none)."""
    running = RUNNING_STAGE.get(case.status)
    if running is None:
        case.current_due_date = None
        return
    stage = Stage.objects.filter(case=case, name=running).only("due_date").first()
    case.current_due_date = stage.due_date if stage else None


def _test_pause(step: str) -> None:
    """Tests only (``TRANSFER_TEST_TASK_DELAY``): say we are inside ``step``, then wait, so a
    test can kill the worker at this point deterministically. A no-op when unset."""
    delay = settings.TRANSFER_TEST_TASK_DELAY
    if not delay:
        return
    if settings.REDIS_URL:
        import redis

        redis.Redis.from_url(settings.REDIS_URL).incr(f"transfers:test-pause:{step}")
    logger.warning("TRANSFER_TEST_TASK_DELAY: pausing %.1f s inside %s", delay, step)
    time.sleep(delay)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请填写原因，申请人将看到这段说明。"), code="reason_required")
    if len(reason) > 1000:
        raise DomainError(_("原因不能超过1000字。"), code="reason_too_long")
    return reason


# ── submission and eligibility ────────────────────────────────────────────────────────────────


def _region(value: Region | str, field_label: str) -> Region:
    if isinstance(value, Region):
        return value
    code = (value or "").strip()
    region = Region.objects.filter(code=code).first() if re.fullmatch(r"\d{6}", code) else None
    if region is None:
        raise EligibilityError(
            _("%(field)s“%(code)s”不是有效的行政区划代码。") % {"field": field_label, "code": code},
            code="invalid_region",
        )
    return region


def _paid_enrollment(*, person, insurance: str, agency: Agency) -> Enrollment | None:
    """The person's enrollment at ``agency`` with months paid that has not moved away yet."""
    return (
        Enrollment.objects.filter(person=person, insurance=insurance, agency=agency)
        .exclude(status__in=[EnrollmentStatus.TRANSFERRED_OUT, EnrollmentStatus.CLOSED])
        .annotate(paid=Sum("years__months_paid"))
        .filter(paid__gt=0)
        .order_by("-start_month")
        .first()
    )


def check_eligibility(
    *, person: InsuredPerson, insurance: str, category: str, from_region: Region, to_region: Region
) -> dict:
    """The rules of DOMAIN.md "When a transfer is refused". Returns what the case needs
    (agencies, enrollments, overlapping months) or raises ``EligibilityError`` with the reason."""
    from transfers.amounts import overlapping_months

    if insurance not in Insurance.values:
        raise EligibilityError(
            _("险种只能是基本养老保险或基本医疗保险。"), code="invalid_insurance"
        )
    if category not in CATEGORIES_BY_INSURANCE[Insurance(insurance)]:
        raise EligibilityError(
            _("转入类别“%(category)s”不适用于%(insurance)s。")
            % {"category": category, "insurance": Insurance(insurance).label},
            code="invalid_category",
        )
    if from_region.province_code == to_region.province_code:
        raise EligibilityError(
            _(
                "转出地和转入地同在%(province)s，不属于跨省转移接续，按本省规定办理"
                "（各省做法不同，如江苏省省内流动由原参保地封存账户、退休时按申请转移），"
                "请咨询当地社会保险经办机构。"
            )
            % {"province": Region.objects.get(code=to_region.province_code).name},
            code="same_province",
        )
    # 国办发〔2009〕66号: people already drawing a pension do not transfer; retirees are outside
    # the 2021 medical rules (医保办发〔2021〕43号).
    if person.enrollments.filter(insurance=Insurance.PENSION, drawing_benefits=True).exists():
        raise EligibilityError(
            _("您已按月领取基本养老金，不再办理%(insurance)s关系转移接续。")
            % {"insurance": Insurance(insurance).label},
            code="drawing_pension",
        )
    to_agency = agency_for(region=to_region, insurance=insurance)
    if not to_region.online_transfer_enabled:
        where = (
            _("%(name)s（地址：%(address)s，电话：%(phone)s）")
            % {"name": to_agency.name, "address": to_agency.address, "phone": to_agency.phone}
            if to_agency
            else _("转入地社会保险经办机构")
        )
        raise EligibilityError(
            _("转入地%(region)s尚未开通网上转移接续服务，请携带身份证件到%(where)s现场申请。")
            % {"region": to_region.full_name(), "where": where},
            code="offline_region",
        )
    if to_agency is None:
        raise EligibilityError(
            _("转入地%(region)s暂无办理%(insurance)s的经办机构信息。")
            % {"region": to_region.full_name(), "insurance": Insurance(insurance).label},
            code="no_transfer_in_agency",
        )
    from_agency = agency_for(region=from_region, insurance=insurance)
    if from_agency is None:
        raise EligibilityError(
            _("转出地%(region)s暂无办理%(insurance)s的经办机构信息。")
            % {"region": from_region.full_name(), "insurance": Insurance(insurance).label},
            code="no_transfer_out_agency",
        )
    to_enrollment = (
        Enrollment.objects.filter(
            person=person, insurance=insurance, agency=to_agency, status=EnrollmentStatus.ACTIVE
        )
        .order_by("-start_month")
        .first()
    )
    if to_enrollment is None:
        raise EligibilityError(
            _(
                "您还没有在转入地%(region)s（经办机构：%(agency)s）参加%(insurance)s"
                "并正常缴费。请先在新就业地参保缴费，再申请转入。"
            )
            % {
                "region": to_region.full_name(),
                "agency": to_agency.name,
                "insurance": Insurance(insurance).label,
            },
            code="not_enrolled_at_destination",
        )
    from_enrollment = _paid_enrollment(person=person, insurance=insurance, agency=from_agency)
    if from_enrollment is None:
        raise EligibilityError(
            _("转出地（%(agency)s）没有您可转移的%(insurance)s参保缴费记录。")
            % {"agency": from_agency.name, "insurance": Insurance(insurance).label},
            code="no_transfer_out_record",
        )
    open_case = (
        TransferCase.objects.filter(person=person, insurance=insurance, status__in=OPEN_STATUSES)
        .only("serial_no")
        .first()
    )
    if open_case is not None:
        raise EligibilityError(
            _(
                "您已有一笔%(insurance)s转移申请正在办理（流水号 %(serial_no)s），办结前不能再次申请。"
            )
            % {"insurance": Insurance(insurance).label, "serial_no": open_case.serial_no},
            code="open_case_exists",
        )
    # 重复缴费: both places paid the same months. Flagged for the reviewer, not refused.
    overlaps = overlapping_months(
        ContributionYear.objects.filter(enrollment=from_enrollment),
        ContributionYear.objects.filter(enrollment=to_enrollment),
    )
    return {
        "transfer_in_agency": to_agency,
        "transfer_out_agency": from_agency,
        "from_enrollment": from_enrollment,
        "to_enrollment": to_enrollment,
        "overlapping_months": [f"{y:04d}-{m:02d}" for y, m in overlaps],
    }


def next_serial_no(*, day: datetime.date) -> str:
    """The day's next 申报流水号, YYYYMMDD + 8 digits. Call inside the transaction that uses it:
    the counter row stays locked until commit, and a rollback gives the number back."""
    DailySerial.objects.bulk_create([DailySerial(day=day)], ignore_conflicts=True)
    counter = DailySerial.objects.select_for_update().get(day=day)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{day:%Y%m%d}{counter.last:08d}"


def transfer_submit(
    *,
    person: InsuredPerson,
    insurance: str,
    category: str,
    from_region: Region | str,
    to_region: Region | str,
    phone: str,
    hukou_address: str,
    attachment: UploadedFile | None = None,
    actor,
) -> TransferCase:
    """Before: the person is eligible (``check_eligibility``). After: a submitted case with its
    serial number, the certificate and review stages started, the certificate issued on commit."""
    if actor is None or person.user_id != actor.pk:
        raise NotAllowed(_("只能为本人申请转移接续。"))
    from_region = _region(from_region, _("转出地"))
    to_region = _region(to_region, _("转入地"))
    phone = (phone or "").strip()
    if not PHONE.fullmatch(phone):
        raise EligibilityError(_("请填写有效的手机号码或固定电话。"), code="invalid_phone")
    hukou_address = (hukou_address or "").strip()
    if not hukou_address or len(hukou_address) > 200:
        raise EligibilityError(_("请填写户籍地址（200字以内）。"), code="invalid_hukou_address")
    if attachment is not None:
        validate_attachment(attachment)
    found = check_eligibility(
        person=person,
        insurance=insurance,
        category=category,
        from_region=from_region,
        to_region=to_region,
    )
    now = timezone.now()
    try:
        with transaction.atomic():
            case = TransferCase(
                serial_no=next_serial_no(day=timezone.localdate(now)),
                person=person,
                insurance=insurance,
                category=category,
                from_region=from_region,
                to_region=to_region,
                contact_phone=phone,
                hukou_address=hukou_address,
                submitted_at=now,  # before save: the attachment's path uses it
                **found,
            )
            if attachment is not None:
                case.attachment_name = attachment.name[:200]
                case.attachment.save(attachment.name, attachment, save=False)
            case.save(force_insert=True)
            _start_stage(case, StageName.CERTIFICATE, now=now)
            review = _start_stage(case, StageName.REVIEW, now=now)
            case.current_due_date = review.due_date
            case.save(update_fields=["current_due_date"])
            event = _event(
                case,
                "submit",
                from_status="",
                to_status=case.status,
                actor=actor,
                note=_("重复缴费月份：%(months)s")
                % {"months": "、".join(found["overlapping_months"])}
                if found["overlapping_months"]
                else "",
            )
            pipeline.after_commit(event)
    except IntegrityError:
        # The partial unique index (one open case per person and insurance) caught a
        # concurrent submission that passed the check above at the same time.
        raise EligibilityError(
            _("您已有一笔%(insurance)s转移申请正在办理，办结前不能再次申请。")
            % {"insurance": Insurance(insurance).label},
            code="open_case_exists",
        ) from None
    logger.info("Transfer case %s submitted (%s)", case.serial_no, insurance)
    return case


# ── the moves of people ──────────────────────────────────────────────────────────────────────


def transfer_withdraw(*, case: TransferCase, actor) -> TransferCase:
    """Before: submitted, actor is the applicant. After: withdrawn, review stage closed."""
    with transaction.atomic():
        case = _lock(case)
        _authorize(case, actor, "withdraw")
        _check_state(case, "withdraw")
        now = timezone.now()
        _complete_stage(case, StageName.REVIEW, now=now)
        case.end_reason = _("申请人撤回")
        _move(case, "withdraw", actor=actor, fields=("end_reason",))
    return case


def transfer_accept(*, case: TransferCase, actor) -> TransferCase:
    """Before: submitted, actor a reviewer of the transfer-in agency. After: accepted, review
    stage done; the contact letter is rendered and sent on commit (→ letter_sent)."""
    with transaction.atomic():
        case = _lock(case)
        agency = _authorize(case, actor, "accept")
        _check_state(case, "accept")
        _complete_stage(case, StageName.REVIEW, now=timezone.now())
        _move(case, "accept", actor=actor, agency=agency)
    return case


def transfer_reject(*, case: TransferCase, actor, reason: str) -> TransferCase:
    """Before: submitted, actor a transfer-in reviewer, a reason. After: rejected; the
    person reads the reason (the written explanation of stage 3)."""
    reason = _reason(reason)
    with transaction.atomic():
        case = _lock(case)
        agency = _authorize(case, actor, "reject")
        _check_state(case, "reject")
        _complete_stage(case, StageName.REVIEW, now=timezone.now())
        case.end_reason = reason
        _move(case, "reject", actor=actor, agency=agency, note=reason, fields=("end_reason",))
    return case


def transfer_acknowledge(*, case: TransferCase, actor) -> TransferCase:
    """Before: letter_sent, actor a reviewer of the transfer-out agency. After:
    letter_received; amounts, info sheet and closing the old enrollment follow on commit."""
    with transaction.atomic():
        case = _lock(case)
        agency = _authorize(case, actor, "acknowledge")
        _check_state(case, "acknowledge")
        _move(case, "acknowledge", actor=actor, agency=agency)
    return case


def transfer_return(*, case: TransferCase, actor, reason: str) -> TransferCase:
    """Before: letter_sent, actor a transfer-out reviewer, a reason. After: returned."""
    reason = _reason(reason)
    with transaction.atomic():
        case = _lock(case)
        agency = _authorize(case, actor, "return")
        _check_state(case, "return")
        _complete_stage(case, StageName.TRANSFER_OUT, now=timezone.now())
        case.end_reason = reason
        _move(case, "return", actor=actor, agency=agency, note=reason, fields=("end_reason",))
    return case


def transfer_remit(*, case: TransferCase, actor) -> FundRemittance:
    """Before: info_sheet_issued, actor a finance officer of the transfer-out agency who did
    not acknowledge the letter. After: funds_remitted with the one FundRemittance of the case
    (same transaction); the bank pays it on commit, by its idempotency key."""
    with transaction.atomic():
        case = _lock(case)
        agency = _authorize(case, actor, "remit")
        _check_state(case, "remit")
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
        out, into = case.transfer_out_agency, case.transfer_in_agency
        remittance = FundRemittance.objects.create(
            case=case,
            idempotency_key=f"remit-{case.serial_no}",
            amount=funds.total,
            from_account=f"{out.bank_account_name} {out.bank_name} {out.bank_account_number}",
            to_account=f"{into.bank_account_name} {into.bank_name} {into.bank_account_number}",
            approved_by=actor,
        )
        _complete_stage(case, StageName.TRANSFER_OUT, now=timezone.now())
        _start_stage(case, StageName.TRANSFER_IN, now=timezone.now())
        _move(case, "remit", actor=actor, agency=agency, note=f"¥{funds.total}")
    return remittance


def _parse_amount(amount) -> Decimal:
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(_("到账金额格式不正确。"), code="invalid_amount") from None
    if not value.is_finite() or value < 0 or value != value.quantize(CENT):
        raise DomainError(_("到账金额应为不小于零、最多两位小数的金额。"), code="invalid_amount")
    return value.quantize(CENT)


def transfer_confirm_receipt(*, case: TransferCase, actor, amount: Decimal) -> TransferCase:
    """Before: funds_remitted, actor a finance officer of the transfer-in agency, ``amount``
    equal to the remitted total. After: completed, the person's rights recorded at the
    transfer-in enrollment (记录个人权益). A different amount is refused (409) and the refusal
    is logged on the case in its own transaction, so the log survives the refusal.
    Must not be called inside an outer transaction (the refusal's log would roll back)."""
    from insured.models import TransferredRights

    amount = _parse_amount(amount)
    mismatch: tuple[TransferCase, Agency | None, Decimal] | None = None
    with transaction.atomic():
        case = _lock(case)
        agency = _authorize(case, actor, "confirm_receipt")
        _check_state(case, "confirm_receipt")
        remittance = FundRemittance.objects.select_for_update().get(case=case)
        if amount != remittance.amount:
            mismatch = (case, agency, remittance.amount)
        else:
            funds = TransferFunds.objects.get(case=case)
            now = timezone.now()
            TransferredRights.objects.create(
                enrollment=case.to_enrollment,
                reference=case.serial_no,
                from_region=case.from_region,
                months=funds.months,
                personal_account=funds.personal_account,
                pooled_fund=funds.pooled_fund,
            )
            remittance.received_by = actor
            remittance.received_at = now
            remittance.save(update_fields=["received_by", "received_at"])
            _complete_stage(case, StageName.TRANSFER_IN, now=now)
            case.completed_at = now
            _move(
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
            _event(
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


# ── the system's steps (called by tasks; each safe to run twice) ───────────────────────────────


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
        document = certificate_for_enrollment(enrollment=case.from_enrollment, actor=None)
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
    from transfers.amounts import YearRecord, medical_amounts, months_paid, pension_amounts
    from transfers.contexts import medical_info_sheet_context, pension_info_sheet_context

    with transaction.atomic():
        case = _lock(case_id)
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
        _test_pause("issue_info_sheet")
        enrollment.status = EnrollmentStatus.TRANSFERRED_OUT
        if enrollment.end_month is None:
            enrollment.end_month = today.replace(day=1)
        enrollment.save(update_fields=["status", "end_month"])
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


def mark_overdue_stages(*, today: datetime.date | None = None) -> int:
    """Mark every running agency stage whose due date has passed (once), log it on the case,
    and tell the responsible agency on commit. Returns how many stages were marked."""
    from transfers import tasks

    today = today or timezone.localdate()
    now = timezone.now()
    marked = 0
    with transaction.atomic():
        stages = (
            Stage.objects.select_for_update(of=("self",), skip_locked=True)
            .filter(
                completed_at__isnull=True,
                overdue_marked_at__isnull=True,
                due_date__lt=today,
                case__status__in=OPEN_STATUSES,
            )
            .select_related("case")
            .order_by("due_date", "id")
        )
        for stage in stages:
            stage.overdue_marked_at = now
            stage.save(update_fields=["overdue_marked_at"])
            case = stage.case
            agency_id = (
                case.transfer_out_agency_id
                if stage.name == StageName.TRANSFER_OUT
                else case.transfer_in_agency_id
            )
            _event(
                case,
                "overdue",
                from_status=case.status,
                to_status=case.status,
                agency=Agency(pk=agency_id),
                note=_("%(stage)s已超过办理时限（%(due)s）。")
                % {"stage": stage.get_name_display(), "due": stage.due_date},
            )
            tasks.notify_overdue_stage.delay_on_commit(stage.pk)
            marked += 1
    if marked:
        logger.info("Marked %d overdue stage(s)", marked)
    return marked
