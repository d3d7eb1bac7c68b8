"""Counter service (窗口) and the access log (个人信息查询留痕): exact look-up by ID number,
masked in lists; records, certificate and proof issued on the person's behalf; any document of
the agency's cases printed; the day's letters in one PDF; every look logged, append-only; the
supervisor reads the log per clerk and per person; the person sees who looked."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from core.errors import NotAllowed
from documents.models import Document
from insured.access_log import AccessKind, PersonAccess
from tests.otp_helpers import api_verified, login_verified
from tests.transfers.factories import case_in, make_mover, make_parties
from transfers import services
from transfers.workflow import CaseStatus

pytestmark = pytest.mark.django_db

SEARCH = reverse("admin:counter_search")


@pytest.fixture
def parties(regions):
    return make_parties()


def person_url(person, **params) -> str:
    url = reverse("admin:counter_person", args=[person.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def test_the_search_is_exact_masked_and_logged(client, parties):
    mover = make_mover(parties)
    login_verified(client, parties.out_reviewer)
    found = client.post(SEARCH, {"id_number": mover.id_number.lower()})
    html = found.content.decode()
    assert found.context["found"] == mover
    assert mover.id_number_masked in html and mover.id_number not in html
    (row,) = PersonAccess.objects.all()
    assert (row.user, row.person, row.kind) == (parties.out_reviewer, mover, AccessKind.SEARCH)
    assert row.agency == parties.out_agency and row.reason == "窗口服务"

    partial = client.post(SEARCH, {"id_number": mover.id_number[:17]})
    assert partial.context["found"] is None and "应为18位" in partial.content.decode()
    assert PersonAccess.objects.count() == 1


def test_a_clerk_of_another_agency_sees_only_the_counter_view_and_is_logged(client, parties):
    case = case_in("submitted", parties)
    login_verified(client, parties.outsider_reviewer)
    page = client.get(person_url(case.person, case=case.serial_no))
    assert page.status_code == 200
    assert page.context["cases"] == []  # no case of theirs
    assert page.context["own_enrollments"] == set()  # no certificate for another agency
    row = PersonAccess.objects.get()
    assert row.agency == parties.outsider_reviewer.staff_membership.agency
    assert row.kind == AccessKind.RECORDS
    assert row.reason == "窗口服务"  # the case given is not one of theirs

    # Another agency's case document is not theirs to print.
    document = _certificate(client, parties, case.person)
    login_verified(client, parties.outsider_reviewer)
    assert client.get(reverse("admin:counter_print", args=[document.pk])).status_code == 404


def _certificate(client, parties, person) -> Document:
    login_verified(client, parties.out_reviewer)
    enrollment = person.enrollments.get(agency=parties.out_agency)
    client.post(
        reverse("admin:counter_issue", args=[person.pk]),
        {"kind": "certificate", "enrollment": enrollment.pk},
    )
    return Document.objects.get(holder=person, kind="pension_certificate")


def test_the_counter_issues_and_prints_a_certificate_and_a_proof(client, parties):
    mover = make_mover(parties)
    document = _certificate(client, parties, mover)
    issued = PersonAccess.objects.get(kind=AccessKind.ISSUE)
    assert issued.reference == document.number
    assert parties.out_agency.name in issued.reason and "窗口代为出具" in issued.reason

    response = client.get(reverse("admin:counter_print", args=[document.pk]))
    assert response["Content-Type"] == "application/pdf"
    pdf = b"".join(response.streaming_content)
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 1
    printed = PersonAccess.objects.get(kind=AccessKind.DOCUMENT)
    assert printed.reference == document.number

    client.post(reverse("admin:counter_issue", args=[mover.pk]), {"kind": "proof"})
    assert Document.objects.filter(holder=mover, kind="insurance_proof").exists()

    # A certificate of an enrollment held elsewhere is refused with a message.
    nanjing = mover.enrollments.get(agency=parties.in_agency)
    response = client.post(
        reverse("admin:counter_issue", args=[mover.pk]),
        {"kind": "certificate", "enrollment": nanjing.pk},
        follow=True,
    )
    assert "只能出具本经办机构" in response.content.decode()


def test_batch_printing_merges_the_days_letters_into_one_pdf(
    client, parties, django_capture_on_commit_callbacks
):
    cases = [case_in("accepted", parties) for _ in range(2)]
    for case in cases:
        services.transfer_send_letter(case_id=case.pk)
        case.refresh_from_db()
        assert case.status == CaseStatus.LETTER_SENT
    letters = Document.objects.filter(kind="pension_contact_letter")
    assert letters.count() == 2
    singles = sum(len(PdfReader(letter.pdf.open("rb")).pages) for letter in letters)

    for clerk in (parties.in_reviewer, parties.out_reviewer):  # issued by, addressed to
        login_verified(client, clerk)
        response = client.get(reverse("admin:counter_batch_print"))
        assert response["Content-Type"] == "application/pdf"
        merged = PdfReader(io.BytesIO(response.content))
        assert len(merged.pages) == singles
        text = "".join(page.extract_text() for page in merged.pages)
        for case in cases:
            assert case.serial_no in text
    assert PersonAccess.objects.filter(kind=AccessKind.DOCUMENT).count() == 4

    login_verified(client, parties.outsider_reviewer)
    nothing = client.get(reverse("admin:counter_batch_print"), follow=True)
    assert "没有需要打印的联系函" in nothing.content.decode()
    bad = client.get(reverse("admin:counter_batch_print"), {"date": "2026-13-40"}, follow=True)
    assert "日期格式" in bad.content.decode()


def test_the_case_page_logs_the_view_and_flags_overlapping_months(client, parties):
    case = case_in("submitted", parties, overlapping_months=["2025-07"])
    login_verified(client, parties.in_reviewer)
    html = client.get(reverse("admin:transfers_transfercase_change", args=[case.pk]))
    html = html.content.decode()
    assert "转出地参保缴费记录" in html
    row = PersonAccess.objects.get()
    assert (row.kind, row.reference, row.reason) == (
        AccessKind.CASE,
        case.serial_no,
        case.serial_no,
    )


def test_the_log_is_append_only(parties):
    mover = make_mover(parties)
    row = PersonAccess.objects.create(
        user=parties.in_reviewer, agency=parties.in_agency, person=mover, kind=AccessKind.SEARCH
    )
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()
    with pytest.raises(PermissionError):
        PersonAccess.objects.all().update(reason="x")
    with pytest.raises(PermissionError):
        PersonAccess.objects.all().delete()


def test_the_supervisor_reads_the_log_per_clerk_and_per_person(client, parties):
    mover = make_mover(parties)
    other = make_mover(parties)
    for clerk, person in (
        (parties.in_reviewer, mover),
        (parties.in_finance, other),
        (parties.out_reviewer, mover),  # another agency: not in this supervisor's log
    ):
        login_verified(client, clerk)
        client.get(person_url(person))
    changelist = reverse("admin:insured_personaccess_changelist")
    assert client.get(changelist).status_code == 403  # a reviewer is not a supervisor

    login_verified(client, parties.in_supervisor)
    rows = client.get(changelist).context["cl"].result_list
    assert {(r.user, r.person) for r in rows} == {
        (parties.in_reviewer, mover),
        (parties.in_finance, other),
    }
    by_clerk = client.get(changelist, {"clerk": parties.in_finance.pk}).context["cl"].result_list
    assert [r.person for r in by_clerk] == [other]
    by_person = client.get(changelist, {"q": mover.id_number}).context["cl"].result_list
    assert [r.user for r in by_person] == [parties.in_reviewer]
    assert mover.id_number not in client.get(changelist).content.decode()


def test_the_person_sees_which_agency_looked_and_when(client, parties):
    mover = make_mover(parties)
    login_verified(client, parties.out_reviewer)
    client.get(person_url(mover))
    client.force_login(mover.user)
    html = client.get(reverse("my-records")).content.decode()
    assert "谁查看过我的信息" in html
    assert parties.out_agency.name in html and "查看参保记录" in html


WALK_IN = {
    "insurance": "pension",
    "category": "enterprise",
    "from_region": "110105",
    "to_region": "320106",
    "phone": "13800138000",
    "hukou_address": "北京市朝阳区幸福路1号",
}


def test_a_walk_in_application_goes_through_the_same_service_marked_counter(client, parties):
    mover = make_mover(parties)
    login_verified(client, parties.in_reviewer)
    url = reverse("admin:counter_apply", args=[mover.pk])
    form = client.get(url).context["form"]
    assert form.fields["to_region"].choices == [("320106", "江苏省南京市鼓楼区（320106）")]

    response = client.post(url, {**WALK_IN, "phone": "12"})
    assert response.status_code == 200 and not mover.transfers.exists()

    response = client.post(url, WALK_IN)
    case = mover.transfers.get()
    assert response.url == reverse("admin:transfers_transfercase_change", args=[case.pk])
    assert case.status == CaseStatus.SUBMITTED
    event = case.events.get(action="submit")
    assert event.actor == parties.in_reviewer and event.agency == parties.in_agency
    assert "窗口受理" in event.note

    # Same checks as online: a second open case of the same insurance is refused.
    again = client.post(url, WALK_IN)
    assert again.status_code == 400 and "正在办理" in again.content.decode()


def test_only_the_transfer_in_agencys_clerks_take_walk_in_applications(parties):
    mover = make_mover(parties)
    common = {
        "person": mover,
        "insurance": "pension",
        "category": "enterprise",
        "from_region": "110105",
        "to_region": "320106",
        "phone": "13800138000",
        "hukou_address": "北京市朝阳区幸福路1号",
    }
    with pytest.raises(NotAllowed):  # a clerk of the transfer-out agency
        services.transfer_submit(
            **common, actor=parties.out_reviewer, counter_agency=parties.out_agency
        )
    with pytest.raises(NotAllowed):  # a clerk acting for another agency
        services.transfer_submit(
            **common, actor=parties.outsider_reviewer, counter_agency=parties.in_agency
        )
    with pytest.raises(NotAllowed):  # the person is not a clerk
        services.transfer_submit(**common, actor=mover.user, counter_agency=parties.in_agency)
    with pytest.raises(NotAllowed):  # and a clerk cannot apply without the counter path
        services.transfer_submit(**common, actor=parties.in_reviewer)
    assert not mover.transfers.exists()


def test_a_case_read_through_the_agency_api_is_logged(api_client, parties):
    case = case_in("submitted", parties)
    api_verified(api_client, parties.in_reviewer)
    assert api_client.get(f"/api/v1/agency/transfers/{case.serial_no}/").status_code == 200
    row = PersonAccess.objects.get()
    assert (row.kind, row.agency, row.reason) == ("case", parties.in_agency, case.serial_no)
