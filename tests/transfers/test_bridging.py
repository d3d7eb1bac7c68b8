"""城乡养老保险制度衔接 (人社部发〔2014〕17号, issue 15): the overlap refund in fen, eligibility
and every refusal through the API, the reverse direction with hand-computed amounts, the
info sheet's 制度衔接 variant read back from its PDF, and the records page."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from documents.kinds import DocumentKind
from documents.models import Document
from insured import retirement
from insured.models import Enrollment, EnrollmentStatus, OverlapRefund
from insured.resident import ResidentYear, month_shares, overlap_refund, resident_account
from tests.documents.conftest import pdf_text
from tests.factories import AgencyFactory, ContributionYearFactory, EnrollmentFactory, region
from tests.otp_helpers import api_verified
from tests.transfers.bridging import (
    REVERSE,
    employee_enrollment,
    employee_of,
    person_born,
    resident_enrollment,
    resident_of,
    reverse_person,
    sun_ba,
    weifang,
)
from transfers import services
from transfers.models import TransferCase, TransferFunds
from transfers.services.steps import (
    transfer_issue_certificate,
    transfer_issue_info_sheet,
    transfer_pay_remittance,
    transfer_send_letter,
)
from transfers.workflow import CaseStatus

date = datetime.date
D = Decimal


# ── the refund, pure ─────────────────────────────────────────────────────────────────────────


def year(y, first, last, personal, government, collective, grade="300.00"):
    return ResidentYear(y, first, last, D(grade), D(personal), D(government), D(collective))


def test_the_refund_of_a_partial_overlap_gives_the_remainder_fen_to_the_first_months():
    # 2017 months 4-12: personal 200.00 + collective 30.00 = 23000 fen = 9×2555 + 5:
    # months 4..8 hold 2556 fen, 9..12 hold 2555. Overlap 4, 5, 6 → 7668 fen = 76.68.
    y2017 = year(2017, 4, 12, "200.00", "40.00", "30.00", grade="200.00")
    assert month_shares(y2017) == {4: 2556, 5: 2556, 6: 2556, 7: 2556, 8: 2556,
                                   9: 2555, 10: 2555, 11: 2555, 12: 2555}  # fmt: skip
    refund = overlap_refund([y2017], {(2017, m) for m in range(1, 7)})
    assert (refund.amount, refund.months) == (D("76.68"), 3)
    assert (refund.first, refund.last) == (date(2017, 4, 1), date(2017, 6, 1))


def test_a_whole_overlapping_year_refunds_personal_and_collective_but_not_the_subsidy():
    y2016 = year(2016, 1, 6, "250.00", "40.00", "25.00")
    refund = overlap_refund([y2016], {(2016, m) for m in range(1, 13)})
    assert refund.amount == D("275.00")  # 250.00 + 25.00; the 40.00 subsidy stays
    assert resident_account([y2016]) == D("315.00")


amounts = st.integers(min_value=0, max_value=10_000_00).map(lambda fen: D(fen) / 100)


@st.composite
def resident_years(draw):
    rows = []
    for y in sorted(draw(st.sets(st.integers(2011, 2030), min_size=1, max_size=8))):
        first = draw(st.integers(1, 12))
        last = draw(st.integers(first, 12))
        rows.append(
            ResidentYear(y, first, last, D("300.00"), draw(amounts), draw(amounts), draw(amounts))
        )
    return rows


@given(
    resident_years(),
    st.sets(st.tuples(st.integers(2011, 2030), st.integers(1, 12)), max_size=200),
)
def test_merged_plus_refunded_is_the_resident_account_to_the_fen(years, employee_months):
    account = resident_account(years)
    refund = overlap_refund(years, employee_months)
    merged = account - refund.amount
    assert merged + refund.amount == account
    assert merged >= 0
    assert refund.amount == refund.amount.quantize(D("0.01"))
    # never more than the personal contributions and collective subsidies of the years
    assert refund.amount <= sum(
        (y.personal_contribution + y.collective_subsidy for y in years), D(0)
    )
    covered = {(y.year, m) for y in years for m in range(y.first_month, y.last_month + 1)}
    assert refund.months == len(covered & employee_months)
    # every month of a year together is exactly the year's refundable amount
    for y in years:
        assert sum(month_shares(y).values()) == int(
            (y.personal_contribution + y.collective_subsidy) * 100
        )
    if covered <= employee_months:
        assert refund.amount == sum(
            (y.personal_contribution + y.collective_subsidy for y in years), D(0)
        )


# ── eligibility and refusals, through the API ───────────────────────────────────────────────


@pytest.fixture
def parties(regions):
    return weifang()


def apply(api_client, person, category, *, from_region="370705", to_region="370705"):
    api_verified(api_client, person.user)
    return api_client.post(
        "/api/v1/transfers/",
        {
            "insurance": "pension",
            "category": category,
            "from_region": from_region,
            "to_region": to_region,
            "phone": "13612345678",
            "hukou_address": "山东省潍坊市奎文区胜利东街100号",
        },
        format="json",
    )


def refused(response, code):
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == code, body
    return body["detail"]


@pytest.mark.django_db
def test_sun_ba_may_apply_resident_to_employee_at_once(parties, api_client):
    person = sun_ba(parties)
    response = apply(api_client, person, "resident_to_employee")
    assert response.status_code == 201, response.content
    case = response.json()
    assert case["category"] == "resident_to_employee"
    assert case["from_agency"] == "潍坊市奎文区城乡居民养老保险经办机构"
    assert case["to_agency"] == "潍坊市社会保险事业中心"
    assert case["refund"] is None  # fixed with the info sheet, not before
    assert case["overlapping_months"] == [f"2016-{m:02d}" for m in range(1, 7)]


@pytest.mark.django_db
def test_refused_before_the_retirement_age_with_the_month_it_is_reached(parties, api_client):
    person = person_born(date(1970, 1, 15))
    employee_enrollment(person, parties, start=date(2000, 1, 1), end=None, status="active")
    resident_enrollment(person, parties, start=date(2011, 1, 1), end=date(2012, 12, 1))
    reached = retirement.retirement_of(person).reached
    detail = refused(apply(api_client, person, "resident_to_employee"), "not_retirement_age")
    assert f"{reached:%Y年%m月}" in detail


@pytest.mark.django_db
def test_a_woman_whose_original_retirement_age_is_not_recorded_is_told_so(parties, api_client):
    person = person_born(date(1965, 6, 1), male=False)
    employee_enrollment(person, parties, start=date(2000, 1, 1), end=date(2020, 12, 1))
    resident_enrollment(person, parties, start=date(2021, 1, 1), end=date(2022, 12, 1))
    detail = refused(
        apply(api_client, person, "resident_to_employee"), "retirement_category_unknown"
    )
    assert "50" in detail and "55" in detail


@pytest.mark.django_db
def test_refused_without_a_resident_enrollment(parties, api_client):
    person = sun_ba(parties)
    resident_of(person).delete()
    refused(apply(api_client, person, "resident_to_employee"), "no_resident_enrollment")


@pytest.mark.django_db
def test_refused_without_an_employee_enrollment(parties, api_client):
    person = sun_ba(parties)
    employee_of(person).delete()
    refused(apply(api_client, person, "employee_to_resident"), "no_employee_enrollment")


@pytest.mark.django_db
def test_refused_when_already_drawing_benefits(parties, api_client):
    person = sun_ba(parties)
    Enrollment.objects.filter(pk=employee_of(person).pk).update(drawing_benefits=True)
    refused(apply(api_client, person, "resident_to_employee"), "drawing_pension")


@pytest.mark.django_db
def test_refused_when_already_bridged(parties, api_client):
    person = sun_ba(parties)
    Enrollment.objects.filter(pk=resident_of(person).pk).update(status=EnrollmentStatus.BRIDGED)
    refused(apply(api_client, person, "resident_to_employee"), "already_bridged")


@pytest.mark.django_db
def test_refused_while_a_case_is_open(parties, api_client):
    person = sun_ba(parties)
    first = apply(api_client, person, "resident_to_employee").json()
    detail = refused(apply(api_client, person, "resident_to_employee"), "open_case_exists")
    assert first["serial_no"] in detail


@pytest.mark.django_db
def test_refused_into_the_employee_pension_below_the_minimum_months(parties, api_client):
    person = reverse_person(parties)
    detail = refused(apply(api_client, person, "resident_to_employee"), "wrong_direction")
    assert "90" in detail and "180" in detail and "employee_to_resident" in detail


@pytest.mark.django_db
def test_refused_into_the_resident_pension_when_the_employee_conditions_are_met(
    parties, api_client
):
    person = sun_ba(parties)
    detail = refused(apply(api_client, person, "employee_to_resident"), "wrong_direction")
    assert "240" in detail and "180" in detail and "resident_to_employee" in detail


@pytest.mark.django_db
def test_refused_with_employee_relationships_in_two_places(parties, api_client):
    person = sun_ba(parties)
    beijing = AgencyFactory(region=region("110105"))
    elsewhere = EnrollmentFactory(
        person=person, agency=beijing, start_month=date(2011, 1, 1), end_month=date(2012, 12, 1),
        status=EnrollmentStatus.INTERRUPTED,
    )  # fmt: skip
    ContributionYearFactory(enrollment=elsewhere, year=2011)
    detail = refused(apply(api_client, person, "resident_to_employee"), "scattered_relationships")
    assert "潍坊市社会保险事业中心" in detail and beijing.name in detail and "66号" in detail


@pytest.mark.django_db
def test_the_english_refusal_is_translated(parties, api_client):
    person = reverse_person(parties)
    api_verified(api_client, person.user)
    response = api_client.post(
        "/api/v1/transfers/",
        {"insurance": "pension", "category": "resident_to_employee", "from_region": "370705",
         "to_region": "370705", "phone": "13612345678", "hukou_address": "潍坊"},
        format="json", HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    detail = refused(response, "wrong_direction")
    assert "180" in detail and "职工" not in detail


# ── the reverse direction, hand-computed ────────────────────────────────────────────────────


def run_case(case, *, in_review, out_review, out_finance, in_finance) -> TransferCase:
    """The whole flow through the services, the system steps run by hand (no worker)."""
    transfer_issue_certificate(case_id=case.pk)
    services.transfer_accept(case=case, actor=in_review)
    transfer_send_letter(case_id=case.pk)
    services.transfer_acknowledge(case=TransferCase.objects.get(pk=case.pk), actor=out_review)
    transfer_issue_info_sheet(case_id=case.pk)
    services.transfer_remit(case=TransferCase.objects.get(pk=case.pk), actor=out_finance)
    transfer_pay_remittance(case_id=case.pk)
    funds = TransferFunds.objects.get(case_id=case.pk)
    services.transfer_confirm_receipt(
        case=TransferCase.objects.get(pk=case.pk), actor=in_finance, amount=funds.total
    )
    return TransferCase.objects.get(pk=case.pk)


@pytest.mark.django_db
def test_employee_to_resident_merges_the_employee_account_and_counts_its_months(
    parties, api_client, tmp_path
):
    person = reverse_person(parties)
    response = apply(api_client, person, "employee_to_resident")
    assert response.status_code == 201, response.content
    case = TransferCase.objects.get(serial_no=response.json()["serial_no"])
    assert case.transfer_in_agency == parties.resident_agency
    assert case.transfer_out_agency == parties.employee_agency
    transfer_issue_certificate(case_id=case.pk)
    # the certificate of a bridging case (inside the province) does not mark 中断(转外省)
    assert employee_of(person).status == EnrollmentStatus.INTERRUPTED

    case = run_case(
        case, in_review=parties.kw_review, out_review=parties.wf_review,
        out_finance=parties.wf_finance, in_finance=parties.kw_finance,
    )  # fmt: skip

    assert case.status == CaseStatus.COMPLETED
    funds = TransferFunds.objects.get(case=case)
    assert funds.personal_account == funds.total == REVERSE["employee_account"]
    assert funds.pooled_fund == D("0.00")  # the pooled fund stays (17号 art. 7)
    assert funds.months == REVERSE["employee_months"]
    refund = OverlapRefund.objects.get(reference=case.serial_no)
    assert (refund.amount, refund.months) == (REVERSE["refund"], REVERSE["refund_months"])
    assert (refund.first_month, refund.last_month) == (date(2017, 4, 1), date(2017, 6, 1))
    assert refund.recorded_at is not None

    employee = Enrollment.objects.prefetch_related("years", "transferred_in").get(
        pk=employee_of(person).pk
    )
    assert employee.status == EnrollmentStatus.BRIDGED
    assert employee.personal_account_balance() == D("0.00") and employee.months() == 0
    resident = resident_of(person)
    assert resident.personal_account_balance() == REVERSE["resident_after"]
    assert resident.months() == REVERSE["resident_months_after"]
    # conservation: what both schemes held before = what the resident holds + the refund
    assert (
        REVERSE["employee_account"] + REVERSE["resident_account"]
        == resident.personal_account_balance() + refund.amount
    )

    api_verified(api_client, person.user)
    detail = api_client.get(f"/api/v1/transfers/{case.serial_no}/").json()
    assert detail["refund"] == {"amount": "76.68", "months": 3, "recorded": True}

    sheet = Document.objects.get(
        case_reference=case.serial_no, kind=DocumentKind.PENSION_INFO_SHEET
    )
    text = pdf_text(sheet.pdf.read(), tmp_path)
    assert "城乡养老保险制度衔接" in text
    assert "职工养老保险转入城乡居民养老保险" in text
    for figure in ("2,070.00", "76.68", "36,720.00", "270.00"):
        assert figure in text, figure


# ── pages ───────────────────────────────────────────────────────────────────────────────────


@pytest.mark.django_db
def test_my_records_shows_the_resident_years_and_account(parties, client):
    person = sun_ba(parties)
    client.force_login(person.user)
    page = client.get("/me/records/").content.decode()
    assert "城乡居民基本养老保险历年缴费" in page
    assert "2,805.00" in page  # the resident account, hand-computed in tests.transfers.bridging
    for cell in ("300.00", "60.00", "50.00", "500.00", "80.00", "250.00"):
        assert cell in page


@pytest.mark.django_db
def test_the_refund_and_the_bridged_enrollment_show_on_my_records(parties, client, api_client):
    person = sun_ba(parties)
    case = TransferCase.objects.get(
        serial_no=apply(api_client, person, "resident_to_employee").json()["serial_no"]
    )
    run_case(
        case, in_review=parties.wf_review, out_review=parties.kw_review,
        out_finance=parties.kw_finance, in_finance=parties.wf_finance,
    )  # fmt: skip
    client.force_login(person.user)
    page = client.get("/me/records/").content.decode()
    assert "已衔接" in page
    assert "重复缴费退还本人" in page and "275.00" in page and "2016-01" in page
    assert "¥2,530.00 并入" in page
    case_page = client.get(f"/transfers/{case.serial_no}/").content.decode()
    assert 'data-testid="refund"' in case_page and "275.00" in case_page


@pytest.mark.django_db
def test_the_records_api_has_a_resident_block(parties, api_client):
    person = sun_ba(parties)
    api_verified(api_client, person.user)
    me = api_client.get("/api/v1/me/").json()
    resident = next(e for e in me["enrollments"] if e["insurance"] == "resident_pension")
    assert resident["resident"]["account"] == "2805.00"
    assert [y["year"] for y in resident["resident"]["years"]] == list(range(2011, 2017))
    assert resident["resident"]["years"][-1] == {
        "year": 2016, "first_month": 1, "last_month": 6, "months": 6, "grade": "500.00",
        "personal_contribution": "250.00", "government_subsidy": "40.00",
        "collective_subsidy": "25.00", "total": "315.00",
    }  # fmt: skip
    assert resident["personal_account_balance"] == "2805.00"
    assert resident["months"] == 66  # 5×12 + 6
    assert timezone.localdate()  # (records are as of today)


@pytest.mark.django_db
def test_the_back_office_shows_the_resident_years_and_the_refund(parties, client, api_client):
    from tests.factories import UserFactory
    from tests.otp_helpers import login_verified

    person = sun_ba(parties)
    case = TransferCase.objects.get(
        serial_no=apply(api_client, person, "resident_to_employee").json()["serial_no"]
    )
    run_case(
        case, in_review=parties.wf_review, out_review=parties.kw_review,
        out_finance=parties.kw_finance, in_finance=parties.wf_finance,
    )  # fmt: skip
    login_verified(client, UserFactory(is_staff=True, is_superuser=True))
    page = client.get(f"/admin/insured/enrollment/{resident_of(person).pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "缴费档次" in html and "政府补贴" in html and case.serial_no in html and "275.00" in html


@pytest.mark.django_db
def test_before_receipt_the_case_page_says_the_refund_is_due_not_done(parties, client, api_client):
    person = sun_ba(parties)
    case = TransferCase.objects.get(
        serial_no=apply(api_client, person, "resident_to_employee").json()["serial_no"]
    )
    # Up to the remittance: the info sheet fixed the refund, nobody has confirmed receipt.
    transfer_issue_certificate(case_id=case.pk)
    services.transfer_accept(case=case, actor=parties.wf_review)
    transfer_send_letter(case_id=case.pk)
    services.transfer_acknowledge(
        case=TransferCase.objects.get(pk=case.pk), actor=parties.kw_review
    )
    transfer_issue_info_sheet(case_id=case.pk)
    client.force_login(person.user)
    page = client.get(f"/transfers/{case.serial_no}/").content.decode()
    assert "重复缴费应退还本人" in page and "275.00" in page and "办结时记录退还" in page
    assert "重复缴费退还本人" not in page and "（已记录）" not in page
    assert api_client.get(f"/api/v1/transfers/{case.serial_no}/").json()["refund"] == {
        "amount": "275.00",
        "months": 6,
        "recorded": False,
    }
    # Nor on my records: the resident account still holds it.
    assert "重复缴费退还本人" not in client.get("/me/records/").content.decode()


# ── the web form ─────────────────────────────────────────────────────────────────────────────


def web_application(category, **overrides) -> dict:
    data = {
        "insurance": "pension",
        "category": category,
        "from_province": "370000",
        "from_city": "370700",
        "from_county": "370705",
        "to_province": "370000",
        "to_city": "370700",
        "to_county": "370705",
        "phone": "13612345678",
        "hukou_address": "山东省潍坊市奎文区胜利东街100号",
        "declaration": "on",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_sun_ba_applies_resident_to_employee_on_the_web_form(parties, client):
    person = sun_ba(parties)
    client.force_login(person.user)
    form = client.get("/transfers/apply/").content.decode()
    assert '<optgroup label="城乡养老保险制度衔接（养老保险）">' in form
    assert "城乡居民养老保险转入职工养老保险" in form
    assert "转入地填待遇领取地" in form

    response = client.post("/transfers/apply/", web_application("resident_to_employee"))
    case = TransferCase.objects.get(person=person)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert (case.category, case.insurance) == ("resident_to_employee", "pension")
    assert case.transfer_out_agency == parties.resident_agency
    assert case.transfer_in_agency == parties.employee_agency
    page = client.get(response["Location"]).content.decode()
    assert case.serial_no in page


@pytest.mark.django_db
def test_the_web_form_refuses_bridging_as_the_api_does_and_creates_nothing(parties, client):
    person = sun_ba(parties)
    client.force_login(person.user)
    medical = client.post(
        "/transfers/apply/", web_application("resident_to_employee", insurance="medical")
    )
    assert medical.status_code == 400
    assert "“城乡居民养老保险转入职工养老保险”不适用于基本医疗保险" in medical.content.decode()
    # 孙八 meets the employee conditions (240 months): the reverse direction is refused.
    reverse = client.post("/transfers/apply/", web_application("employee_to_resident"))
    assert reverse.status_code == 400
    html = reverse.content.decode()
    assert 'role="alert"' in html
    assert "180" in html
    assert not TransferCase.objects.exists()


@pytest.mark.django_db
def test_the_proof_of_insurance_says_which_months_were_paid_as_a_flexible_worker(parties, tmp_path):
    from insured.certificates import proof_context, proof_issue

    person = sun_ba(parties)  # Weifang: employer 2001–2010, flexible worker 2016–2025
    proof = proof_issue(person=person, region_code="370700")
    text = pdf_text(proof.pdf.read(), tmp_path).replace("\n", "")
    assert "其中以个人身份参保（灵活就业）缴费：2016年12个月、2017年12个月" in text
    assert "2025年12个月。" in text
    assert "2001年" not in text.split("其中以个人身份参保")[1]  # employer years are not listed
    # Records without flexible months print (and fingerprint) as before: no such line.
    row = proof_context(person, parties.resident_agency)["insurances"][0]
    assert "flexible_years" not in row
