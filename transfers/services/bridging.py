"""城乡养老保险制度衔接 (人社部发〔2014〕17号): eligibility of a bridging case and the figures its
info sheet fixes. The case itself runs the transfer's moves (``transfers.workflow``): review at
the transfer-in agency, contact letter, info sheet, remittance, receipt; only what the info
sheet computes and what the receipt records differ (``steps``, ``moves``).

- ``resident_to_employee``: the person meets the employee pension conditions (reached the
  statutory retirement age, at least the minimum contribution months): the whole resident
  personal account goes into the employee account, less the overlap refund; resident years do
  not count as employee years. Applied for at the employee benefit place: transfer-in is the
  employee pension agency there, transfer-out the resident agency.
- ``employee_to_resident``: reached the age but not the minimum months: the employee personal
  account goes into the resident account and the employee months count as resident months.
  Transfer-in is the resident agency, transfer-out the employee agency.
- Art. 8 overlap: months paid in both count only as employee months; the resident personal
  contributions and collective subsidies of those months are refunded (``insured.resident``).
- 国办发〔2009〕66号: the employee relationships are first collected at the benefit place.
"""

import datetime
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from agencies.models import Insurance, Region
from agencies.selectors import agency_for
from insured import ledger, retirement
from insured.benefit_place import province_code
from insured.models import (
    ContributionYear,
    Enrollment,
    EnrollmentInsurance,
    EnrollmentStatus,
    InsuredPerson,
    MovementStatus,
    RightsMovement,
)
from insured.selectors import benefit_place_for_person
from transfers.models import Category, TransferCase
from transfers.services.base import EligibilityError

GONE = (EnrollmentStatus.TRANSFERRED_OUT, EnrollmentStatus.CLOSED, EnrollmentStatus.BRIDGED)


def retirement_facts(person: InsuredPerson, on: datetime.date):
    """The one call to the retirement-age rule (``insured.retirement``): (reached, the age)."""
    return retirement.has_reached(person, on), retirement.retirement_of(person)


def _held(person, insurance: str) -> list[Enrollment]:
    return list(
        Enrollment.objects.filter(person=person, insurance=insurance)
        .exclude(status__in=GONE)
        .select_related("agency__region", "region__parent__parent")
        .order_by("-start_month", "-id")
    )


def employee_months(enrollments: list[Enrollment]) -> int:
    """Months of the employee pension held at the remaining place (one agency, possibly
    several enrollments there): paid, transferred in and recorded, and the deemed months
    (视同缴费) recorded there."""
    pks = [e.pk for e in enrollments]
    paid = (
        ContributionYear.objects.filter(enrollment_id__in=pks).aggregate(m=Sum("months_paid"))["m"]
        or 0
    )
    received = (
        RightsMovement.objects.filter(
            to_enrollment_id__in=pks, status=MovementStatus.RECEIVED
        ).aggregate(m=Sum("months"))["m"]
        or 0
    )
    return paid + received + sum(e.deemed_months for e in enrollments)


def _years_months(months: int) -> str:
    years, rest = divmod(months, 12)
    return (
        _("%(years)d年%(months)d个月") % {"years": years, "months": rest}
        if rest
        else _("%(years)d年") % {"years": years}
    )


def bridging_check(
    *,
    person: InsuredPerson,
    category: str,
    from_region: Region,
    to_region: Region,
    on: datetime.date,
) -> dict:
    """Before: a bridging application. Returns what the case needs (agencies, enrollments,
    overlapping months) or raises ``EligibilityError`` with the precise reason (zh, en)."""
    if person.enrollments.filter(drawing_benefits=True).exists():
        raise EligibilityError(
            _("您已按月领取养老保险待遇，不再办理城乡养老保险制度衔接。"),
            code="drawing_pension",
        )
    bridged = person.enrollments.filter(status=EnrollmentStatus.BRIDGED).first()
    residents = _held(person, EnrollmentInsurance.RESIDENT_PENSION)
    employees = _held(person, EnrollmentInsurance.PENSION)
    if bridged is not None and (not residents or not employees):
        raise EligibilityError(
            _("您的%(insurance)s（%(agency)s）已办理城乡养老保险制度衔接，不能再次申请。")
            % {"insurance": bridged.get_insurance_display(), "agency": bridged.agency.name},
            code="already_bridged",
        )
    if not residents:
        raise EligibilityError(
            _(
                "您没有城乡居民基本养老保险参保记录，不需要办理城乡养老保险制度衔接。"
                "如需在职工养老保险的参保地之间转移，请选择跨省转移接续。"
            ),
            code="no_resident_enrollment",
        )
    if not employees:
        raise EligibilityError(
            _(
                "您没有可衔接的职工基本养老保险参保记录（已转出或已终止的除外），"
                "不需要办理城乡养老保险制度衔接。"
            ),
            code="no_employee_enrollment",
        )
    reached, age = retirement_facts(person, on)
    if not reached:
        raise EligibilityError(
            _(
                "城乡养老保险制度衔接在申领养老保险待遇时办理。您的法定退休年龄为%(years)d周岁"
                "%(months)d个月，将于%(month)s达到，届时再申请。"
            )
            % {
                "years": age.years,
                "months": age.months,
                "month": f"{age.reached:%Y年%m月}",
            },
            code="not_retirement_age",
        )
    places = {e.agency_id: e for e in employees}
    if len(places) > 1:
        raise EligibilityError(
            _(
                "您的职工基本养老保险关系分散在%(places)s。按照国办发〔2009〕66号，须先将各地"
                "的职工养老保险关系转移归集到待遇领取地，再办理城乡养老保险制度衔接。"
            )
            % {"places": "、".join(e.agency.name for e in places.values())},
            code="scattered_relationships",
        )
    employee = employees[0]
    resident = residents[0]
    months = employee_months(employees)
    minimum = age.minimum_contribution_months
    meets = months >= minimum
    if category == Category.RESIDENT_TO_EMPLOYEE and not meets:
        raise EligibilityError(
            _(
                "您的职工基本养老保险累计缴费%(months)d个月（%(span)s），不足%(minimum)d个月，"
                "不符合职工基本养老保险待遇领取条件，不能将城乡居民养老保险转入职工养老保险；"
                "可申请职工养老保险转入城乡居民养老保险（employee_to_resident）。"
            )
            % {"months": months, "span": _years_months(months), "minimum": minimum},
            code="wrong_direction",
        )
    if category == Category.EMPLOYEE_TO_RESIDENT and meets:
        raise EligibilityError(
            _(
                "您的职工基本养老保险累计缴费%(months)d个月（%(span)s），已满%(minimum)d个月，"
                "符合职工基本养老保险待遇领取条件，应将城乡居民养老保险转入职工养老保险"
                "（resident_to_employee），在职工养老保险待遇领取地申请。"
            )
            % {"months": months, "span": _years_months(months), "minimum": minimum},
            code="wrong_direction",
        )
    if category == Category.RESIDENT_TO_EMPLOYEE:
        source, target = resident, employee
        # 17号 art. 5: applied for at the employee pension's benefit place (66号 art. 6).
        place = benefit_place_for_person(person=person)
        if place is not None and province_code(employee.agency.region_id) != place.region_code:
            raise EligibilityError(
                _(
                    "您的职工基本养老保险待遇领取地是%(place)s，职工养老保险关系在%(agency)s。"
                    "须先将职工养老保险关系转移到待遇领取地，再在待遇领取地办理制度衔接。"
                )
                % {"place": place.region_name, "agency": employee.agency.name},
                code="not_benefit_place",
            )
    else:
        source, target = employee, resident
    _check_region(from_region, source, _("转出地"))
    _check_region(to_region, target, _("转入地"))
    open_case = (
        TransferCase.objects.filter(
            person=person, insurance=Insurance.PENSION, application__is_open=True
        )
        .only("serial_no")
        .first()
    )
    if open_case is not None:
        raise EligibilityError(
            _(
                "您已有一笔基本养老保险申请正在办理（流水号 %(serial_no)s），办结前不能申请"
                "城乡养老保险制度衔接。"
            )
            % {"serial_no": open_case.serial_no},
            code="open_case_exists",
        )
    years = ledger.resident_years_of(resident)
    paid = ledger.employee_months_of(person.pk)
    overlap = sorted(
        (y.year, m)
        for y in years
        for m in range(y.first_month, y.last_month + 1)
        if (y.year, m) in paid
    )
    return {
        "transfer_in_agency": target.agency,
        "transfer_out_agency": source.agency,
        "from_enrollment": source,
        "to_enrollment": target,
        "overlapping_months": [f"{y:04d}-{m:02d}" for y, m in overlap],
    }


def _check_region(region: Region, enrollment: Enrollment, label: str) -> None:
    """The region given must be that of the enrollment (its own or its agency's)."""
    insurance = enrollment.insurance
    if region.code in (enrollment.region_id, enrollment.agency.region_id):
        return
    if agency_for(region=region, insurance=insurance) == enrollment.agency:
        return
    raise EligibilityError(
        _("%(label)s应为您的%(insurance)s参保地%(region)s（%(agency)s）。")
        % {
            "label": label,
            "insurance": enrollment.get_insurance_display(),
            "region": enrollment.region.full_name(),
            "agency": enrollment.agency.name,
        },
        code="wrong_region",
    )


def bridging_amounts(case: TransferCase, *, transfer_date: datetime.date) -> dict:
    """What the info sheet of a bridging case fixes: the transfer funds (what is remitted
    and merged), the resident account and the overlap refund. Reads only."""
    if case.category == Category.RESIDENT_TO_EMPLOYEE:
        resident, employee = case.from_enrollment, case.to_enrollment
    else:
        employee, resident = case.from_enrollment, case.to_enrollment
    account, refund = ledger.bridging_figures(resident=resident, employee=employee)
    zero = Decimal("0.00")
    if case.category == Category.RESIDENT_TO_EMPLOYEE:
        merged = account - refund.amount
        funds = {
            "months": 0,  # 17号 art. 6: resident years do not count as employee years
            "before_1998": zero,
            "since_1998_to_last_year": zero,
            "transfer_year_principal": zero,
            "personal_account": merged,
            "pooled_fund": zero,  # only the personal account is merged
            "total": merged,
        }
    else:
        rights = ledger.transfer_rights(enrollment=employee, transfer_date=transfer_date)
        funds = {
            "months": rights["months"] + employee.deemed_months,
            "before_1998": rights["before_1998"],
            "since_1998_to_last_year": rights["since_1998_to_last_year"],
            "transfer_year_principal": rights["transfer_year_principal"],
            "personal_account": rights["personal_account"],
            "pooled_fund": zero,  # 17号 art. 7: the pooled fund stays
            "total": rights["personal_account"],
        }
    return {"funds": funds, "resident_account": account, "refund": refund}
