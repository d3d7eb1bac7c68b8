"""Reads of the registry used by pages and the API. Each returns everything its caller shows in a
fixed number of queries, however many enrollments and years a person has."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from agencies.models import Insurance
from insured.benefit_place import BenefitPlace, EnrollmentSummary, benefit_place
from insured.models import (
    AccountKind,
    ContributionYear,
    Enrollment,
    EnrollmentStatus,
    InsuredPerson,
    TransferredRights,
)


def person_for_user(*, user) -> InsuredPerson | None:
    """The registry person behind a login, or None (anonymous, staff without one, …)."""
    if not user.is_authenticated:
        return None
    return (
        InsuredPerson.objects.select_related("hukou_region__parent__parent")
        .filter(user=user)
        .first()
    )


def person_enrollments(*, person: InsuredPerson) -> list[Enrollment]:
    """The person's enrollments with agency, region, years and transferred-in rights loaded."""
    enrollments = list(
        Enrollment.objects.filter(person=person)
        .select_related("agency__region__parent__parent", "region__parent__parent")
        .prefetch_related(
            Prefetch("years", queryset=ContributionYear.objects.order_by("year")),
            Prefetch(
                "transferred_in",
                queryset=TransferredRights.objects.select_related("from_region__parent__parent"),
            ),
        )
        .order_by("start_month", "id")
    )
    # Pension first, then medical; each in the order the person was enrolled.
    return sorted(enrollments, key=lambda e: e.insurance != Insurance.PENSION)


def months_paid(enrollment: Enrollment) -> int:
    """Months actually paid at this enrollment, without months transferred in."""
    return sum(y.months_paid for y in enrollment.years.all())


def total_months(enrollments: list[Enrollment]) -> dict[str, int]:
    """Cumulative months per insurance. A transferred-out enrollment's months are carried by the
    transferred-in record at its destination, so they are counted there and not twice."""
    totals = {choice.value: 0 for choice in Insurance}
    for enrollment in enrollments:
        if enrollment.status != EnrollmentStatus.TRANSFERRED_OUT:
            totals[enrollment.insurance] += enrollment.months()
    return totals


def benefit_place_of(
    *, person: InsuredPerson, enrollments: list[Enrollment]
) -> BenefitPlace | None:
    """The pension benefit place (66号 art. 6) for already loaded enrollments."""
    summaries = [
        EnrollmentSummary(
            pooling_region_code=e.agency.region_id,
            pooling_region_name=e.agency.region.full_name(),
            account_kind=e.account_kind,
            months=months_paid(e),
            start=e.start_month,
            end=e.end_month,
            active=e.status == EnrollmentStatus.ACTIVE,
            transferred_out=e.status == EnrollmentStatus.TRANSFERRED_OUT,
        )
        for e in enrollments
        if e.insurance == Insurance.PENSION
    ]
    # Deemed years (视同缴费年限) are not stored yet; once the ledger keeps them per place,
    # pass them here as ``deemed_months={region_code: months}``.
    return benefit_place(
        enrollments=summaries,
        hukou_region_code=person.hukou_region_id,
        deemed_months={},
    )


def benefit_place_for_person(*, person: InsuredPerson) -> BenefitPlace | None:
    return benefit_place_of(person=person, enrollments=person_enrollments(person=person))


@dataclass
class YearRow:
    year: ContributionYear
    balance: Decimal  # 至本年末账户累计储存额 at this enrollment


@dataclass
class EnrollmentRecord:
    enrollment: Enrollment
    months: int
    balance: Decimal
    years: list[YearRow] = field(default_factory=list)
    transferred_in: list[TransferredRights] = field(default_factory=list)

    @property
    def is_temporary(self) -> bool:
        return self.enrollment.account_kind == AccountKind.TEMPORARY


@dataclass
class PersonRecords:
    person: InsuredPerson
    enrollments: list[EnrollmentRecord]
    total_months: dict[str, int]
    benefit_place: BenefitPlace | None

    @property
    def totals(self) -> list[dict]:
        """Cumulative months per insurance with its label, for display."""
        return [
            {"insurance": code, "label": Insurance(code).label, "months": months}
            for code, months in self.total_months.items()
        ]


def person_records(*, person: InsuredPerson) -> PersonRecords:
    """Everything "my records" and ``/api/v1/me/`` show, in a constant number of queries."""
    enrollments = person_enrollments(person=person)
    records = []
    for enrollment in enrollments:
        running = Decimal("0.00")
        rows = []
        for year in enrollment.years.all():
            running += year.personal_account_credit + year.interest
            rows.append(YearRow(year=year, balance=running))
        records.append(
            EnrollmentRecord(
                enrollment=enrollment,
                months=enrollment.months(),
                balance=enrollment.personal_account_balance(),
                years=rows,
                transferred_in=list(enrollment.transferred_in.all()),
            )
        )
    return PersonRecords(
        person=person,
        enrollments=records,
        total_months=total_months(enrollments),
        benefit_place=benefit_place_of(person=person, enrollments=enrollments),
    )
