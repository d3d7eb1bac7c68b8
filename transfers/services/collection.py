"""归集: at retirement the benefit place collects a temporary account (临时基本养老保险缴费账户)
into the relationship it holds (国办发〔2009〕66号 art. 8(2), DOMAIN.md "Temporary accounts and
the 50/40 rule"). The benefit place's reviewer starts the case; from then on it runs the
transfer's own moves: contact letter, acknowledgement, info sheet (line ⑤: every employer
contribution), remittance and receipt."""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Insurance, Region
from agencies.selectors import agency_for, clerk_of
from core.errors import DomainError
from insured.models import AccountKind, Enrollment, EnrollmentStatus, InsuredPerson
from transfers.models import CaseKind, Category, TransferApplication, TransferCase
from transfers.services.base import apply_move, authorize
from transfers.services.submission import next_serial_no
from transfers.workflow import OPEN_STATUSES, CaseStatus

logger = logging.getLogger(__name__)


def uncollected_temporary_accounts(*, person: InsuredPerson):
    """The person's temporary pension accounts not yet collected (or closed), as a queryset."""
    return Enrollment.objects.filter(
        person=person, insurance=Insurance.PENSION, account_kind=AccountKind.TEMPORARY
    ).exclude(status__in=[EnrollmentStatus.TRANSFERRED_OUT, EnrollmentStatus.CLOSED])


def temporary_accounts_of(*, person: InsuredPerson, from_region: Region) -> list[Enrollment]:
    """The person's temporary pension accounts kept by the agency of ``from_region``."""
    agency = agency_for(region=from_region, insurance=Insurance.PENSION)
    if agency is None:
        return []
    return list(uncollected_temporary_accounts(person=person).filter(agency=agency))


def temporary_accounts_elsewhere(*, person: InsuredPerson, agency) -> list[Enrollment]:
    """What ``agency``, if it is the benefit place, may collect: the person's uncollected
    temporary pension accounts kept by other agencies (``collection_start`` decides)."""
    return list(
        uncollected_temporary_accounts(person=person)
        .exclude(agency=agency)
        .select_related("agency", "region")
        .order_by("start_month", "pk")
    )


def collection_start(*, person: InsuredPerson, from_enrollment: Enrollment, actor) -> TransferCase:
    """Before: ``from_enrollment`` is a temporary pension account of ``person`` not yet
    collected; ``actor`` is a reviewer of the benefit place, where the person holds an ordinary
    pension relationship. After: an accepted collection case (its own one-case application),
    the temporary account sealed if it was not; the contact letter follows after commit."""
    if (
        from_enrollment.person_id != person.pk
        or from_enrollment.insurance != Insurance.PENSION
        or from_enrollment.account_kind != AccountKind.TEMPORARY
    ):
        raise DomainError(
            _("只能归集参保人本人的临时基本养老保险缴费账户。"), code="not_a_temporary_account"
        )
    if from_enrollment.status in (EnrollmentStatus.TRANSFERRED_OUT, EnrollmentStatus.CLOSED):
        raise DomainError(_("该临时缴费账户已归集或已终止。"), code="already_collected")
    probe = TransferCase(person=person, transfer_in_agency=None, transfer_out_agency=None)
    now = timezone.now()
    with transaction.atomic():
        # The benefit place is the actor's agency: authorize on a case not yet saved.
        clerk = clerk_of(actor)
        if clerk is None:
            raise DomainError(_("只有经办机构工作人员可以发起归集。"), code="forbidden")
        benefit_agency = clerk.agency
        probe.transfer_in_agency = benefit_agency
        probe.transfer_out_agency = from_enrollment.agency
        agency = authorize(probe, actor, "collect")
        if from_enrollment.agency_id == benefit_agency.pk:
            raise DomainError(_("临时缴费账户就在本经办机构，不需要跨地归集。"), code="same_agency")
        to_enrollment = (
            Enrollment.objects.filter(
                person=person,
                insurance=Insurance.PENSION,
                agency=benefit_agency,
                account_kind=AccountKind.ORDINARY,
            )
            .exclude(status__in=[EnrollmentStatus.TRANSFERRED_OUT, EnrollmentStatus.CLOSED])
            .order_by("-start_month")
            .first()
        )
        if to_enrollment is None:
            raise DomainError(
                _(
                    "参保人在本经办机构（%(agency)s）没有基本养老保险关系，本地不是待遇领取地，"
                    "不能发起归集。"
                )
                % {"agency": benefit_agency.name},
                code="not_benefit_place",
            )
        if TransferCase.objects.filter(
            from_enrollment=from_enrollment, status__in=sorted(OPEN_STATUSES)
        ).exists():
            raise DomainError(
                _("该临时缴费账户已有正在办理的归集。"), code="collection_in_progress"
            )
        account = Enrollment.objects.select_for_update().get(pk=from_enrollment.pk)
        if account.sealed_at is None:
            # The person has moved on (or retires): the account is sealed before it moves.
            account.sealed_at = timezone.localdate(now)
            account.status = EnrollmentStatus.INTERRUPTED
            account.save(update_fields=["sealed_at", "status"])
        serial_no = next_serial_no(day=timezone.localdate(now))
        try:
            with transaction.atomic():
                application = TransferApplication.objects.create(
                    number=serial_no,
                    person=person,
                    insurance=Insurance.PENSION,
                    kind=CaseKind.COLLECTION,
                    submitted_at=now,
                )
                case = TransferCase.objects.create(
                    serial_no=serial_no,
                    application=application,
                    person=person,
                    insurance=Insurance.PENSION,
                    kind=CaseKind.COLLECTION,
                    category=Category.ENTERPRISE,
                    from_region=account.region,
                    to_region=to_enrollment.region,
                    transfer_out_agency=account.agency,
                    transfer_in_agency=benefit_agency,
                    from_enrollment=account,
                    to_enrollment=to_enrollment,
                    status=CaseStatus.SUBMITTED,  # the collect move takes it to accepted
                    contact_phone=person.phone or benefit_agency.phone,
                    hukou_address=person.hukou_address,
                    submitted_at=now,
                )
        except IntegrityError:
            raise DomainError(
                _("该临时缴费账户已有正在办理的归集。"), code="collection_in_progress"
            ) from None
        apply_move(
            case,
            "collect",
            actor=actor,
            agency=agency,
            note=_("%(agency)s，%(start)s起")
            % {
                "agency": account.agency.name,
                "start": f"{account.start_month:%Y-%m}",
            },
        )
    logger.info("Collection case %s started", case.serial_no)
    return case
