"""The ledger of rights: the registry's writes for contribution periods, enrollment status and
the rights a transfer moves (记录个人权益). ``transfers`` calls these; it never writes insured
rows itself.

Every month and every yuan is somewhere: at the enrollment where it was paid (its periods), in
transit on an open case (a ``RightsMovement`` ``in_transit``, from the info sheet until the
transfer-in agency records it), or at the enrollment that received it (``received``; part of
that enrollment's history from then on, moved on by a later transfer: ``insured.rights``).
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Insurance
from core.errors import DomainError
from insured.models import (
    ContributionYear,
    ContributorType,
    Enrollment,
    EnrollmentEvent,
    EnrollmentInsurance,
    EnrollmentStatus,
    MovementStatus,
    OverlapRefund,
    ResidentPayment,
    RightsMovement,
)
from insured.resident import Refund, ResidentYear, overlap_refund, resident_account
from insured.rights import Carried, Rights, YearRecord, medical_rights, pension_rights

CENT = Decimal("0.01")


class PeriodError(DomainError):
    """A contribution period that cannot be stored; the message says which figure is wrong."""

    code = "invalid_period"


# Periods ------------------------------------------------------------------------------------


def _money(value, label: str) -> Decimal:
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise PeriodError(
            _("%(field)s“%(value)s”不是有效的金额。") % {"field": label, "value": value}
        ) from None
    if not amount.is_finite():
        raise PeriodError(_("%(field)s不是有效的金额。") % {"field": label})
    if amount < 0:
        raise PeriodError(
            _("%(field)s不能为负数（填写的是 %(value)s）。") % {"field": label, "value": amount}
        )
    if amount != amount.quantize(CENT):
        raise PeriodError(
            _("%(field)s最多两位小数（填写的是 %(value)s）。") % {"field": label, "value": amount}
        )
    return amount.quantize(CENT)


def _rate(value, label: str) -> Decimal:
    try:
        rate = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise PeriodError(
            _("%(field)s“%(value)s”不是有效的比例。") % {"field": label, "value": value}
        ) from None
    if not rate.is_finite() or not Decimal("0") <= rate <= Decimal("1"):
        raise PeriodError(
            _("%(field)s应在0%%至100%%之间（填写的是 %(value)s%%）。")
            % {"field": label, "value": (rate * 100).normalize() if rate.is_finite() else rate}
        )
    if rate != rate.quantize(Decimal("0.0001")):
        raise PeriodError(_("%(field)s最多精确到0.01%%。") % {"field": label})
    return rate


def period_add(
    *,
    enrollment: Enrollment,
    year: int,
    first_month: int,
    last_month: int,
    monthly_base,
    employer_rate,
    personal_rate,
    personal_account_credit,
    interest=Decimal("0.00"),
    months_paid: int | None = None,
    contributor_type: str = ContributorType.EMPLOYER,
) -> ContributionYear:
    """Before: the months ``first_month..last_month`` of ``year`` are not covered by another
    period of this enrollment; base and amounts not negative; rates within 0–100 %. After: one
    period stored, its contributions computed from base × months × rate (half-up, to the fen).
    Raises ``PeriodError`` with the precise reason and stores nothing otherwise."""
    if not 1950 <= int(year) <= 2100:
        raise PeriodError(_("缴费年度“%(year)s”不在1950至2100年之间。") % {"year": year})
    if not 1 <= int(first_month) <= int(last_month) <= 12:
        raise PeriodError(
            _("缴费起止月份应满足 1 ≤ 起始月 ≤ 截止月 ≤ 12（填写的是 %(first)s—%(last)s 月）。")
            % {"first": first_month, "last": last_month}
        )
    span = int(last_month) - int(first_month) + 1
    months = span if months_paid is None else int(months_paid)
    if not 0 <= months <= span:
        raise PeriodError(
            _("实际缴费月数 %(months)s 超出缴费起止月份（共 %(span)s 个月）。")
            % {"months": months, "span": span}
        )
    if contributor_type not in ContributorType.values:
        raise PeriodError(
            _("参保身份“%(value)s”无效，应为单位职工或个人身份参保。") % {"value": contributor_type}
        )
    base = _money(monthly_base, _("月缴费基数"))
    employer = _rate(employer_rate, _("单位缴费比例"))
    personal = _rate(personal_rate, _("个人缴费比例"))
    credit = _money(personal_account_credit, _("当年记账金额"))
    interest = _money(interest, _("当年记账利息"))
    wages = base * months
    with transaction.atomic():
        # Lock the enrollment so two concurrent writes cannot both pass the overlap check.
        Enrollment.objects.select_for_update().filter(pk=enrollment.pk).first()
        clash = (
            ContributionYear.objects.filter(
                enrollment=enrollment,
                year=year,
                first_month__lte=last_month,
                last_month__gte=first_month,
            )
            .order_by("first_month")
            .first()
        )
        if clash is not None:
            raise PeriodError(
                _(
                    "%(year)s年%(first)s—%(last)s月与本地已有的缴费期间"
                    "%(year)s年%(cfirst)s—%(clast)s月重叠，未保存。"
                )
                % {
                    "year": year,
                    "first": first_month,
                    "last": last_month,
                    "cfirst": clash.first_month,
                    "clast": clash.last_month,
                }
            )
        try:
            with transaction.atomic():
                return ContributionYear.objects.create(
                    enrollment=enrollment,
                    year=year,
                    first_month=first_month,
                    last_month=last_month,
                    months_paid=months,
                    monthly_base=base,
                    employer_rate=employer,
                    personal_rate=personal,
                    employer_contribution=(wages * employer).quantize(CENT),
                    personal_contribution=(wages * personal).quantize(CENT),
                    personal_account_credit=credit,
                    interest=interest,
                    contributor_type=contributor_type,
                )
        except IntegrityError:
            raise PeriodError(_("该缴费期间与本地已有的缴费期间重叠，未保存。")) from None


# Enrollment status ----------------------------------------------------------------------------


def _status_event(enrollment, *, to_status: str, reference: str = "", actor=None, note: str = ""):
    EnrollmentEvent.objects.create(
        enrollment=enrollment,
        from_status=enrollment.status,
        to_status=to_status,
        reference=reference,
        actor=actor if getattr(actor, "pk", None) else None,
        note=note[:200],
    )


def enrollment_mark_transferring_out(
    *, enrollment: Enrollment, actor=None, reference: str = ""
) -> Enrollment:
    """Before: a pension enrollment whose contributions have stopped (中断). After: 中断(转外省),
    its former status kept for a restore, one event. A no-op for any other status (an active
    enrollment is still being paid: only the counter can stop it). Caller holds the row lock."""
    if (
        enrollment.insurance != Insurance.PENSION
        or enrollment.status != EnrollmentStatus.INTERRUPTED
    ):
        return enrollment
    _status_event(
        enrollment,
        to_status=EnrollmentStatus.TRANSFERRING_OUT,
        reference=reference,
        actor=actor,
        note=_("生成参保缴费凭证"),
    )
    enrollment.status_before_transfer = enrollment.status
    enrollment.status = EnrollmentStatus.TRANSFERRING_OUT
    enrollment.save(update_fields=["status", "status_before_transfer"])
    return enrollment


def enrollment_restore_status(
    *, enrollment: Enrollment | int, reference: str = "", actor=None, note: str = ""
) -> Enrollment:
    """For a case rejected, returned or withdrawn. Before: any. After: an enrollment that the
    transfer marked 中断(转外省) has its former status back, with one event (from, to, case);
    one in any other status is left as it is (nothing moved yet)."""
    pk = enrollment.pk if isinstance(enrollment, Enrollment) else enrollment
    with transaction.atomic():
        enrollment = Enrollment.objects.select_for_update().get(pk=pk)
        if enrollment.status != EnrollmentStatus.TRANSFERRING_OUT:
            return enrollment
        previous = enrollment.status_before_transfer or EnrollmentStatus.INTERRUPTED
        _status_event(
            enrollment, to_status=previous, reference=reference, actor=actor,
            note=note or _("转移申请终止，恢复原参保状态"),
        )  # fmt: skip
        enrollment.status = previous
        enrollment.status_before_transfer = ""
        enrollment.save(update_fields=["status", "status_before_transfer"])
    return enrollment


# Rights -------------------------------------------------------------------------------------


def periods_of(enrollment: Enrollment) -> list[ContributionYear]:
    return list(
        ContributionYear.objects.filter(enrollment=enrollment).order_by("year", "first_month")
    )


def carried_into(enrollment: Enrollment) -> list[RightsMovement]:
    """Rights received at ``enrollment`` from earlier transfers, oldest first."""
    return list(
        RightsMovement.objects.filter(to_enrollment=enrollment, status=MovementStatus.RECEIVED)
        .select_related("from_region__parent__parent")
        .order_by("transfer_date", "id")
    )


def transfer_rights(*, enrollment: Enrollment, transfer_date: datetime.date) -> Rights:
    """What a transfer from ``enrollment`` on ``transfer_date`` moves: its own periods and the
    rights it received earlier (``insured.rights``). Reads only."""
    records = [YearRecord.from_row(p) for p in periods_of(enrollment)]
    carried = [Carried.from_row(m) for m in carried_into(enrollment) if m.transfer_date]
    if enrollment.insurance == Insurance.PENSION:
        return pension_rights(
            records,
            transfer_date=transfer_date,
            account_kind=enrollment.account_kind,
            carried=carried,
        )
    return medical_rights(records, transfer_date=transfer_date, carried=carried)


FUNDS_FIELDS = (
    "months",
    "before_1998",
    "since_1998_to_last_year",
    "transfer_year_principal",
    "personal_account",
    "pooled_fund",
    "total",
)


def rights_send(
    *,
    enrollment: Enrollment | int,
    to_enrollment: Enrollment | int,
    reference: str,
    transfer_date: datetime.date,
) -> Rights:
    """The transfer-out agency issues the info sheet. Before: the enrollment still holds its
    rights. After: they are in transit (one ``RightsMovement``, keyed by the case serial), the
    enrollment is 已转出 (end month set if open) with one event. Returns what moves (①–⑥,
    months, wages basis). Safe to repeat: the same serial updates the same entry."""
    pk = enrollment.pk if isinstance(enrollment, Enrollment) else enrollment
    to_pk = to_enrollment.pk if isinstance(to_enrollment, Enrollment) else to_enrollment
    with transaction.atomic():
        enrollment = Enrollment.objects.select_for_update().get(pk=pk)
        rights = transfer_rights(enrollment=enrollment, transfer_date=transfer_date)
        RightsMovement.objects.update_or_create(
            reference=reference,
            defaults={
                "to_enrollment_id": to_pk,
                "from_enrollment": enrollment,
                "from_region_id": enrollment.region_id,
                "status": MovementStatus.IN_TRANSIT,
                "transfer_date": transfer_date,
                "months": rights["months"],
                "before_1998": rights["before_1998"],
                "since_1998_to_last_year": rights["since_1998_to_last_year"],
                "transfer_year_principal": rights["transfer_year_principal"],
                "personal_account": rights["personal_account"],
                "pooled_fund": rights["pooled_fund"],
                "wages_since_1998": rights["wages_since_1998"],
                "sent_at": timezone.now(),
            },
        )
        if enrollment.status != EnrollmentStatus.TRANSFERRED_OUT:
            _status_event(
                enrollment,
                to_status=EnrollmentStatus.TRANSFERRED_OUT,
                reference=reference,
                note=_("出具信息表，权益转出"),
            )
            enrollment.status = EnrollmentStatus.TRANSFERRED_OUT
            enrollment.status_before_transfer = ""
            if enrollment.end_month is None:
                enrollment.end_month = transfer_date.replace(day=1)
            enrollment.save(update_fields=["status", "status_before_transfer", "end_month"])
    return rights


def rights_receive(
    *,
    reference: str,
    to_enrollment: Enrollment | int,
    from_enrollment: Enrollment | int | None = None,
    from_region_id: str = "",
    months: int = 0,
    personal_account: Decimal = Decimal("0.00"),
    pooled_fund: Decimal = Decimal("0.00"),
) -> RightsMovement:
    """The transfer-in agency records the rights (记录个人权益). Before: the case's rights are
    in transit (or, for a case whose info sheet predates the ledger, the figures are given).
    After: they are part of ``to_enrollment``'s history. Safe to repeat."""
    to_pk = to_enrollment.pk if isinstance(to_enrollment, Enrollment) else to_enrollment
    with transaction.atomic():
        movement = RightsMovement.objects.select_for_update().filter(reference=reference).first()
        if movement is None:
            # A case whose info sheet was issued before the ledger existed: record the sums it
            # remitted, as the old table did (the parts of the account are not known).
            from_pk = (
                from_enrollment.pk if isinstance(from_enrollment, Enrollment) else from_enrollment
            )
            movement = RightsMovement(
                reference=reference,
                to_enrollment_id=to_pk,
                from_enrollment_id=from_pk,
                from_region_id=from_region_id,
                transfer_date=timezone.localdate(),
                months=months,
                since_1998_to_last_year=personal_account,
                personal_account=personal_account,
                pooled_fund=pooled_fund,
                wages_since_1998=(pooled_fund / Decimal("0.12")).quantize(CENT),
            )
        if movement.status == MovementStatus.RECEIVED and movement.pk:
            return movement
        movement.status = MovementStatus.RECEIVED
        movement.recorded_at = timezone.now()
        movement.save()
    return movement


def chain_of(enrollment: Enrollment) -> list[Enrollment]:
    """``enrollment`` and every enrollment whose rights reached it through received transfers
    (A → B → C: C, B, A). For the dates the info sheet prints about the whole account."""
    seen = {enrollment.pk: enrollment}
    queue = [enrollment.pk]
    while queue:
        sources = list(
            Enrollment.objects.filter(
                transferred_out__to_enrollment_id__in=queue,
                transferred_out__status=MovementStatus.RECEIVED,
            ).exclude(pk__in=list(seen))
        )
        queue = [e.pk for e in sources]
        seen.update({e.pk: e for e in sources})
    return list(seen.values())


def account_dates(enrollment: Enrollment) -> tuple[datetime.date | None, datetime.date | None]:
    """(本人首次缴费时间, 建立个人账户时间) over the account's whole chain: the first month paid
    anywhere along it, and the real opening month where recorded (may be before 1998), else
    the first month paid."""
    chain = chain_of(enrollment)
    firsts = [
        datetime.date(year, month, 1)
        for year, month in ContributionYear.objects.filter(
            enrollment__in=chain, months_paid__gt=0
        ).values_list("year", "first_month")
    ]
    first = min(firsts) if firsts else None
    opened = [e.account_opened for e in chain if e.account_opened]
    return first, (min(opened) if opened else first)


def enrollment_interrupt(
    *,
    enrollment: Enrollment,
    last_month: datetime.date | None = None,
    actor=None,
    note: str = "",
) -> Enrollment:
    """Contributions stop (the employer's 停保, or the counter). Before: active. After:
    中断 with its last paid month (given, else the last month of its periods) as end month,
    one event. A no-op for any other status."""
    with transaction.atomic():
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if enrollment.status != EnrollmentStatus.ACTIVE:
            return enrollment
        if last_month is None:
            last = (
                ContributionYear.objects.filter(enrollment=enrollment, months_paid__gt=0)
                .order_by("-year", "-last_month")
                .first()
            )
            last_month = last.last if last else enrollment.start_month
        _status_event(
            enrollment, to_status=EnrollmentStatus.INTERRUPTED, actor=actor,
            note=note or _("停止缴费"),
        )  # fmt: skip
        enrollment.status = EnrollmentStatus.INTERRUPTED
        enrollment.end_month = last_month.replace(day=1)
        enrollment.save(update_fields=["status", "end_month"])
    return enrollment


# 城乡制度衔接 (人社部发〔2014〕17号) ------------------------------------------------------------


def resident_years_of(enrollment: Enrollment | int) -> list[ResidentYear]:
    pk = enrollment.pk if isinstance(enrollment, Enrollment) else enrollment
    return [
        ResidentYear.from_row(p)
        for p in ResidentPayment.objects.filter(enrollment_id=pk).order_by("year")
    ]


def employee_months_of(person_id: int) -> set[tuple[int, int]]:
    """Every (year, month) the person paid to the employee pension, at any place (a period's
    whole span, as ``transfers.amounts.overlapping_months`` reads it)."""
    months: set[tuple[int, int]] = set()
    for year, first, last in ContributionYear.objects.filter(
        enrollment__person_id=person_id,
        enrollment__insurance=EnrollmentInsurance.PENSION,
        months_paid__gt=0,
    ).values_list("year", "first_month", "last_month"):
        months.update((year, month) for month in range(first, last + 1))
    return months


def bridging_figures(*, resident: Enrollment, employee: Enrollment) -> tuple[Decimal, Refund]:
    """(the resident personal account, the overlap refund of art. 8). Reads only."""
    years = resident_years_of(resident)
    return resident_account(years), overlap_refund(years, employee_months_of(resident.person_id))


def overlap_refund_fix(*, reference: str, resident: Enrollment, refund: Refund, account: Decimal):
    """The bridging case's info sheet fixes the refund (not yet recorded). Safe to repeat."""
    row, _created = OverlapRefund.objects.get_or_create(
        reference=reference,
        defaults={
            "enrollment": resident,
            "amount": refund.amount,
            "months": refund.months,
            "first_month": refund.first,
            "last_month": refund.last,
            "resident_account": account,
        },
    )
    return row


def bridging_record(
    *,
    reference: str,
    from_enrollment: Enrollment | int,
    to_enrollment: Enrollment | int,
    months: int,
    personal_account: Decimal,
) -> RightsMovement:
    """The transfer-in agency records the bridging (记录个人权益). Before: the case's figures
    are fixed (its ``OverlapRefund`` included). After, in one transaction: ``to_enrollment``
    received ``personal_account`` and ``months`` (a ``RightsMovement``); the overlap refund is
    recorded (the resident account and months no longer hold it); ``from_enrollment`` is 已衔接
    with ¥0.00 and one event. So merged + refunded = the account that left. Safe to repeat."""
    from_pk = from_enrollment.pk if isinstance(from_enrollment, Enrollment) else from_enrollment
    with transaction.atomic():
        source = Enrollment.objects.select_for_update().get(pk=from_pk)
        movement = rights_receive(
            reference=reference,
            to_enrollment=to_enrollment,
            from_enrollment=source,
            from_region_id=source.region_id,
            months=months,
            personal_account=personal_account,
        )
        OverlapRefund.objects.filter(reference=reference, recorded_at__isnull=True).update(
            recorded_at=timezone.now()
        )
        if source.status != EnrollmentStatus.BRIDGED:
            _status_event(
                source,
                to_status=EnrollmentStatus.BRIDGED,
                reference=reference,
                note=_("城乡养老保险制度衔接，个人账户并入"),
            )
            source.status = EnrollmentStatus.BRIDGED
            source.status_before_transfer = ""
            if source.end_month is None:
                source.end_month = timezone.localdate().replace(day=1)
            source.save(update_fields=["status", "status_before_transfer", "end_month"])
    return movement
