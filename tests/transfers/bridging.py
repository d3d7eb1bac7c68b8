"""The parties of 城乡制度衔接 tests: Weifang's employee pension agency (370700) and Kuiwen's
resident pension agency (370705) with a reviewer and a finance officer each, 孙八 exactly as
``seed_demo`` writes him, and a hand-computed person for the reverse direction."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from agencies.models import Agency, ServedInsurance, StaffRole
from insured.demo import _write_sun_ba
from insured.models import Enrollment, EnrollmentStatus, InsuredPerson, ResidentPayment
from tests.factories import AgencyFactory, ContributionYearFactory, EnrollmentFactory, region
from tests.transfers.factories import _clerk, login

date = datetime.date


@dataclass
class Weifang:
    employee_agency: Agency
    resident_agency: Agency
    wf_review: object
    wf_finance: object
    kw_review: object
    kw_finance: object


def weifang() -> Weifang:
    employee = AgencyFactory(
        region=region("370700"), insurance=ServedInsurance.PENSION, name="潍坊市社会保险事业中心"
    )
    resident = AgencyFactory(
        region=region("370705"),
        insurance=ServedInsurance.RESIDENT_PENSION,
        name="潍坊市奎文区城乡居民养老保险经办机构",
    )
    return Weifang(
        employee_agency=employee,
        resident_agency=resident,
        wf_review=_clerk("wf-review", employee, StaffRole.REVIEWER).user,
        wf_finance=_clerk("wf-finance", employee, StaffRole.FINANCE).user,
        kw_review=_clerk("kw-review", resident, StaffRole.REVIEWER).user,
        kw_finance=_clerk("kw-finance", resident, StaffRole.FINANCE).user,
    )


def sun_ba(parties: Weifang) -> InsuredPerson:
    _write_sun_ba({"370700": parties.employee_agency, "370705": parties.resident_agency}, "x")
    person = InsuredPerson.objects.get(id_number="370705196503100013")
    person.user.set_unusable_password()
    person.user.save(update_fields=["password"])
    return person


def employee_of(person) -> Enrollment:
    return Enrollment.objects.get(person=person, insurance="pension")


def resident_of(person) -> Enrollment:
    return Enrollment.objects.get(person=person, insurance="resident_pension")


def resident_payment(enrollment, year, first, last, grade, personal, government, collective):
    d = Decimal
    return ResidentPayment.objects.create(
        enrollment=enrollment,
        year=year,
        first_month=first,
        last_month=last,
        grade=d(grade),
        personal_contribution=d(personal),
        government_subsidy=d(government),
        collective_subsidy=d(collective),
    )


def person_born(born: date, *, hukou: str = "370705", male: bool = True):
    from tests.factories import PersonFactory

    person = PersonFactory(born=born, male=male, birth_region=hukou, hukou_region=region(hukou))
    person.user = login()
    person.save(update_fields=["user"])
    return person


def employee_enrollment(person, parties: Weifang, *, start: date, end: date | None, **kw):
    return EnrollmentFactory(
        person=person,
        agency=parties.employee_agency,
        region=region("370705"),
        start_month=start,
        end_month=end,
        status=kw.pop("status", EnrollmentStatus.INTERRUPTED),
        **kw,
    )


def resident_enrollment(person, parties: Weifang, *, start: date, end: date | None, **kw):
    return EnrollmentFactory(
        person=person,
        insurance="resident_pension",
        agency=parties.resident_agency,
        region=region("370705"),
        start_month=start,
        end_month=end,
        status=kw.pop("status", EnrollmentStatus.INTERRUPTED),
        **kw,
    )


def reverse_person(parties: Weifang):
    """周九, male, born 1960-05-20 (reached 60 in 2020-05, before the 2025 reform).

    Employee pension at Weifang 2010-01..2017-06 at base 5000 (ContributionYearFactory: 8%
    personal credited, 2% interest on the credit): 90 months, below the 180 required.
    Resident pension at Kuiwen 2017-04..2022-12:
      2017 months 4-12: grade 200, personal 200.00, government 40.00, collective 30.00
      2018-2022: grade 300, personal 300.00, government 60.00, collective 0.00
    """
    person = person_born(date(1960, 5, 20))
    employee = employee_enrollment(person, parties, start=date(2010, 1, 1), end=date(2017, 6, 1))
    for year in range(2010, 2017):
        ContributionYearFactory(enrollment=employee, year=year, monthly_base=Decimal("5000.00"))
    ContributionYearFactory(
        enrollment=employee, year=2017, last_month=6, monthly_base=Decimal("5000.00")
    )
    resident = resident_enrollment(person, parties, start=date(2017, 4, 1), end=date(2022, 12, 1))
    resident_payment(resident, 2017, 4, 12, "200.00", "200.00", "40.00", "30.00")
    for year in range(2018, 2023):
        resident_payment(resident, year, 1, 12, "300.00", "300.00", "60.00", "0.00")
    return person


# Hand-computed for reverse_person (人社部发〔2014〕17号):
#   employee account: 2010-2016 each 5000×8%×12 = 4800.00 + 2% interest 96.00 = 4896.00;
#     ×7 = 34272.00; 2017-01..06: 5000×8%×6 = 2400.00 + 48.00 = 2448.00  → 36720.00
#   employee months: 7×12 + 6 = 90 (< 180: employee_to_resident)
#   resident account: 2017 200+40+30 = 270.00; 2018-2022 5×360.00 = 1800.00 → 2070.00
#   overlap: 2017-04..2017-06, 3 months. 2017's personal+collective 230.00 = 23000 fen over
#     its 9 months: 23000 = 9×2555 + 5, so months 4-8 hold 2556 fen and 9-12 hold 2555;
#     months 4, 5, 6: 3×2556 = 7668 fen → refund 76.68
#   after: resident account 2070.00 − 76.68 + 36720.00 = 38713.32;
#     resident months 9 + 60 − 3 + 90 = 156; employee ¥0.00, 0 months, 已衔接
REVERSE = {
    "employee_account": Decimal("36720.00"),
    "employee_months": 90,
    "resident_account": Decimal("2070.00"),
    "refund": Decimal("76.68"),
    "refund_months": 3,
    "resident_after": Decimal("38713.32"),
    "resident_months_after": 156,
}

# Hand-computed for 孙八 (insured.demo.SUN_BA_RESIDENT):
#   resident account: 2011-2013 3×(300+60+50) = 1230.00; 2014-2015 2×(500+80+50) = 1260.00;
#     2016 (Jan-Jun) 250+40+25 = 315.00  → 2805.00
#   overlap with the employee pension (flexible worker from 2016-01): 2016-01..2016-06, 6
#     months = all of 2016's months: refund personal 250.00 + collective 25.00 = 275.00
#     (the government subsidy 40.00 stays)
#   merged into the employee account: 2805.00 − 275.00 = 2530.00
#   employee months: 2001-2010 120 + 2016-2025 120 = 240 ≥ 180 (unchanged by the merge)
SUN_BA = {
    "resident_account": Decimal("2805.00"),
    "refund": Decimal("275.00"),
    "refund_months": 6,
    "merged": Decimal("2530.00"),
    "employee_months": 240,
}
