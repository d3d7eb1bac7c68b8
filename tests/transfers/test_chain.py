"""Rights follow the person: Chengdu → Wuhan → Xi'an through the real services, with figures
computed by hand (the scenario of issue 8), and what the records say during and after."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from agencies.models import StaffRole
from insured import ledger
from insured.models import EnrollmentStatus, MovementStatus, RightsMovement
from insured.selectors import person_records
from tests.factories import AgencyFactory, EnrollmentFactory, PersonFactory, region
from tests.transfers.celery_helpers import eager_tasks
from tests.transfers.factories import _clerk, login, this_year
from transfers import services
from transfers.models import TransferFunds
from transfers.workflow import CaseStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]
__all__ = ["eager_tasks"]


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Call a service and run what it leaves for after commit (the pipeline's steps)."""

    def call(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return call


D = Decimal
CHENGDU, WUHAN, XIAN = "510100", "420100", "610100"


def clerks(code: str, prefix: str):
    agency = AgencyFactory(region=region(code))
    return agency, {
        "review": _clerk(f"{prefix}-review", agency, StaffRole.REVIEWER).user,
        "finance": _clerk(f"{prefix}-finance", agency, StaffRole.FINANCE).user,
    }


def periods(enrollment, years, *, base, credit, interests):
    for year, interest in zip(years, interests, strict=True):
        ledger.period_add(
            enrollment=enrollment, year=year, first_month=1, last_month=12, monthly_base=base,
            employer_rate=D("0.16"), personal_rate=D("0.08"),
            personal_account_credit=credit, interest=interest,
        )  # fmt: skip


@pytest.fixture
def wang(regions):
    """Chengdu 2010–2015 at base 4750 (credit 4560 a year, interest 50…300: ④ 28,410.00, ⑤
    12% × 342,000 = 41,040.00); Wuhan 2016–2021 at base 7000 (credit 6720 a year, interest
    totalling 6,150: own account 46,470.00, wages 504,000); paying in Xi'an this year."""
    places = {code: clerks(code, prefix) for code, prefix in
              ((CHENGDU, "cd"), (WUHAN, "wh"), (XIAN, "xa"))}  # fmt: skip
    person = PersonFactory(user=login("wangwu"), hukou_region=region("420106"))
    made = {}
    for insurance in ("pension", "medical"):
        cd = EnrollmentFactory(person=person, insurance=insurance, agency=places[CHENGDU][0],
                               region=region("510107"), start_month=datetime.date(2010, 1, 1),
                               end_month=datetime.date(2015, 12, 1),
                               status=EnrollmentStatus.INTERRUPTED)  # fmt: skip
        periods(cd, range(2010, 2016), base=D("4750.00"), credit=D("4560.00"),
                interests=[D(50 * n) for n in range(1, 7)])  # fmt: skip
        wh = EnrollmentFactory(person=person, insurance=insurance, agency=places[WUHAN][0],
                               region=region("420103"), start_month=datetime.date(2016, 1, 1),
                               status=EnrollmentStatus.ACTIVE)  # fmt: skip
        periods(wh, range(2016, 2022), base=D("7000.00"), credit=D("6720.00"),
                interests=[D(i) for i in ("400", "700", "900", "1100", "1400", "1650")])  # fmt: skip
        xa = EnrollmentFactory(person=person, insurance=insurance, agency=places[XIAN][0],
                               region=region("610113"), start_month=datetime.date(this_year(), 1, 1),
                               status=EnrollmentStatus.ACTIVE)  # fmt: skip
        ledger.period_add(enrollment=xa, year=this_year(), first_month=1, last_month=1,
                          monthly_base=D("8000.00"), employer_rate=D("0.16"),
                          personal_rate=D("0.08"), personal_account_credit=D("640.00"))  # fmt: skip
        made[insurance] = (cd, wh, xa)
    return person, places, made


def run_case(call, person, places, *, insurance, source, target, until=CaseStatus.COMPLETED):
    case = call(
        services.transfer_submit,
        person=person, insurance=insurance,
        category="enterprise" if insurance == "pension" else "employee",
        from_region=source, to_region=target, phone="13912345678",
        hukou_address="湖北省武汉市武昌区中山路1号", actor=person.user,
    )  # fmt: skip
    out_code, in_code = (places_key(source)), places_key(target)
    call(services.transfer_accept, case=case, actor=places[in_code][1]["review"])
    call(services.transfer_acknowledge, case=case, actor=places[out_code][1]["review"])
    case.refresh_from_db()
    assert case.status == CaseStatus.INFO_SHEET_ISSUED
    if until == CaseStatus.INFO_SHEET_ISSUED:
        return case
    call(services.transfer_remit, case=case, actor=places[out_code][1]["finance"])
    funds = TransferFunds.objects.get(case=case)
    call(
        services.transfer_confirm_receipt,
        case=case,
        actor=places[in_code][1]["finance"],
        amount=funds.total,
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED
    return case


def places_key(code: str) -> str:
    return {"510107": CHENGDU, "420103": WUHAN, "610113": XIAN}[code]


def test_wuhan_to_xian_moves_the_chengdu_rights_carried_and_wuhans_own(wang, committed):
    person, places, _made = wang
    first = run_case(
        committed, person, places, insurance="pension", source="510107", target="420103"
    )
    funds = TransferFunds.objects.get(case=first)
    # Chengdu: 72 months; ④ = 6 × 4560 + (50+100+…+300) = 27,360 + 1,050 = 28,410.00;
    # ⑤ = 12% × 4750 × 72 = 12% × 342,000 = 41,040.00.
    assert (funds.months, funds.personal_account, funds.pooled_fund, funds.total) == (
        72, D("28410.00"), D("41040.00"), D("69450.00"),
    )  # fmt: skip

    second = run_case(
        committed, person, places, insurance="pension", source="420103", target="610113"
    )
    funds = TransferFunds.objects.get(case=second)
    # Wuhan's own: 72 months, account 6 × 6720 + 6150 = 46,470.00, wages 7000 × 72 = 504,000.
    # ② = 28,410.00 + 46,470.00 = 74,880.00 (all years before this one); ① = ③ = 0.
    # ⑤ = 12% × (342,000 + 504,000) = 101,520.00;  ⑥ = 74,880.00 + 101,520.00 = 176,400.00.
    assert {f: getattr(funds, f) for f in ledger.FUNDS_FIELDS} == {
        "months": 144,
        "before_1998": D("0.00"),
        "since_1998_to_last_year": D("74880.00"),
        "transfer_year_principal": D("0.00"),
        "personal_account": D("74880.00"),
        "pooled_fund": D("101520.00"),
        "total": D("176400.00"),
    }
    records = person_records(person=person)
    by_region = {r.enrollment.agency.region_id: r for r in records.enrollments
                 if r.enrollment.insurance == "pension"}  # fmt: skip
    # Every month and every fen is at exactly one place: Xi'an holds it all.
    assert (by_region[CHENGDU].months, by_region[CHENGDU].balance) == (0, D("0.00"))
    assert (by_region[WUHAN].months, by_region[WUHAN].balance) == (0, D("0.00"))
    assert (by_region[XIAN].months, by_region[XIAN].balance) == (145, D("75520.00"))
    pension = next(t for t in records.totals if t["insurance"] == "pension")
    assert (pension["months"], pension["personal_account"]) == (145, D("75520.00"))
    assert [m.reference for m in by_region[WUHAN].transferred_out] == [second.serial_no]
    assert [m.reference for m in by_region[XIAN].transferred_in] == [second.serial_no]


def test_while_a_medical_case_runs_its_months_are_in_transit_not_lost(wang, committed):
    person, places, made = wang
    cd, _wh, _xa = made["medical"]
    before = person_records(person=person)
    medical = next(t for t in before.totals if t["insurance"] == "medical")
    assert (medical["months"], medical["personal_account"]) == (145, D("75520.00"))
    case = run_case(committed, person, places, insurance="medical", source="510107", target="420103",
                    until=CaseStatus.INFO_SHEET_ISSUED)  # fmt: skip
    during = person_records(person=person)
    medical = next(t for t in during.totals if t["insurance"] == "medical")
    assert (medical["months"], medical["personal_account"]) == (145, D("75520.00"))
    assert (medical["in_transit_months"], medical["in_transit_personal_account"]) == (
        72, D("28410.00"),
    )  # fmt: skip
    chengdu = next(r for r in during.enrollments if r.enrollment == cd)
    assert (chengdu.months, chengdu.balance) == (0, D("0.00"))
    assert [(m.reference, m.months) for m in chengdu.in_transit] == [(case.serial_no, 72)]
    assert RightsMovement.objects.get(reference=case.serial_no).status == MovementStatus.IN_TRANSIT


def test_the_person_cannot_mark_an_enrollment_still_being_paid(wang):
    from core.errors import DomainError
    from insured.certificates import certificate_issue

    person, _places, made = wang
    _cd, wh, _xa = made["pension"]
    with pytest.raises(DomainError) as refused:
        certificate_issue(enrollment=wh, actor=person.user)
    assert refused.value.code == "still_paying"
    assert "参保证明" in str(refused.value)
    wh.refresh_from_db()
    assert wh.status == EnrollmentStatus.ACTIVE


@pytest.mark.parametrize("move", ["reject", "withdraw", "return"])
def test_an_ended_case_gives_the_enrollment_its_former_status_back(wang, move, committed):
    person, places, made = wang
    cd, _wh, _xa = made["pension"]
    case = committed(
        services.transfer_submit,
        person=person, insurance="pension", category="enterprise", from_region="510107",
        to_region="420103", phone="13912345678", hukou_address="武汉", actor=person.user,
    )  # fmt: skip
    cd.refresh_from_db()
    assert cd.status == EnrollmentStatus.TRANSFERRING_OUT  # the certificate step marked it
    if move == "reject":
        services.transfer_reject(case=case, actor=places[WUHAN][1]["review"], reason="材料不全")
    elif move == "withdraw":
        services.transfer_withdraw(case=case, actor=person.user)
    else:
        committed(services.transfer_accept, case=case, actor=places[WUHAN][1]["review"])
        services.transfer_return(case=case, actor=places[CHENGDU][1]["review"], reason="信息不符")
    cd.refresh_from_db()
    assert cd.status == EnrollmentStatus.INTERRUPTED
    assert [(e.from_status, e.to_status, e.reference) for e in cd.events.all()] == [
        ("interrupted", "transferring_out", case.serial_no),
        ("transferring_out", "interrupted", case.serial_no),
    ]


def test_records_page_and_api_show_in_transit_then_transferred_out(wang, committed, client):
    person, places, made = wang
    cd, wh, _xa = made["medical"]
    case = run_case(committed, person, places, insurance="medical", source="510107",
                    target="420103", until=CaseStatus.INFO_SHEET_ISSUED)  # fmt: skip
    client.force_login(person.user)
    page = client.get(reverse("my-records")).content.decode()
    assert "转移途中" in page and case.serial_no in page and "28,410.00" in page
    me = client.get("/api/v1/me/").json()
    chengdu = next(e for e in me["enrollments"] if e["id"] == cd.pk)
    assert chengdu["personal_account_balance"] == "0.00" and chengdu["months"] == 0
    assert chengdu["in_transit"] == [
        {
            "serial_no": case.serial_no,
            "to_region": "420103",
            "to_region_name": "湖北省武汉市江汉区",
            "transfer_date": chengdu["in_transit"][0]["transfer_date"],
            "months": 72,
            "personal_account": "28410.00",
            "pooled_fund": "0.00",
            "case_url": f"/api/v1/transfers/{case.serial_no}/",
        }
    ]
    medical = next(t for t in me["totals"] if t["insurance"] == "medical")
    assert medical == {
        "insurance": "medical",
        "months": 145,
        "personal_account": "75520.00",
        "in_transit_months": 72,
        "in_transit_personal_account": "28410.00",
    }

    services.transfer_remit(case=case, actor=places[CHENGDU][1]["finance"])
    services.transfer_pay_remittance(case_id=case.pk)  # the bank's reference: remitted
    services.transfer_confirm_receipt(
        case=case, actor=places[WUHAN][1]["finance"], amount=Decimal("28410.00")
    )
    me = client.get("/api/v1/me/").json()
    chengdu = next(e for e in me["enrollments"] if e["id"] == cd.pk)
    wuhan = next(e for e in me["enrollments"] if e["id"] == wh.pk)
    assert chengdu["in_transit"] == [] and chengdu["personal_account_balance"] == "0.00"
    assert [o["serial_no"] for o in chengdu["transferred_out"]] == [case.serial_no]
    assert [i["serial_no"] for i in wuhan["transferred_in"]] == [case.serial_no]
    assert wuhan["months"] == 144 and wuhan["personal_account_balance"] == "74880.00"
    medical = next(t for t in me["totals"] if t["insurance"] == "medical")
    assert (medical["months"], medical["personal_account"], medical["in_transit_months"]) == (
        145, "75520.00", 0,
    )  # fmt: skip
    page = client.get(reverse("my-records")).content.decode()
    assert "本地余额 ¥0.00" in page


def test_the_case_certificate_is_readable_by_both_agencies(wang, committed, client):
    from rest_framework.test import APIClient

    person, places, made = wang
    case = committed(
        services.transfer_submit, person=person, insurance="pension", category="enterprise",
        from_region="510107", to_region="420103", phone="13912345678", hukou_address="武汉",
        actor=person.user,
    )  # fmt: skip
    from insured.certificates import existing_certificate

    document = existing_certificate(made["pension"][0])
    for user in (places[CHENGDU][1]["review"], places[WUHAN][1]["review"]):
        api = APIClient()
        api.force_authenticate(user)
        response = api.get(f"/api/v1/documents/{document.pk}/pdf/")
        assert response.status_code == 200, user.username
    outsider = APIClient()
    outsider.force_authenticate(places[XIAN][1]["review"])
    assert outsider.get(f"/api/v1/documents/{document.pk}/pdf/").status_code == 404
    assert case.serial_no


def test_a_certificate_whose_records_changed_is_reissued_and_the_old_one_superseded(wang, client):
    from insured.certificates import certificate_issue

    person, _places, made = wang
    cd = made["pension"][0]
    first = certificate_issue(enrollment=cd, actor=person.user)
    assert certificate_issue(enrollment=cd, actor=person.user).pk == first.pk  # same records
    ledger.period_add(
        enrollment=cd, year=2009, first_month=12, last_month=12, monthly_base=D("4000.00"),
        employer_rate=D("0.20"), personal_rate=D("0.08"), personal_account_credit=D("320.00"),
    )  # fmt: skip
    second = certificate_issue(enrollment=cd, actor=person.user)
    first.refresh_from_db()
    assert second.pk != first.pk and second.number != first.number
    assert first.superseded_by == second
    page = client.get(first.verify_path).content.decode()
    assert second.number in page and "不再有效" in page


def test_the_second_info_sheet_prints_the_carried_rights_and_the_whole_accounts_dates(
    wang, committed
):
    from transfers.contexts import pension_info_sheet_context

    person, places, made = wang
    person.work_start = datetime.date(2009, 7, 1)
    person.save(update_fields=["work_start"])
    cd, wh, _xa = made["pension"]
    cd.account_opened = datetime.date(2009, 12, 1)
    cd.save(update_fields=["account_opened"])
    first = run_case(committed, person, places, insurance="pension", source="510107",
                     target="420103")  # fmt: skip
    second = run_case(committed, person, places, insurance="pension", source="420103",
                      target="610113")  # fmt: skip
    context = pension_info_sheet_context(
        second, funds=TransferFunds.objects.get(case=second), years=ledger.periods_of(wh),
        transfer_date=datetime.date(this_year(), 1, 1),
    )  # fmt: skip
    assert context["work_start"] == datetime.date(2009, 7, 1)  # 参加工作时间
    assert context["first_contribution"] == datetime.date(2010, 1, 1)  # in Chengdu
    assert context["account_established"] == datetime.date(2009, 12, 1)  # the real opening
    (carried,) = context["carried_in"]
    assert (carried["serial_no"], carried["months"], carried["personal_account"]) == (
        first.serial_no, 72, D("28410.00"),
    )  # fmt: skip
    assert carried["wages_since_1998"] == D("342000.00")
    assert [row["employer_rate"] for row in context["years"]] == [D("0.1600")] * 6
    assert context["years"][-1]["balance_at_year_end"] == D("74880.00")


def test_the_second_info_sheet_pdf_shows_the_carried_rights_and_both_rates(
    wang, committed, tmp_path, caplog
):
    import logging

    from documents.kinds import DocumentKind
    from documents.models import Document
    from tests.documents.conftest import pdf_text

    person, places, made = wang
    run_case(committed, person, places, insurance="pension", source="510107", target="420103")
    wh = made["pension"][1]
    ledger.period_add(
        enrollment=wh, year=2022, first_month=1, last_month=4, monthly_base=D("7000.00"),
        employer_rate=D("0.20"), personal_rate=D("0.08"), personal_account_credit=D("2240.00"),
    )  # fmt: skip
    ledger.period_add(
        enrollment=wh, year=2022, first_month=5, last_month=12, monthly_base=D("7200.00"),
        employer_rate=D("0.16"), personal_rate=D("0.08"), personal_account_credit=D("4608.00"),
    )  # fmt: skip
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        second = run_case(committed, person, places, insurance="pension", source="420103",
                          target="610113")  # fmt: skip
    assert not [r for r in caplog.records if r.name.startswith("weasyprint")]
    sheet = Document.objects.get(
        kind=DocumentKind.PENSION_INFO_SHEET, case_reference=second.serial_no
    )
    text = pdf_text(sheet.pdf.read(), tmp_path)
    carried = text.replace(" ", "")
    assert "本地记录中的转入权益" in carried and "四川省成都市武侯区" in carried
    assert "72¥28,410.00¥41,040.00¥342,000.00" in carried  # months, ④, ⑤, wages carried
    assert "20%" in text and "16%" in text and "17%" not in text  # each period its own rate
