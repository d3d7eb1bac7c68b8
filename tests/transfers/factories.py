"""Transfer cases in any workflow state, and the people around one.

``TransferCaseFactory(letter_sent=True)`` builds a case as the services would have left it in
that state (stages, funds, remittance, the acknowledge event), without running the pipeline.
``make_parties()`` gives both agencies with a clerk per role, plus an outsider agency's clerk;
``make_mover()`` a person insured in Beijing Chaoyang who now works and pays in Nanjing.
All need the ``regions`` fixture (the real GB/T 2260 tree)."""

import datetime
import itertools
from dataclasses import dataclass
from decimal import Decimal

import factory
from django.utils import timezone

from agencies.models import Agency, StaffMembership, StaffRole
from insured.models import ContributionYear, Enrollment, EnrollmentStatus, InsuredPerson
from tests.factories import (
    AgencyFactory,
    ContributionYearFactory,
    EnrollmentFactory,
    PersonFactory,
    StaffFactory,
    region,
)
from transfers.models import (
    CaseEvent,
    FundRemittance,
    Stage,
    StageName,
    TransferApplication,
    TransferCase,
    TransferFunds,
)
from transfers.workflow import OPEN_STATUSES, RUNNING_STAGE, CaseStatus

OUT_REGION = "110105"  # 北京市朝阳区: transfer-out agency (its own district agency)
IN_REGION = "320106"  # 南京市鼓楼区: served by the Nanjing city agency (320100)
IN_POOLING_REGION = "320100"
OUTSIDER_REGION = "310101"  # 上海市黄浦区: an agency that is party to nothing here


def beijing() -> Agency:
    return AgencyFactory(region=region(OUT_REGION))


def nanjing() -> Agency:
    return AgencyFactory(region=region(IN_POOLING_REGION))


def shanghai() -> Agency:
    return AgencyFactory(region=region(OUTSIDER_REGION))


@dataclass
class Parties:
    out_agency: Agency
    in_agency: Agency
    in_reviewer: object
    in_finance: object
    out_reviewer: object
    out_finance: object
    out_finance_2: object
    in_supervisor: object
    outsider_reviewer: object
    outsider_finance: object


_logins = itertools.count(1)


def login(username: str | None = None, **fields):
    """A user without a usable password: no PBKDF2 (~0.2 s a user); tests use tokens."""
    from django.contrib.auth import get_user_model

    username = username or f"mover{next(_logins)}"
    user, created = get_user_model().objects.get_or_create(username=username, defaults=fields)
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _clerk(username: str, agency: Agency, role: str):
    """The clerk ``username`` (made once; a second call returns the same one)."""
    user = login(username, is_staff=True)
    membership = StaffMembership.objects.filter(user=user).first()
    return membership or StaffFactory(user=user, agency=agency, role=role)


def make_parties() -> Parties:
    out_agency, in_agency, other = beijing(), nanjing(), shanghai()
    return Parties(
        out_agency=out_agency,
        in_agency=in_agency,
        in_reviewer=_clerk("nj-review", in_agency, StaffRole.REVIEWER).user,
        in_finance=_clerk("nj-finance", in_agency, StaffRole.FINANCE).user,
        out_reviewer=_clerk("bj-review", out_agency, StaffRole.REVIEWER).user,
        out_finance=_clerk("bj-finance", out_agency, StaffRole.FINANCE).user,
        out_finance_2=_clerk("bj-finance-2", out_agency, StaffRole.FINANCE).user,
        in_supervisor=_clerk("nj-supervisor", in_agency, StaffRole.SUPERVISOR).user,
        outsider_reviewer=_clerk("sh-review", other, StaffRole.REVIEWER).user,
        outsider_finance=_clerk("sh-finance", other, StaffRole.FINANCE).user,
    )


def this_year() -> int:
    return timezone.localdate().year


def pension_years(enrollment: Enrollment) -> None:
    """The Beijing pension history used for hand-computed amounts (Y = this year):
    1997 base 3000 ×12; Y-2 base 8000 ×12; Y-1 base 9137.50 months 1–6; Y base 10000 months
    1–2. Personal 8% credited, employer 16%, interest 2% of the credit (tests.factories)."""
    y = this_year()
    ContributionYearFactory(enrollment=enrollment, year=1997, monthly_base=Decimal("3000.00"))
    ContributionYearFactory(enrollment=enrollment, year=y - 2, monthly_base=Decimal("8000.00"))
    ContributionYearFactory(
        enrollment=enrollment, year=y - 1, last_month=6, monthly_base=Decimal("9137.50")
    )
    ContributionYearFactory(
        enrollment=enrollment, year=y, last_month=2, monthly_base=Decimal("10000.00")
    )


# Hand-computed from pension_years (国办发〔2009〕66号 art. 4):
#   ① 1997: personal 3000×8%×12 = 2880.00 + interest 57.60                    = 2937.60
#   ② Y-2: 7680.00 + 153.60 = 7833.60; Y-1: 9137.50×8%×6 = 4386.00 + 87.72 = 4473.72
#                                                                              = 12307.32
#   ③ Y: 10000×8%×2 (principal only, no interest)                             = 1600.00
#   ④ = ① + ② + ③                                                             = 16844.92
#   ⑤ 12% × (8000×12 + 9137.50×6 + 10000×2) = 12% × 170825.00                 = 20499.00
#   ⑥ = ④ + ⑤                                                                 = 37343.92
#   months: 12 + 12 + 6 + 2                                                    = 32
PENSION_EXPECTED = {
    "before_1998": Decimal("2937.60"),
    "since_1998_to_last_year": Decimal("12307.32"),
    "transfer_year_principal": Decimal("1600.00"),
    "personal_account": Decimal("16844.92"),
    "pooled_fund": Decimal("20499.00"),
    "total": Decimal("37343.92"),
    "months": 32,
}


def medical_years(enrollment: Enrollment) -> None:
    """Beijing medical history: Y-2 ×12 with 2400.00 credited; Y-1 months 1–6 with 1300.50
    credited and 12.34 interest."""
    y = this_year()
    ContributionYearFactory(
        enrollment=enrollment,
        year=y - 2,
        personal_account_credit=Decimal("2400.00"),
        interest=Decimal("0.00"),
    )
    ContributionYearFactory(
        enrollment=enrollment,
        year=y - 1,
        last_month=6,
        personal_account_credit=Decimal("1300.50"),
        interest=Decimal("12.34"),
    )


# Medical moves only the personal account balance: 2400.00 + 1300.50 + 12.34; months 12 + 6.
MEDICAL_EXPECTED = {
    "personal_account": Decimal("3712.84"),
    "total": Decimal("3712.84"),
    "months": 18,
}


def make_mover(
    parties: Parties,
    *,
    insurance: str = "pension",
    person: InsuredPerson | None = None,
    username: str | None = None,
) -> InsuredPerson:
    """A person with a login, insured in Beijing Chaoyang (interrupted since Y-1 July, with the
    history above) and enrolled and paying in Nanjing since then (Y months overlap for
    pension: Nanjing Y-1 7–12 and Y 1–10, Beijing Y 1–2)."""
    y = this_year()
    if person is None:
        user = login(username)
        person = PersonFactory(user=user)
    out = EnrollmentFactory(
        person=person,
        insurance=insurance,
        agency=parties.out_agency,
        region=region(OUT_REGION),
        start_month=datetime.date(1997, 1, 1)
        if insurance == "pension"
        else datetime.date(y - 2, 1, 1),
        end_month=datetime.date(y - 1, 6, 1),
        status=EnrollmentStatus.INTERRUPTED,
    )
    (pension_years if insurance == "pension" else medical_years)(out)
    into = EnrollmentFactory(
        person=person,
        insurance=insurance,
        agency=parties.in_agency,
        region=region(IN_REGION),
        start_month=datetime.date(y - 1, 7, 1),
        status=EnrollmentStatus.ACTIVE,
    )
    ContributionYearFactory(enrollment=into, year=y - 1, first_month=7, last_month=12)
    ContributionYearFactory(enrollment=into, year=y, first_month=1, last_month=10)
    return person


# The states in workflow order, and which stages each has started / completed.
ORDER = [
    CaseStatus.SUBMITTED,
    CaseStatus.ACCEPTED,
    CaseStatus.LETTER_SENT,
    CaseStatus.LETTER_RECEIVED,
    CaseStatus.INFO_SHEET_ISSUED,
    CaseStatus.REMITTING,
    CaseStatus.FUNDS_REMITTED,
    CaseStatus.COMPLETED,
]
# An ended state and the state it left.
ENDED_FROM = {
    CaseStatus.REJECTED: CaseStatus.SUBMITTED,
    CaseStatus.WITHDRAWN: CaseStatus.SUBMITTED,
    CaseStatus.RETURNED: CaseStatus.LETTER_SENT,
}


class TransferCaseFactory(factory.django.DjangoModelFactory):
    """A case in any state: ``TransferCaseFactory(letter_sent=True)``; the parties and the
    mover are made unless given (``parties=…`` is a Param)."""

    class Meta:
        model = TransferCase
        exclude = ["parties"]
        skip_postgeneration_save = True

    class Params:
        accepted = factory.Trait(status=CaseStatus.ACCEPTED)
        letter_sent = factory.Trait(status=CaseStatus.LETTER_SENT)
        letter_received = factory.Trait(status=CaseStatus.LETTER_RECEIVED)
        info_sheet_issued = factory.Trait(status=CaseStatus.INFO_SHEET_ISSUED)
        remitting = factory.Trait(status=CaseStatus.REMITTING)
        funds_remitted = factory.Trait(status=CaseStatus.FUNDS_REMITTED)
        completed = factory.Trait(status=CaseStatus.COMPLETED)
        rejected = factory.Trait(status=CaseStatus.REJECTED, end_reason="材料不全")
        returned = factory.Trait(status=CaseStatus.RETURNED, end_reason="信息不符")
        withdrawn = factory.Trait(status=CaseStatus.WITHDRAWN, end_reason="申请人撤回")

    parties = factory.LazyFunction(make_parties)
    serial_no = factory.Sequence(lambda n: f"{timezone.localdate():%Y%m%d}{90000000 + n:08d}")
    insurance = "pension"
    category = factory.LazyAttribute(
        lambda o: "enterprise" if o.insurance == "pension" else "employee"
    )
    person = factory.LazyAttribute(lambda o: make_mover(o.parties, insurance=o.insurance))
    from_region = factory.LazyFunction(lambda: region(OUT_REGION))
    to_region = factory.LazyFunction(lambda: region(IN_REGION))
    transfer_out_agency = factory.LazyAttribute(lambda o: o.parties.out_agency)
    transfer_in_agency = factory.LazyAttribute(lambda o: o.parties.in_agency)
    from_enrollment = factory.LazyAttribute(
        lambda o: Enrollment.objects.filter(
            person=o.person, insurance=o.insurance, agency=o.parties.out_agency
        ).first()
    )
    to_enrollment = factory.LazyAttribute(
        lambda o: Enrollment.objects.filter(
            person=o.person, insurance=o.insurance, agency=o.parties.in_agency
        ).first()
    )
    status = CaseStatus.SUBMITTED
    # A one-place application numbered like its case (as transfer_submit makes it).
    application = factory.LazyAttribute(
        lambda o: TransferApplication.objects.create(
            number=o.serial_no,
            person=o.person,
            insurance=o.insurance,
            is_open=o.status in OPEN_STATUSES,
            submitted_at=timezone.now(),
        )
    )
    contact_phone = "13912345678"
    hukou_address = "北京市朝阳区建国路1号"

    @factory.post_generation
    def history(case, create, extracted, **kwargs):
        """Stages, funds, remittance and the events the services would have written."""
        if not create:
            return
        parties = kwargs.get("parties")
        now = timezone.now()
        today = timezone.localdate()
        due = today + datetime.timedelta(days=21)
        reached = ENDED_FROM.get(case.status, case.status)
        step = ORDER.index(reached)
        Stage.objects.create(
            case=case,
            name=StageName.CERTIFICATE,
            started_at=now,
            completed_at=now,
            agency=case.transfer_out_agency,
        )
        Stage.objects.create(
            case=case,
            name=StageName.REVIEW,
            agency=case.transfer_in_agency,
            started_at=now,
            due_date=due,
            # The review ends when the letter is out (or when the case ended there).
            completed_at=now if step >= 2 or case.status in ENDED_FROM else None,
        )
        # Past events: their follow-ups ran long ago (born dispatched, as in the outbox).
        CaseEvent.objects.create(
            case=case, action="submit", to_status=CaseStatus.SUBMITTED, dispatched_at=now
        )
        if step >= 2:
            Stage.objects.create(
                case=case,
                name=StageName.TRANSFER_OUT,
                agency=case.transfer_out_agency,
                started_at=now,
                due_date=due,
                completed_at=now if step >= 6 or case.status == CaseStatus.RETURNED else None,
            )
        if step >= 3 and case.status not in ENDED_FROM:
            CaseEvent.objects.create(
                case=case,
                action="acknowledge",
                from_status=CaseStatus.LETTER_SENT,
                to_status=CaseStatus.LETTER_RECEIVED,
                actor=_user_for(case, "out_reviewer", parties),
                agency=case.transfer_out_agency,
                dispatched_at=now,
            )
        if step >= 4:
            TransferFunds.objects.create(
                case=case,
                months=18,
                before_1998=Decimal("0.00"),
                since_1998_to_last_year=Decimal("1000.00"),
                transfer_year_principal=Decimal("0.00"),
                personal_account=Decimal("1000.00"),
                pooled_fund=Decimal("2345.60"),
                total=Decimal("3345.60"),
            )
        if step >= 5:
            paid = step >= 6  # the bank returned its reference
            FundRemittance.objects.create(
                case=case,
                idempotency_key=f"remit-{case.serial_no}",
                amount=Decimal("3345.60"),
                from_account="北京",
                to_account="南京",
                approved_by=_user_for(case, "out_finance", parties),
                payer_agency=case.transfer_out_agency,
                payee_agency=case.transfer_in_agency,
                bank_reference=f"LBTEST{case.serial_no}" if paid else "",
                paid_at=now if paid else None,
            )
        if step >= 6:
            Stage.objects.create(
                case=case,
                name=StageName.TRANSFER_IN,
                agency=case.transfer_in_agency,
                started_at=now,
                due_date=due,
                completed_at=now if step >= 7 else None,
            )
        if case.status in RUNNING_STAGE:
            case.current_due_date = due
            case.save(update_fields=["current_due_date"])


def _user_for(case: TransferCase, role_attr: str, parties: Parties | None):
    """The clerk of ``case``'s agencies with that role (the one make_parties made)."""
    from django.contrib.auth import get_user_model

    if parties is not None:
        return getattr(parties, role_attr)
    usernames = {"out_reviewer": "bj-review", "out_finance": "bj-finance"}
    return get_user_model().objects.get(username=usernames[role_attr])


def case_in(state: str, parties: Parties, **kwargs) -> TransferCase:
    """A case in ``state`` between ``parties``' agencies, with a fresh mover."""
    insurance = kwargs.pop("insurance", "pension")
    person = kwargs.pop("person", None) or make_mover(parties, insurance=insurance)
    return TransferCaseFactory(
        parties=parties,
        person=person,
        insurance=insurance,
        history__parties=parties,
        **({state: True} if state != "submitted" else {}),
        **kwargs,
    )


__all__ = [
    "MEDICAL_EXPECTED",
    "PENSION_EXPECTED",
    "ContributionYear",
    "Parties",
    "TransferCaseFactory",
    "case_in",
    "make_mover",
    "make_parties",
]
