"""Issue 9 item 1: temporary accounts (国办发〔2009〕66号 art. 8(2)). The 50/40 age test at the
date of application outside the hukou province, the approved transfer (调动) with its reviewer
check, no move into or out of a temporary account, sealing, and the collection (归集) by the
benefit place with line ⑤ of the info sheet saying what it is."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import assume, given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from core.errors import DomainError
from documents.kinds import DocumentKind
from documents.models import Document
from documents.rendering import render_html
from insured.models import AccountKind, EnrollmentStatus
from insured.services import temporary_accounts_seal
from tests.factories import ContributionYearFactory, EnrollmentFactory, PersonFactory, region
from tests.otp_helpers import api_verified, login_verified
from tests.transfers import samples
from tests.transfers.factories import (
    IN_REGION,
    OUT_REGION,
    login,
    make_mover,
    make_parties,
    this_year,
)
from transfers import services
from transfers.contexts import pension_info_sheet_context
from transfers.models import CaseEvent, CaseKind, TransferCase, TransferFunds
from transfers.services import EligibilityError
from transfers.services.steps import transfer_issue_info_sheet, transfer_send_letter
from transfers.services.submission import age_on, temporary_account_rule_applies
from transfers.workflow import CaseStatus

date = datetime.date


@pytest.fixture
def parties(regions):
    return make_parties()


def years_ago(years: int, *, days: int = 0) -> date:
    """The birth date of someone who turns ``years`` old ``days`` days from today."""
    today = timezone.localdate()
    try:
        born = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        born = today.replace(year=today.year - years, day=28)
    return born + datetime.timedelta(days=days)


def mover_born(parties, born: date, *, male: bool):
    """A Beijing-hukou mover (Beijing → Nanjing) with the given birth date and sex."""
    person = PersonFactory(user=login(), born=born, male=male)
    return make_mover(parties, person=person)


def pdf(name="调动批准.pdf"):
    return SimpleUploadedFile(name, samples.pdf(), content_type="application/pdf")


def submit(person, **overrides):
    values = {
        "person": person,
        "insurance": "pension",
        "category": "enterprise",
        "from_region": OUT_REGION,
        "to_region": IN_REGION,
        "phone": "13912345678",
        "hukou_address": "北京市朝阳区建国路1号",
        "actor": person.user,
    }
    values.update(overrides)
    return services.transfer_submit(**values)


# ── the age test, by hand ────────────────────────────────────────────────────────────────────


def test_age_counts_whole_years_on_the_date_of_application():
    assert age_on(date(1976, 11, 27), date(2026, 11, 26)) == 49  # birthday tomorrow
    assert age_on(date(1976, 11, 26), date(2026, 11, 26)) == 50  # birthday today
    assert age_on(date(1986, 2, 28), date(2026, 2, 27)) == 39
    # Born on 29 February: 40 on 1 March of a common year, not on 28 February.
    assert age_on(date(1988, 2, 29), date(2028, 2, 28)) == 39
    assert age_on(date(1988, 2, 29), date(2028, 2, 29)) == 40
    assert age_on(date(1984, 2, 29), date(2026, 2, 28)) == 41
    assert age_on(date(1986, 2, 28), date(2026, 2, 28)) == 40


@pytest.mark.django_db
def test_the_rule_needs_the_age_and_a_province_other_than_the_hukou(regions):
    nanjing, beijing_other = region("320106"), region("110108")
    man_50 = PersonFactory(born=date(1976, 11, 26), male=True)
    man_49 = PersonFactory(born=date(1976, 11, 27), male=True)
    woman_40 = PersonFactory(born=date(1986, 11, 26), male=False)
    woman_39 = PersonFactory(born=date(1986, 11, 27), male=False)
    on = date(2026, 11, 26)
    assert temporary_account_rule_applies(person=man_50, to_region=nanjing, on=on)
    assert not temporary_account_rule_applies(person=man_49, to_region=nanjing, on=on)
    assert temporary_account_rule_applies(person=woman_40, to_region=nanjing, on=on)
    assert not temporary_account_rule_applies(person=woman_39, to_region=nanjing, on=on)
    # Moving to the hukou province (Beijing Haidian, hukou Beijing Chaoyang): never.
    assert not temporary_account_rule_applies(person=man_50, to_region=beijing_other, on=on)


# ── at submission ────────────────────────────────────────────────────────────────────────────


@pytest.mark.django_db
def test_a_man_of_fifty_outside_his_hukou_province_is_refused_with_the_explanation(parties):
    person = mover_born(parties, years_ago(50), male=True)

    with pytest.raises(EligibilityError) as refused:
        submit(person)

    assert refused.value.code == "temporary_account_rule"
    message = str(refused.value.message)
    assert "已满50周岁（男）" in message
    assert "转入地江苏省南京市鼓楼区不是您的户籍所在省（北京市）" in message
    assert "临时基本养老保险缴费账户" in message
    assert "仍保留在原参保地" in message and "统一归集" in message
    assert not TransferCase.objects.exists()


@pytest.mark.django_db
def test_a_man_one_day_before_fifty_is_an_ordinary_transfer(parties):
    person = mover_born(parties, years_ago(50, days=1), male=True)
    assert submit(person).status == CaseStatus.SUBMITTED


@pytest.mark.django_db
def test_a_woman_of_forty_is_refused_and_one_of_thirty_nine_is_not(parties):
    woman_40 = mover_born(parties, years_ago(40), male=False)
    woman_39 = mover_born(parties, years_ago(40, days=1), male=False)
    with pytest.raises(EligibilityError) as refused:
        submit(woman_40)
    assert "已满40周岁（女）" in str(refused.value.message)
    assert submit(woman_39).status == CaseStatus.SUBMITTED


@pytest.mark.django_db
def test_medical_insurance_moves_whatever_the_age(parties):
    person = PersonFactory(user=login(), born=years_ago(55), male=True)
    make_mover(parties, person=person, insurance="medical")
    case = submit(person, insurance="medical", category="employee")
    assert case.status == CaseStatus.SUBMITTED


@pytest.mark.django_db
def test_the_refusal_reads_in_english(parties):
    person = mover_born(parties, years_ago(50), male=True)
    api = APIClient()
    api_verified(api, person.user)
    body = {
        "insurance": "pension",
        "category": "enterprise",
        "from_region": OUT_REGION,
        "to_region": IN_REGION,
        "phone": "13912345678",
        "hukou_address": "北京市朝阳区建国路1号",
    }
    response = api.post("/api/v1/transfers/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "temporary basic pension contribution account" in response.content.decode()


# ── the approved transfer (调动) ──────────────────────────────────────────────────────────────


@pytest.mark.django_db
def test_an_approved_transfer_needs_the_approval_attached(parties):
    person = mover_born(parties, years_ago(52), male=True)
    with pytest.raises(EligibilityError) as refused:
        submit(person, approved_transfer=True)
    assert refused.value.code == "approval_attachment_required"


@pytest.mark.django_db
def test_an_approved_transfer_moves_and_the_reviewer_must_confirm_the_check(parties):
    person = mover_born(parties, years_ago(52), male=True)
    case = submit(person, approved_transfer=True, attachment=pdf())
    assert case.approved_transfer and case.attachment_name == "调动批准.pdf"

    with pytest.raises(DomainError) as unchecked:
        services.transfer_accept(case=case, actor=parties.in_reviewer)
    assert unchecked.value.code == "approval_not_checked"
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED

    with translation.override("zh-hans"):
        services.transfer_accept(case=case, actor=parties.in_reviewer, approval_checked=True)
    event = CaseEvent.objects.get(case=case, action="accept")
    assert event.note == "审核员已核验调动批准材料（附件：调动批准.pdf）。"
    assert event.actor == parties.in_reviewer


@pytest.mark.django_db
def test_the_api_accept_takes_the_approval_check(parties):
    person = mover_born(parties, years_ago(52), male=True)
    case = submit(person, approved_transfer=True, attachment=pdf())
    api = APIClient()
    api_verified(api, parties.in_reviewer)
    url = f"/api/v1/agency/transfers/{case.serial_no}/accept/"
    assert api.post(url, {}, format="json").status_code == 400
    response = api.post(url, {"approval_checked": True}, format="json")
    assert response.status_code == 200
    assert response.json()["approved_transfer"] is True


@pytest.mark.django_db
def test_an_ordinary_case_is_accepted_without_the_check(parties):
    case = submit(make_mover(parties))
    services.transfer_accept(case=case, actor=parties.in_reviewer)
    assert CaseEvent.objects.get(case=case, action="accept").note == ""


# ── never into, never out of a temporary account ─────────────────────────────────────────────


@pytest.mark.django_db
def test_an_ordinary_relationship_is_never_moved_into_a_temporary_account(parties):
    person = make_mover(parties)
    person.enrollments.filter(agency=parties.in_agency).update(account_kind=AccountKind.TEMPORARY)
    with pytest.raises(EligibilityError) as refused:
        submit(person)
    assert refused.value.code == "into_temporary_account"
    assert "不转入临时缴费账户" in str(refused.value.message)


@pytest.mark.django_db
def test_a_temporary_account_is_not_moved_on_to_the_next_job_place(parties):
    person = make_mover(parties)
    person.enrollments.filter(agency=parties.out_agency).update(account_kind=AccountKind.TEMPORARY)
    with pytest.raises(EligibilityError) as refused:
        submit(person)
    assert refused.value.code == "temporary_account_stays"
    assert "该账户封存" in str(refused.value.message)


# ── collection (归集) at the benefit place ────────────────────────────────────────────────────


def temporary_in_nanjing(parties):
    """A Beijing-hukou man (55) with his ordinary relationship in Beijing (the benefit place)
    and a temporary account in Nanjing, Y-2 base 10000 × 12 and Y-1 base 10000 months 1–6:
    8% personal credited, 16% employer, 2% interest (tests.factories)."""
    person = PersonFactory(user=login(), born=years_ago(55), male=True)
    beijing = EnrollmentFactory(
        person=person,
        agency=parties.out_agency,
        region=region(OUT_REGION),
        start_month=date(2000, 1, 1),
    )
    ContributionYearFactory(enrollment=beijing, year=2000)
    account = EnrollmentFactory(
        person=person,
        agency=parties.in_agency,
        region=region(IN_REGION),
        account_kind=AccountKind.TEMPORARY,
        start_month=date(this_year() - 2, 1, 1),
        end_month=date(this_year() - 1, 6, 1),
        status=EnrollmentStatus.INTERRUPTED,
    )
    y = this_year()
    ContributionYearFactory(enrollment=account, year=y - 2, monthly_base=Decimal("10000.00"))
    ContributionYearFactory(
        enrollment=account, year=y - 1, last_month=6, monthly_base=Decimal("10000.00")
    )
    return person, account


# Hand-computed, temporary account (all employer and personal contributions with interest):
#   ② personal + interest: Y-2 9600.00 + 192.00; Y-1 4800.00 + 96.00      = 14688.00
#   ③ 0.00; ④ = 14688.00
#   ⑤ every employer contribution: 10000 × 16% × 12 = 19200.00; × 6 = 9600.00 = 28800.00
#   ⑥ = 14688.00 + 28800.00 = 43488.00; months 18
COLLECTED = {
    "before_1998": Decimal("0.00"),
    "since_1998_to_last_year": Decimal("14688.00"),
    "transfer_year_principal": Decimal("0.00"),
    "personal_account": Decimal("14688.00"),
    "pooled_fund": Decimal("28800.00"),
    "total": Decimal("43488.00"),
    "months": 18,
}


@pytest.mark.django_db
def test_the_benefit_place_collects_a_temporary_account_with_the_transfer_flow(parties):
    person, account = temporary_in_nanjing(parties)

    case = services.collection_start(
        person=person, from_enrollment=account, actor=parties.out_reviewer
    )

    assert case.kind == CaseKind.COLLECTION and case.status == CaseStatus.ACCEPTED
    # Beijing (benefit place) receives, Nanjing (temporary account) sends.
    assert case.transfer_in_agency == parties.out_agency
    assert case.transfer_out_agency == parties.in_agency
    account.refresh_from_db()
    assert account.sealed_at == timezone.localdate()
    transfer_send_letter(case_id=case.pk)
    case.refresh_from_db()
    assert case.status == CaseStatus.LETTER_SENT
    services.transfer_acknowledge(case=case, actor=parties.in_reviewer)
    transfer_issue_info_sheet(case_id=case.pk)

    funds = TransferFunds.objects.get(case=case)
    assert {k: getattr(funds, k) for k in COLLECTED} == COLLECTED
    assert Document.objects.filter(
        case_reference=case.serial_no, kind=DocumentKind.PENSION_INFO_SHEET
    ).exists()
    letter = Document.objects.get(
        case_reference=case.serial_no, kind=DocumentKind.PENSION_CONTACT_LETTER
    )
    assert letter.agency == parties.out_agency
    # Line ⑤ of the temporary account's info sheet says what it is.
    years = list(account.years.order_by("year"))
    context = pension_info_sheet_context(
        case, funds=funds, years=years, transfer_date=timezone.localdate()
    )
    html = render_html("documents/pension_info_sheet.html", context)
    assert "⑤ 统筹基金转移额（临时缴费账户：全部单位缴费）" in html
    assert "实际缴费工资总额的12%" not in html


@pytest.mark.django_db
def test_an_ordinary_info_sheet_keeps_the_twelve_percent_line(parties):
    context = {"temporary_account": False, "amounts": {}, "person": {}, "years": []}
    html = render_html("documents/pension_info_sheet.html", context)
    assert "⑤ 统筹基金转移额（1998年1月起实际缴费工资总额的12%）" in html


@pytest.mark.django_db
def test_only_the_benefit_places_reviewer_may_start_a_collection(parties):
    person, account = temporary_in_nanjing(parties)
    with pytest.raises(DomainError) as refused:
        services.collection_start(
            person=person, from_enrollment=account, actor=parties.outsider_reviewer
        )
    assert refused.value.code == "not_benefit_place"
    with pytest.raises(DomainError):
        services.collection_start(person=person, from_enrollment=account, actor=parties.out_finance)
    assert not TransferCase.objects.exists()


@pytest.mark.django_db
def test_an_ordinary_relationship_is_no_collection(parties):
    person = make_mover(parties)
    ordinary = person.enrollments.get(agency=parties.out_agency)
    with pytest.raises(DomainError) as refused:
        services.collection_start(
            person=person, from_enrollment=ordinary, actor=parties.in_reviewer
        )
    assert refused.value.code == "not_a_temporary_account"


@pytest.mark.django_db
def test_the_collection_api(parties):
    person, _account = temporary_in_nanjing(parties)
    api = APIClient()
    api_verified(api, parties.out_reviewer)

    nothing = api.post(
        "/api/v1/agency/collections/",
        {"id_number": person.id_number, "from_region": "310101"},
        format="json",
    )
    response = api.post(
        "/api/v1/agency/collections/",
        {"id_number": person.id_number, "from_region": IN_REGION},
        format="json",
    )
    again = api.post(
        "/api/v1/agency/collections/",
        {"id_number": person.id_number, "from_region": IN_REGION},
        format="json",
    )

    assert nothing.status_code == 400
    assert response.status_code == 201, response.content
    assert response.json()["status"] == CaseStatus.ACCEPTED
    assert again.status_code == 400
    assert "该临时缴费账户已有正在办理的归集" in again.content.decode()


# ── sealing ──────────────────────────────────────────────────────────────────────────────────


@pytest.mark.django_db
def test_a_temporary_account_left_behind_is_sealed_when_the_person_applies(parties):
    person = make_mover(parties)
    y = this_year()
    shanghai = EnrollmentFactory(
        person=person,
        agency=parties.outsider_reviewer.staff_membership.agency,  # Shanghai Huangpu
        region=region("310101"),
        account_kind=AccountKind.TEMPORARY,
        start_month=date(y - 4, 1, 1),
        status=EnrollmentStatus.ACTIVE,
    )
    ContributionYearFactory(enrollment=shanghai, year=y - 4)

    submit(person)

    shanghai.refresh_from_db()
    assert shanghai.sealed_at == timezone.localdate()
    assert shanghai.status == EnrollmentStatus.INTERRUPTED
    # Its money and months stay there, with their history.
    assert shanghai.years.get().months_paid == 12


@pytest.mark.django_db
def test_a_temporary_account_without_a_later_place_is_not_sealed(parties):
    person, account = temporary_in_nanjing(parties)
    assert temporary_accounts_seal(person=person, on=timezone.localdate()) == []
    account.refresh_from_db()
    assert account.sealed_at is None


@pytest.mark.django_db
def test_the_guide_states_the_temporary_account_and_several_places_rules(client):
    page = client.get("/").content.decode()
    assert "女性年满40周岁（按申请之日计算）" in page
    assert "可以在同一申请中填写多个转出地" in page


@pytest.mark.django_db
def test_the_back_office_accept_button_needs_the_approval_box_ticked(parties, client):
    person = mover_born(parties, years_ago(52), male=True)
    case = submit(person, approved_transfer=True, attachment=pdf())
    login_verified(client, parties.in_reviewer)
    move = reverse("admin:transfers_transfercase_move", args=[case.pk, "accept"])
    page = client.get(move)  # the confirmation page asks for the check
    assert "已核验调动批准材料" in page.content.decode()

    refused = client.post(move, {"seen_status": "submitted", "confirm": "yes"}, follow=True)
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert "请先核验附件中的调动批准材料" in refused.content.decode()

    client.post(move, {"seen_status": "submitted", "approval_checked": "on", "confirm": "yes"})
    case.refresh_from_db()
    assert case.status != CaseStatus.SUBMITTED


@pytest.mark.django_db
def test_the_person_sees_the_collection_on_their_case_page(parties, client):
    person, account = temporary_in_nanjing(parties)
    case = services.collection_start(
        person=person, from_enrollment=account, actor=parties.out_reviewer
    )
    login_verified(client, person.user)
    page = client.get(reverse("transfer-detail", args=[case.serial_no])).content.decode()
    assert "临时缴费账户归集" in page
    assert "待遇领取地经办机构发起临时缴费账户归集。" in page


def _birthday(born: date, years: int) -> date:
    """The day someone born on ``born`` turns ``years``: 29 February falls on 1 March."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return date(born.year + years, 3, 1)


@given(
    born=st.dates(min_value=date(1900, 1, 1), max_value=date(2010, 12, 31)),
    on=st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31)),
)
def test_age_is_the_number_of_birthdays_reached(born, on):
    assume(on >= born)
    age = age_on(born, on)
    assert _birthday(born, age) <= on
    assert _birthday(born, age + 1) > on


@pytest.mark.django_db
def test_my_records_shows_a_sealed_temporary_account_with_its_months(parties, client):
    person, account = temporary_in_nanjing(parties)
    services.collection_start(person=person, from_enrollment=account, actor=parties.out_reviewer)
    login_verified(client, person.user)
    page = client.get(reverse("my-records")).content.decode()
    today = timezone.localdate()
    assert f"临时缴费账户已于{today:%Y-%m-%d}封存，缴费和年限保留，退休时归集" in page


# ── the back office's button ─────────────────────────────────────────────────────────────────


@pytest.mark.django_db
def test_the_benefit_places_reviewer_starts_a_collection_from_the_counter(parties, client):
    person, account = temporary_in_nanjing(parties)
    login_verified(client, parties.out_reviewer)  # Beijing: the benefit place
    page = client.get(reverse("admin:counter_person", args=[person.pk])).content.decode()
    collect_url = reverse("admin:counter_collect", args=[person.pk, account.pk])
    assert collect_url in page
    assert f"归集{parties.in_agency.name}的临时缴费账户" in page

    confirm = client.get(collect_url)
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert parties.in_agency.name in html and "临时账户随即封存" in html
    assert not TransferCase.objects.exists()  # looking starts nothing

    response = client.post(collect_url)
    case = TransferCase.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:transfers_transfercase_change", args=[case.pk])
    assert (case.kind, case.status) == (CaseKind.COLLECTION, CaseStatus.ACCEPTED)
    assert case.transfer_in_agency == parties.out_agency
    assert case.from_enrollment == account
    # Started, the account is no longer offered; a second POST finds nothing to collect.
    again = client.post(collect_url)
    assert again.status_code in (400, 404)
    assert TransferCase.objects.count() == 1


@pytest.mark.django_db
def test_a_collection_refused_at_the_counter_says_why_and_starts_nothing(parties, client):
    person, account = temporary_in_nanjing(parties)
    collect_url = reverse("admin:counter_collect", args=[person.pk, account.pk])
    login_verified(client, parties.outsider_reviewer)  # an agency where he holds nothing
    refused = client.post(collect_url)
    assert refused.status_code == 400
    assert "本地不是待遇领取地，不能发起归集" in refused.content.decode()
    client.logout()
    login_verified(client, parties.out_finance)  # the benefit place, but not a reviewer
    forbidden = client.post(collect_url)
    assert forbidden.status_code in (400, 403)
    assert 'role="alert"' in forbidden.content.decode()
    assert not TransferCase.objects.exists()
    account.refresh_from_db()
    assert account.sealed_at is None  # nothing half-done
