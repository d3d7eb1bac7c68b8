import contextlib
import uuid

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies import names
from agencies.models import (
    Agency,
    BankAccountChange,
    BankChangeStatus,
    CalendarDay,
    CalendarDayProposal,
    ProposalStatus,
    Region,
    StaffRole,
)
from agencies.regions import current_regions
from agencies.selectors import CALENDAR_VERSION_KEY, clerk_of, forget_official_calendar
from core.errors import DomainError, NotAllowed, TransitionNotAllowed


@transaction.atomic
def regions_load() -> int:
    """Load the current GB/T 2260 tree; existing codes keep their online switch. Idempotent."""
    existing = set(Region.objects.values_list("code", flat=True))
    new = [
        Region(
            code=row.code,
            name=row.name,
            level=row.level,
            parent_id=row.parent,
            online_transfer_enabled=row.online_transfer_enabled,
        )
        for row in current_regions()
        if row.code not in existing
    ]
    Region.objects.bulk_create(new, batch_size=1000)  # bulk: no signals, so say it here
    names.invalidate()
    return len(new)


def _calendar_changed() -> None:
    # After commit only: a rolled-back edit must not make other processes reload.
    def bump():
        forget_official_calendar()
        # The cache down: every process reads the table each time (official_calendar).
        with contextlib.suppress(Exception):
            cache.set(CALENDAR_VERSION_KEY, uuid.uuid4().hex, timeout=None)

    transaction.on_commit(bump)


def calendar_day_save(*, day: CalendarDay) -> CalendarDay:
    """Before: ``day`` passed ``full_clean``. After: it is stored and every process counts
    working days with it once the transaction commits."""
    day.save()
    _calendar_changed()
    return day


def calendar_days_delete(*, days: list[CalendarDay]) -> int:
    """Remove entries of the calendar table; every process forgets them on commit."""
    deleted, _by_model = CalendarDay.objects.filter(pk__in=[d.pk for d in days]).delete()
    _calendar_changed()
    return deleted


def _check_superuser(actor) -> None:
    if actor is None or not actor.is_active or not actor.is_superuser:
        raise NotAllowed(_("只有系统管理员可以变更经办机构的银行账户。"))


@transaction.atomic
def bank_change_request(
    *, agency: Agency, actor, account_name: str, bank_name: str, account_number: str
) -> BankAccountChange:
    """Propose a new fund account for ``agency``; nothing changes until a second superuser
    approves. One pending proposal per agency."""
    _check_superuser(actor)
    values = [v.strip() for v in (account_name, bank_name, account_number)]
    if not all(values):
        raise DomainError(_("请填写开户名称、开户银行和银行账号。"), code="bank_account_incomplete")
    if not values[2].isdigit() or not 8 <= len(values[2]) <= 40:
        raise DomainError(_("银行账号应为8至40位数字。"), code="bank_account_invalid")
    Agency.objects.select_for_update().get(pk=agency.pk)
    if BankAccountChange.objects.filter(agency=agency, status=BankChangeStatus.PENDING).exists():
        raise TransitionNotAllowed(
            _("该经办机构已有一项待复核的银行账户变更，请先复核或驳回。"),
            code="bank_change_pending",
        )
    return BankAccountChange.objects.create(
        agency=agency,
        bank_account_name=values[0],
        bank_name=values[1],
        bank_account_number=values[2],
        requested_by=actor,
    )


def _decide(change: BankAccountChange, actor) -> BankAccountChange:
    _check_superuser(actor)
    change = BankAccountChange.objects.select_for_update().get(pk=change.pk)
    if change.status != BankChangeStatus.PENDING:
        raise TransitionNotAllowed(_("该变更已复核过。"), code="bank_change_decided")
    if change.requested_by_id == actor.pk:
        raise NotAllowed(
            _("银行账户变更须由另一名系统管理员复核，申请人不能复核自己的申请。"),
            code="four_eyes",
        )
    return change


@transaction.atomic
def bank_change_approve(*, change: BankAccountChange, actor) -> BankAccountChange:
    """A second superuser approves: the agency's account changes now, in the same transaction."""
    change = _decide(change, actor)
    agency = Agency.objects.select_for_update().get(pk=change.agency_id)
    agency.bank_account_name = change.bank_account_name
    agency.bank_name = change.bank_name
    agency.bank_account_number = change.bank_account_number
    agency.save(update_fields=["bank_account_name", "bank_name", "bank_account_number"])
    change.status = BankChangeStatus.APPROVED
    change.decided_by, change.decided_at = actor, timezone.now()
    change.save(update_fields=["status", "decided_by", "decided_at"])
    return change


@transaction.atomic
def bank_change_reject(*, change: BankAccountChange, actor) -> BankAccountChange:
    change = _decide(change, actor)
    change.status = BankChangeStatus.REJECTED
    change.decided_by, change.decided_at = actor, timezone.now()
    change.save(update_fields=["status", "decided_by", "decided_at"])
    return change


def calendar_proposal_create(
    *, actor, date, kind: str, name: str, source: str
) -> CalendarDayProposal:
    """Before: ``actor`` is the supervisor (经办主管) of an agency, or a superuser. After: the day
    waits for a superuser to publish it; it changes no due date yet. Raises ValidationError
    with the same checks as the calendar table (a make-up working day is a weekend day)."""
    clerk = clerk_of(actor)
    if not (
        getattr(actor, "is_superuser", False)
        or (clerk is not None and clerk.role == StaffRole.SUPERVISOR)
    ):
        raise NotAllowed(_("只有经办主管可以提出节假日安排。"))
    CalendarDay(date=date, kind=kind, name=name, source=source).full_clean(validate_unique=False)
    return CalendarDayProposal.objects.create(
        date=date, kind=kind, name=name, source=source, proposed_by=actor
    )


def calendar_proposal_decide(*, proposal: CalendarDayProposal, actor, publish: bool) -> None:
    """Before: the proposal waits, ``actor`` is a superuser other than its author. After: it is
    published into the calendar table (an existing entry of that date is replaced) or set
    aside. Publishing does not recompute due dates by itself: the caller does that after."""
    if not getattr(actor, "is_superuser", False):
        raise NotAllowed(_("只有系统管理员可以发布节假日安排。"))
    if proposal.proposed_by_id == actor.pk:
        raise NotAllowed(_("节假日安排须由提出人以外的系统管理员发布。"))
    with transaction.atomic():
        locked = CalendarDayProposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.status != ProposalStatus.PROPOSED:
            raise TransitionNotAllowed(_("该节假日安排已处理。"))
        if publish:
            day = CalendarDay.objects.filter(date=locked.date).first() or CalendarDay(
                date=locked.date
            )
            day.kind, day.name, day.source = locked.kind, locked.name, locked.source
            day.full_clean()
            calendar_day_save(day=day)
        locked.status = ProposalStatus.PUBLISHED if publish else ProposalStatus.REJECTED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
