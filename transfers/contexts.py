"""Building the contexts of the documents a case issues (documents/kinds.py is the contract).

Plain data out of the case's rows; the amounts come from ``transfers.amounts`` via the stored
``TransferFunds``, so the info sheet prints exactly what is remitted."""

import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from documents.contexts import agency_context
from documents.contexts import person_context as documents_person_context
from documents.kinds import (
    BridgingContext,
    CarriedRow,
    ContactLetterContext,
    MedicalInfoSheetContext,
    PensionAmounts,
    PensionInfoSheetContext,
    PersonContext,
    ResidentYearRow,
    YearRow,
)
from insured import ledger
from insured.models import (
    AccountKind,
    ContributionYear,
    Enrollment,
    InsuredPerson,
    OverlapRefund,
    ResidentPayment,
)
from insured.resident import ResidentYear, month_shares
from insured.selectors import period_rates
from transfers.models import Category, TransferCase, TransferFunds


def person_context(person: InsuredPerson, *, case: TransferCase | None = None) -> PersonContext:
    """The person as every form prints them, with the address and phone the application gave
    (the agencies work from those)."""
    context = documents_person_context(person)
    if case is not None:
        context["hukou_address"] = case.hukou_address or context["hukou_address"]
        context["phone"] = case.contact_phone or context["phone"]
    return context


def contact_letter_context(case: TransferCase) -> ContactLetterContext:
    return ContactLetterContext(
        serial_no=case.serial_no,
        person=person_context(case.person, case=case),
        account_kind_label=str(AccountKind(case.from_enrollment.account_kind).label),
        transfer_out_agency=agency_context(case.transfer_out_agency),
        transfer_in_agency=agency_context(case.transfer_in_agency),
        category_label=case.get_category_display(),
    )


def year_rows(
    years: list[ContributionYear], *, opening: Decimal = Decimal("0.00")
) -> list[YearRow]:
    """One row per contribution period with its own rates (never an average over a year)."""
    rows: list[YearRow] = []
    balance = opening
    for y in years:
        balance += y.personal_account_credit + y.interest
        employer, personal = period_rates(y)
        rows.append(
            YearRow(
                year=y.year,
                first_month=y.first_month,
                last_month=y.last_month,
                months_paid=y.months_paid,
                monthly_base=y.monthly_base,
                employer_rate=employer,
                personal_rate=personal,
                personal_account_credit=y.personal_account_credit,
                interest=y.interest,
                balance_at_year_end=balance,
                flexible=y.is_flexible,
            )
        )
    return rows


def _local_end(enrollment: Enrollment, years: list[ContributionYear]) -> datetime.date | None:
    if enrollment.end_month:
        return enrollment.end_month
    if years:
        return datetime.date(years[-1].year, years[-1].last_month, 1)
    return None


def pension_info_sheet_context(
    case: TransferCase,
    *,
    funds: TransferFunds,
    years: list[ContributionYear],
    transfer_date: datetime.date,
) -> PensionInfoSheetContext:
    enrollment = case.from_enrollment
    first, opened = ledger.account_dates(enrollment)
    first = first or enrollment.start_month
    carried = ledger.carried_into(enrollment)
    context = PensionInfoSheetContext(
        serial_no=case.serial_no,
        person=person_context(case.person, case=case),
        work_start=case.person.work_start,
        first_contribution=first,
        account_established=opened or first,
        local_start=enrollment.start_month,
        local_end=_local_end(enrollment, years),
        months_paid=funds.months,
        transfer_date=transfer_date,
        account_kind_label=str(AccountKind(enrollment.account_kind).label),
        temporary_account=enrollment.account_kind == AccountKind.TEMPORARY,
        amounts=PensionAmounts(
            before_1998=funds.before_1998,
            since_1998_to_last_year=funds.since_1998_to_last_year,
            transfer_year_principal=funds.transfer_year_principal,
            personal_account=funds.personal_account,
            pooled_fund=funds.pooled_fund,
            total=funds.total,
        ),
        years=year_rows(years, opening=sum((m.personal_account for m in carried), Decimal("0"))),
        transfer_out_agency=agency_context(case.transfer_out_agency),
        transfer_in_agency=agency_context(case.transfer_in_agency),
    )
    context["carried_in"] = carried_rows(carried)
    return context


def carried_rows(carried) -> list[CarriedRow]:
    """Rights received here earlier and moved on with this transfer (DOMAIN.md "Carrying
    rights over several moves")."""
    return [
        CarriedRow(
            serial_no=m.reference,
            from_region_name=m.from_region.full_name(),
            transfer_date=m.transfer_date,
            months=m.months,
            personal_account=m.personal_account,
            pooled_fund=m.pooled_fund,
            wages_since_1998=m.wages_since_1998,
        )
        for m in carried
    ]


def medical_info_sheet_context(
    case: TransferCase, *, funds: TransferFunds, years: list[ContributionYear]
) -> MedicalInfoSheetContext:
    enrollment = case.from_enrollment
    context = MedicalInfoSheetContext(
        serial_no=case.serial_no,
        person=person_context(case.person, case=case),
        insurance_label=_("职工基本医疗保险"),
        periods=[(enrollment.start_month, _local_end(enrollment, years))],
        months_paid=funds.months,
        personal_account=funds.personal_account,
        transfer_out_agency=agency_context(case.transfer_out_agency),
        transfer_in_agency=agency_context(case.transfer_in_agency),
    )
    context["carried_in"] = carried_rows(ledger.carried_into(enrollment))
    return context


def bridging_context(case: TransferCase, *, funds: TransferFunds) -> BridgingContext:
    """The 制度衔接 part of the info sheet: the resident account by year, the overlap months
    and their refund, what is merged; for employee_to_resident the employee account and
    months that count as resident months. From the figures the case fixed."""
    to_employee = case.category == Category.RESIDENT_TO_EMPLOYEE
    resident = case.from_enrollment if to_employee else case.to_enrollment
    refund = OverlapRefund.objects.get(reference=case.serial_no)
    paid = ledger.employee_months_of(case.person_id)
    rows: list[ResidentYearRow] = []
    for payment in ResidentPayment.objects.filter(enrollment=resident).order_by("year"):
        shares = month_shares(ResidentYear.from_row(payment))
        overlap = [m for m in shares if (payment.year, m) in paid]
        rows.append(
            ResidentYearRow(
                year=payment.year,
                first_month=payment.first_month,
                last_month=payment.last_month,
                months=payment.months,
                grade=payment.grade,
                personal_contribution=payment.personal_contribution,
                government_subsidy=payment.government_subsidy,
                collective_subsidy=payment.collective_subsidy,
                total=payment.total,
                overlap_months=len(overlap),
                refund=(Decimal(sum(shares[m] for m in overlap)) / 100).quantize(Decimal("0.01")),
            )
        )
    context = BridgingContext(
        direction=case.category,
        direction_label=case.get_category_display(),
        resident_agency_name=resident.agency.name,
        resident_years=rows,
        resident_account=refund.resident_account,
        overlap_months=refund.months,
        overlap_first=refund.first_month,
        overlap_last=refund.last_month,
        refund=refund.amount,
        merged=funds.total,
    )
    if not to_employee:
        context["employee_account"] = funds.personal_account
        context["employee_months"] = funds.months
    return context
