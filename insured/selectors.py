"""Reads of the registry used by pages and the API. Each returns everything its caller shows in a
fixed number of queries, however many enrollments and years a person has."""

import datetime
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, prefetch_related_objects

from agencies import names
from agencies.models import Insurance
from insured.benefit_place import BenefitPlace, EnrollmentSummary, benefit_place
from insured.models import (
    AccountKind,
    ContributionYear,
    Enrollment,
    EnrollmentInsurance,
    EnrollmentStatus,
    InsuredPerson,
    MovementStatus,
    OverlapRefund,
    ResidentPayment,
    RightsMovement,
)
from insured.retirement import RetirementAge, retirement_or_none


def person_for_user(*, user) -> InsuredPerson | None:
    """The registry person behind a login, or None (anonymous, staff without one, …). The
    session's and the token's user come with it already (settings.AUTH_USER_RELATED)."""
    if not user.is_authenticated:
        return None
    try:
        return user.insured_person
    except ObjectDoesNotExist:
        return None


def person_enrollments(*, person: InsuredPerson) -> list[Enrollment]:
    """The person's enrollments with agency, region, periods and the ledger entries in and out
    loaded, in four queries. Agencies and regions (names and parents, what the pages and the API
    print) come from the per-process cache of ``agencies.names``, not from joins: a five-level
    join per enrollment and movement cost more to plan than the rows cost to read."""
    enrollments = list(
        Enrollment.objects.filter(person=person)
        .prefetch_related(
            Prefetch("years", queryset=ContributionYear.objects.order_by("year", "first_month")),
            Prefetch(
                "transferred_in",
                queryset=RightsMovement.objects.order_by("transfer_date", "id"),
            ),
            Prefetch(
                "transferred_out",
                queryset=RightsMovement.objects.select_related("to_enrollment").order_by(
                    "transfer_date", "id"
                ),
            ),
        )
        .order_by("start_month", "id")
    )
    # Only resident pension enrollments have yearly payments and overlap refunds: two queries
    # for those who have one, none for everyone else.
    prefetch_related_objects(
        [e for e in enrollments if e.insurance == EnrollmentInsurance.RESIDENT_PENSION],
        Prefetch("resident_payments", queryset=ResidentPayment.objects.order_by("year")),
        Prefetch("overlap_refunds", queryset=OverlapRefund.objects.order_by("computed_at")),
    )
    for enrollment in enrollments:
        enrollment.agency = names.agency(enrollment.agency_id)
        enrollment.region = names.region(enrollment.region_id)
        for movement in enrollment.transferred_in.all():
            movement.from_region = names.region(movement.from_region_id)
        for movement in enrollment.transferred_out.all():
            movement.to_enrollment.region = names.region(movement.to_enrollment.region_id)
    # Pension first, then the resident pension, then medical; each in the order enrolled.
    order = {
        EnrollmentInsurance.PENSION: 0,
        EnrollmentInsurance.RESIDENT_PENSION: 1,
        EnrollmentInsurance.MEDICAL: 2,
    }
    return sorted(enrollments, key=lambda e: order.get(e.insurance, 3))


def months_paid(enrollment: Enrollment) -> int:
    """Months actually paid at this enrollment, without months transferred in."""
    return sum(y.months_paid for y in enrollment.years.all())


def in_transit(enrollment: Enrollment) -> list[RightsMovement]:
    """Rights that left this enrollment on a case still running (uses prefetched rows)."""
    return [m for m in enrollment.transferred_out.all() if m.status == MovementStatus.IN_TRANSIT]


def total_months(enrollments: list[Enrollment]) -> dict[str, int]:
    """Cumulative months per insurance: held at each place plus in transit. A transferred-out
    enrollment holds none (they are in transit, or held where they were received): each month
    is counted once."""
    totals = {choice.value: 0 for choice in Insurance}
    for enrollment in enrollments:
        if enrollment.insurance not in totals:
            continue  # the resident pension has its own block (城乡居民)
        totals[enrollment.insurance] += enrollment.months() + sum(
            m.months for m in in_transit(enrollment)
        )
    return totals


def total_balances(enrollments: list[Enrollment]) -> dict[str, Decimal]:
    """Personal account per insurance, held plus in transit, each yuan once."""
    totals = {choice.value: Decimal("0.00") for choice in Insurance}
    for enrollment in enrollments:
        if enrollment.insurance not in totals:
            continue
        totals[enrollment.insurance] += enrollment.personal_account_balance() + sum(
            (m.personal_account for m in in_transit(enrollment)), Decimal("0.00")
        )
    return totals


def deemed_months_by_place(*, person: InsuredPerson, insurance: str = "pension") -> dict[str, int]:
    """视同缴费 months per pooling region (agency region code) for the benefit-place rule
    (人社部规〔2016〕5号: deemed years count where the work was done). Aggregate by
    ``code[:2]`` for the province."""
    places: dict[str, int] = {}
    for code, months in Enrollment.objects.filter(person=person, insurance=insurance).values_list(
        "agency__region_id", "deemed_months"
    ):
        places[code] = places.get(code, 0) + months
    return places


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
    # 人社部规〔2016〕5号: deemed years count where the work was done, toward the 10 years.
    deemed: dict[str, int] = {}
    for e in enrollments:
        if e.insurance == Insurance.PENSION and e.deemed_months:
            code = e.agency.region_id
            deemed[code] = deemed.get(code, 0) + e.deemed_months
    return benefit_place(
        enrollments=summaries,
        hukou_region_code=person.hukou_region_id,
        deemed_months=deemed,
    )


def benefit_place_for_person(*, person: InsuredPerson) -> BenefitPlace | None:
    return benefit_place_of(person=person, enrollments=person_enrollments(person=person))


@dataclass
class YearRow:
    year: ContributionYear  # one period (several per calendar year where base or rate changed)
    balance: Decimal  # 至本期末账户累计储存额 at this enrollment, transferred-in sums included
    employer_rate: Decimal | None = None
    personal_rate: Decimal | None = None


def period_rates(period: ContributionYear) -> tuple[Decimal | None, Decimal | None]:
    """The period's own rates; for a row migrated without them, derived from its amounts."""
    wages = period.monthly_base * period.months_paid
    employer, personal = period.employer_rate, period.personal_rate
    if employer is None and wages:
        employer = (period.employer_contribution / wages).quantize(Decimal("0.0001"))
    if personal is None and wages:
        personal = (period.personal_contribution / wages).quantize(Decimal("0.0001"))
    return employer, personal


@dataclass
class EnrollmentRecord:
    enrollment: Enrollment
    months: int  # held here now (0 once transferred out)
    balance: Decimal  # held here now (¥0.00 once transferred out)
    months_paid_here: int = 0
    years: list[YearRow] = field(default_factory=list)
    transferred_in: list[RightsMovement] = field(default_factory=list)  # received
    transferred_out: list[RightsMovement] = field(default_factory=list)  # received elsewhere
    in_transit: list[RightsMovement] = field(default_factory=list)  # left here, case running
    incoming: list[RightsMovement] = field(default_factory=list)  # on the way here
    # 城乡居民基本养老保险: the yearly payments and the account they make (before anything
    # moved in or out); the overlap refunds recorded (人社部发〔2014〕17号 art. 8).
    resident: dict | None = None
    refunds: list[OverlapRefund] = field(default_factory=list)

    @property
    def is_temporary(self) -> bool:
        return self.enrollment.account_kind == AccountKind.TEMPORARY

    @property
    def years_key(self) -> str:
        """Everything the periods table prints, digested: the key of its cached rendering
        ("my records" renders each table once per content and language, not per request; any
        changed figure is a new key, so nothing needs invalidating)."""
        rows = [
            (
                row.year.pk,
                row.year.year,
                row.year.first_month,
                row.year.last_month,
                row.year.months_paid,
                row.year.monthly_base,
                row.employer_rate,
                row.personal_rate,
                row.year.personal_account_credit,
                row.year.interest,
                row.balance,
                row.year.contributor_type,
            )
            for row in self.years
        ]
        key = (self.enrollment.pk, self.enrollment.insurance, rows)
        return hashlib.sha256(repr(key).encode()).hexdigest()


@dataclass
class PersonRecords:
    person: InsuredPerson
    enrollments: list[EnrollmentRecord]
    total_months: dict[str, int]
    benefit_place: BenefitPlace | None
    total_balances: dict[str, Decimal] = field(default_factory=dict)
    # By the 2024 decision; None for a woman whose original age (50/55) is not recorded.
    retirement: RetirementAge | None = None

    @property
    def totals(self) -> list[dict]:
        """Per insurance: months and personal account across all places (held plus in
        transit), and what is in transit now, for display and the API."""
        rows = []
        for code, months in self.total_months.items():
            moving = [
                m for r in self.enrollments if r.enrollment.insurance == code for m in r.in_transit
            ]
            rows.append(
                {
                    "insurance": code,
                    "label": Insurance(code).label,
                    "months": months,
                    "personal_account": self.total_balances.get(code, Decimal("0.00")),
                    "in_transit_months": sum(m.months for m in moving),
                    "in_transit_personal_account": sum(
                        (m.personal_account for m in moving), Decimal("0.00")
                    ),
                }
            )
        return rows


def person_records(*, person: InsuredPerson) -> PersonRecords:
    """Everything "my records" and ``/api/v1/me/`` show, in a constant number of queries."""
    enrollments = person_enrollments(person=person)
    if person.hukou_region_id and not InsuredPerson.hukou_region.is_cached(person):
        person.hukou_region = names.region(person.hukou_region_id)
    records = []
    for enrollment in enrollments:
        received = enrollment.received_rights()
        running = Decimal("0.00")
        pending = sorted(received, key=lambda m: m.transfer_date or datetime.date.min)
        rows = []
        for year in enrollment.years.all():
            # Rights received before this period began are in the account from then on.
            while pending and (pending[0].transfer_date or datetime.date.min) < year.first:
                running += pending.pop(0).personal_account
            running += year.personal_account_credit + year.interest
            employer, personal = period_rates(year)
            rows.append(
                YearRow(year=year, balance=running, employer_rate=employer, personal_rate=personal)
            )
        out = list(enrollment.transferred_out.all())
        records.append(
            EnrollmentRecord(
                enrollment=enrollment,
                months=enrollment.months(),
                balance=enrollment.personal_account_balance(),
                months_paid_here=enrollment.months_paid_here(),
                years=rows,
                transferred_in=received,
                transferred_out=[m for m in out if m.status == MovementStatus.RECEIVED],
                in_transit=[m for m in out if m.status == MovementStatus.IN_TRANSIT],
                incoming=[
                    m
                    for m in enrollment.transferred_in.all()
                    if m.status == MovementStatus.IN_TRANSIT
                ],
                resident=(
                    {
                        "years": list(enrollment.resident_payments.all()),
                        "account": enrollment.own_account().quantize(Decimal("0.01")),
                    }
                    if enrollment.is_resident
                    else None
                ),
                refunds=enrollment.recorded_refunds(),
            )
        )
    return PersonRecords(
        person=person,
        enrollments=records,
        total_months=total_months(enrollments),
        benefit_place=benefit_place_of(person=person, enrollments=enrollments),
        total_balances=total_balances(enrollments),
        retirement=retirement_or_none(person),
    )
