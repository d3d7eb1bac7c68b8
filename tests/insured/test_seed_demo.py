"""manage.py seed_demo: the fixed accounts of ARCHITECTURE.md, varied synthetic persons, and
a second run that changes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

from agencies.models import Agency, StaffMembership
from insured import idnumbers
from insured.models import ContributionYear, Enrollment, InsuredPerson, ResidentPayment
from insured.selectors import benefit_place_for_person

pytestmark = pytest.mark.django_db

MODELS = [
    get_user_model(),
    Agency,
    StaffMembership,
    InsuredPerson,
    Enrollment,
    ContributionYear,
    ResidentPayment,
]


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def seeded(capsys):
    call_command("seed_demo", "--persons", "20", "--password", "Try-It-2026")
    return capsys.readouterr().out


def test_a_second_run_changes_nothing(seeded):
    before = counts()
    snapshot = list(ContributionYear.objects.order_by("id").values())
    call_command("seed_demo", "--persons", "20", "--password", "Try-It-2026")
    assert counts() == before
    assert list(ContributionYear.objects.order_by("id").values()) == snapshot
    assert before["InsuredPerson"] == 24  # 张三, 李四, 王五, 孙八 and 20 synthetic


def test_more_persons_keep_the_first_ones_and_add_the_rest(seeded):
    first = set(InsuredPerson.objects.values_list("id_number", flat=True))
    call_command("seed_demo", "--persons", "26", "--password", "Try-It-2026")
    now = set(InsuredPerson.objects.values_list("id_number", flat=True))
    assert first < now and len(now - first) == 6


def test_the_fixed_accounts_exist_and_log_in_with_the_password(seeded):
    assert "Try-It-2026" in seeded
    for username in [
        "admin",
        "bj-review",
        "bj-finance",
        "nj-review",
        "nj-finance",
        "cd-review",
        "cd-finance",
        "wh-review",
        "wh-finance",
        "xa-review",
        "xa-finance",
        "110105199003071239",
        "320106198511124529",
        "420106198405150030",
        "370705196503100013",
        "wf-review",
        "wf-finance",
        "kw-review",
        "kw-finance",
    ]:
        assert authenticate(username=username, password="Try-It-2026") is not None, username
    assert get_user_model().objects.get(username="admin").is_superuser
    roles = {
        m.user.username: (m.agency.region_id, m.role)
        for m in StaffMembership.objects.select_related("user", "agency")
    }
    assert roles == {
        "bj-review": ("110105", "reviewer"),
        "bj-finance": ("110105", "finance"),
        "nj-review": ("320100", "reviewer"),
        "nj-finance": ("320100", "finance"),
        "cd-review": ("510100", "reviewer"),
        "cd-finance": ("510100", "finance"),
        "wh-review": ("420100", "reviewer"),
        "wh-finance": ("420100", "finance"),
        "xa-review": ("610100", "reviewer"),
        "xa-finance": ("610100", "finance"),
        "wf-review": ("370700", "reviewer"),
        "wf-finance": ("370700", "finance"),
        "kw-review": ("370705", "reviewer"),
        "kw-finance": ("370705", "finance"),
    }


def test_sun_ba_has_both_pension_schemes_and_can_bridge(seeded):
    """孙八: employee pension at Weifang 2001-2010 and 2016-2025 (240 months), resident pension
    at Kuiwen 2011-01..2016-06 (66 months, account 2805.00: tests.transfers.bridging.SUN_BA)."""
    from transfers.services.bridging import bridging_check

    sun = InsuredPerson.objects.get(id_number="370705196503100013")
    assert (sun.name, sun.sex, str(sun.birth_date), sun.hukou_region_id) == (
        "孙八", "male", "1965-03-10", "370705",
    )  # fmt: skip
    employee = sun.enrollments.get(insurance="pension")
    assert (employee.agency.region_id, employee.agency.insurance) == ("370700", "pension")
    assert sum(employee.years.values_list("months_paid", flat=True)) == 240
    assert not employee.years.filter(year__in=range(2011, 2016)).exists()
    # through an employer until 2010, as a flexible worker (个人身份参保) from 2016
    assert set(employee.years.filter(year__lt=2011).values_list("contributor_type", flat=True)) == {
        "employer"
    }
    assert set(employee.years.filter(year__gt=2015).values_list("contributor_type", flat=True)) == {
        "flexible"
    }
    resident = sun.enrollments.get(insurance="resident_pension")
    assert (resident.agency.region_id, resident.agency.insurance) == ("370705", "resident_pension")
    assert resident.personal_account_balance() == Decimal("2805.00")
    assert not sun.enrollments.filter(drawing_benefits=True).exists()
    found = bridging_check(
        person=sun,
        category="resident_to_employee",
        from_region=resident.region,
        to_region=resident.region,
        on=datetime.date(2026, 11, 27),
    )
    assert found["transfer_in_agency"] == employee.agency


def test_the_beijing_and_nanjing_agencies_have_remittance_details(seeded):
    for code in ("110105", "320100"):
        agency = Agency.objects.get(region_id=code)
        assert agency.insurance == "both"
        fields = ["address", "phone", "postal_code", "contact_person", "bank_account_name"]
        fields += ["bank_name", "bank_account_number"]
        assert all(getattr(agency, name) for name in fields)


def test_zhang_san_was_in_beijing_and_now_pays_in_nanjing_gulou(seeded):
    zhang = InsuredPerson.objects.get(id_number="110105199003071239")
    assert (zhang.name, zhang.sex, zhang.hukou_region_id) == ("张三", "male", "110105")
    rows = sorted(
        (
            e.insurance,
            e.agency.region_id,
            e.region_id,
            str(e.start_month),
            str(e.end_month),
            e.status,
        )
        for e in zhang.enrollments.select_related("agency")
    )
    assert rows == [
        ("medical", "110105", "110105", "2008-07-01", "2025-06-01", "interrupted"),
        ("medical", "320100", "320106", "2025-07-01", "None", "active"),
        ("pension", "110105", "110105", "2008-07-01", "2025-06-01", "interrupted"),
        ("pension", "320100", "320106", "2025-07-01", "None", "active"),
    ]
    beijing = zhang.enrollments.get(insurance="pension", agency__region_id="110105")
    years = list(beijing.years.order_by("year"))
    assert (years[0].year, years[0].first_month, years[-1].year, years[-1].last_month) == (
        2008,
        7,
        2025,
        6,
    )
    assert sum(y.months_paid for y in years) == 204
    assert years[0].monthly_base < years[-1].monthly_base
    assert years[0].personal_account_credit == years[0].monthly_base * 6 * 8 / 100
    nanjing = zhang.enrollments.get(insurance="pension", agency__region_id="320100")
    assert [y.year for y in nanjing.years.order_by("year")][:2] == [2025, 2026]


def test_li_si_is_active_in_nanjing_gulou(seeded):
    li = InsuredPerson.objects.get(id_number="320106198511124529")
    assert (li.name, li.sex) == ("李四", "female")
    assert set(li.enrollments.values_list("insurance", "region_id", "status")) == {
        ("pension", "320106", "active"),
        ("medical", "320106", "active"),
    }


def test_synthetic_persons_are_valid_and_varied(seeded):
    synthetic = InsuredPerson.objects.exclude(
        id_number__in=["110105199003071239", "320106198511124529"]
    )
    assert all(idnumbers.is_valid(p.id_number) for p in synthetic)
    assert all(p.user_id for p in synthetic)
    enrollments = Enrollment.objects.filter(person__in=synthetic)
    assert enrollments.filter(account_kind="temporary").exists()
    assert enrollments.filter(drawing_benefits=True, status="closed").exists()
    assert ContributionYear.objects.filter(enrollment__person__in=synthetic, year__lt=1998).exists()
    two_provinces = [
        p
        for p in synthetic
        if len({e.agency.region_id[:2] for e in p.enrollments.select_related("agency")}) == 2
    ]
    assert two_provinces
    rules = {benefit_place_for_person(person=p).rule for p in synthetic}
    assert len(rules) >= 3


def test_pre_1998_years_credit_the_personal_contribution_and_later_11_then_8_percent(seeded):
    years = ContributionYear.objects.filter(enrollment__insurance="pension", months_paid=12)
    for row in years.filter(year__lt=1998)[:5]:
        assert row.personal_account_credit == row.personal_contribution
    for row in years.filter(year__range=(1998, 2005))[:5]:
        assert row.personal_account_credit == row.monthly_base * 12 * 11 / 100
    for row in years.filter(year__gte=2006)[:5]:
        assert row.personal_account_credit == row.monthly_base * 12 * 8 / 100


def test_wang_wu_moved_to_wuhan_by_a_completed_case_and_pays_in_xian(seeded):
    from insured.models import EnrollmentStatus, MovementStatus, RightsMovement
    from insured.selectors import person_records
    from transfers.models import TransferCase, TransferFunds

    wang = InsuredPerson.objects.get(id_number="420106198405150030")
    assert wang.name == "王五" and wang.hukou_region_id == "420106"
    cases = TransferCase.objects.filter(person=wang)
    assert sorted(c.insurance for c in cases) == ["medical", "pension"]
    assert {c.status for c in cases} == {"completed"}
    records = person_records(person=wang)
    places = {
        (r.enrollment.insurance, r.enrollment.agency.region_id): r for r in records.enrollments
    }
    for insurance in ("pension", "medical"):
        chengdu, wuhan, xian = (
            places[(insurance, code)] for code in ("510100", "420100", "610100")
        )
        case = cases.get(insurance=insurance)
        funds = TransferFunds.objects.get(case=case)
        assert chengdu.enrollment.status == EnrollmentStatus.TRANSFERRED_OUT
        assert (chengdu.months, chengdu.balance) == (0, 0)
        assert chengdu.months_paid_here == 72
        movement = RightsMovement.objects.get(reference=case.serial_no)
        assert movement.status == MovementStatus.RECEIVED and movement.months == 72
        assert movement.personal_account == funds.personal_account
        assert wuhan.enrollment.status == EnrollmentStatus.INTERRUPTED
        assert wuhan.enrollment.end_month.isoformat() == "2026-06-01"
        assert wuhan.months == 72 + 126  # Chengdu's 72 carried + 2016-01..2026-06 paid here
        assert xian.enrollment.status == EnrollmentStatus.ACTIVE
        assert xian.enrollment.region_id == "610113" and xian.months_paid_here >= 1
    # every demo agency has a reviewer and a finance officer
    for code in ("510100", "420100", "610100"):
        roles = set(
            StaffMembership.objects.filter(agency__region_id=code).values_list("role", flat=True)
        )
        assert roles == {"reviewer", "finance"}


def test_wang_wu_can_apply_for_the_second_hop_and_it_moves_both_places_rights(seeded):
    import datetime

    from agencies.models import Region
    from insured import ledger
    from insured.rights import YearRecord, pension_rights
    from transfers.services import check_eligibility

    wang = InsuredPerson.objects.get(id_number="420106198405150030")
    check_eligibility(
        person=wang,
        insurance="pension",
        category="enterprise",
        from_region=Region.objects.get(code="420103"),
        to_region=Region.objects.get(code="610113"),
    )
    enrollments = {
        e.agency.region_id: e
        for e in Enrollment.objects.filter(person=wang, insurance="pension").select_related(
            "agency"
        )
    }
    day = datetime.date(2026, 11, 1)
    chain = ledger.transfer_rights(enrollment=enrollments["420100"], transfer_date=day)
    both = [
        YearRecord.from_row(p)
        for code in ("510100", "420100")
        for p in ledger.periods_of(enrollments[code])
    ]
    assert chain == pension_rights(both, transfer_date=day)  # ⑥ = Chengdu carried + Wuhan own
    assert chain["months"] == 72 + 126


@pytest.mark.django_db(transaction=True)
def test_seed_demo_on_a_fresh_machine_makes_the_signing_keys_before_any_document(
    settings, tmp_path, regions
):
    # make run on a new machine: no CA yet. 王五's seeded case issues signed documents.
    settings.DOCUMENT_SIGNING_DIR = tmp_path / "signing"
    call_command("seed_demo", "--password", "Try-It-2026")
    assert (tmp_path / "signing").is_dir()
    from documents.models import Document

    assert Document.objects.filter(case_reference__gt="").exists()
