"""The transfer API: shapes, status codes (400/403/404/409) and bounded query counts."""

import datetime

import pytest
from django.utils import timezone

from core.models import Notification
from tests.otp_helpers import api_verified
from tests.transfers import samples
from tests.transfers.celery_helpers import eager_tasks
from tests.transfers.factories import case_in, login, make_mover, make_parties
from transfers.models import CaseEvent, TransferCase
from transfers.workflow import CaseStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]
__all__ = ["eager_tasks"]  # a fixture

APPLY = {
    "insurance": "pension",
    "category": "enterprise",
    "from_region": "110105",
    "to_region": "320106",
    "phone": "13912345678",
    "hukou_address": "北京市朝阳区建国路1号",
}


@pytest.fixture
def parties(regions):
    return make_parties()


def as_user(client, user):
    api_verified(client, user)
    return client


# ── the person ───────────────────────────────────────────────────────────────────────────────


def test_person_applies_and_gets_201_with_the_case(api_client, parties):
    person = make_mover(parties)
    response = as_user(api_client, person.user).post("/api/v1/transfers/", APPLY, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert len(body["serial_no"]) == 16
    assert body["status"] == "submitted" and body["status_display"] == "已提交，待受理"
    assert body["from_agency"] == parties.out_agency.name
    assert body["to_agency"] == parties.in_agency.name
    assert [s["name"] for s in body["stages"]] == [
        "certificate",
        "review",
        "transfer_out",
        "transfer_in",
    ]
    assert [s["status"] for s in body["stages"]] == ["running", "running", "pending", "pending"]
    assert body["events"][0]["action"] == "submit"
    assert body["funds"] is None
    assert body["allowed_moves"] == ["withdraw"]


def test_application_with_a_bad_field_is_400_with_field_errors(api_client, parties):
    person = make_mover(parties)
    response = as_user(api_client, person.user).post(
        "/api/v1/transfers/",
        {**APPLY, "insurance": "unemployment", "to_region": "32"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"insurance", "to_region"}


def test_ineligible_application_is_400_with_the_reason_and_no_case(api_client, parties):
    person = make_mover(parties)
    response = as_user(api_client, person.user).post(
        "/api/v1/transfers/", {**APPLY, "from_region": "320102"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "same_province"
    assert "按本省规定办理" in response.json()["detail"]
    assert not TransferCase.objects.exists()


def test_application_with_an_attachment_by_multipart(api_client, parties):
    from django.core.files.uploadedfile import SimpleUploadedFile

    person = make_mover(parties)
    client = as_user(api_client, person.user)
    bad = client.post(
        "/api/v1/transfers/",
        {**APPLY, "attachment": SimpleUploadedFile("a.gif", b"GIF89a....")},
        format="multipart",
    )
    assert bad.status_code == 400 and "PDF、JPG 或 PNG" in bad.json()["detail"]
    good = client.post(
        "/api/v1/transfers/",
        {**APPLY, "attachment": SimpleUploadedFile("a.pdf", samples.pdf())},
        format="multipart",
    )
    assert good.status_code == 201


def test_a_clerk_cannot_use_the_person_endpoints(api_client, parties):
    response = as_user(api_client, parties.in_reviewer).get("/api/v1/transfers/")
    assert response.status_code == 403


def test_anonymous_gets_401_or_403(api_client):
    assert api_client.get("/api/v1/transfers/").status_code in (401, 403)


def test_person_lists_own_cases_paginated_in_bounded_queries(
    api_client, parties, django_assert_max_num_queries
):
    person = make_mover(parties)
    for state in ("withdrawn", "rejected", "returned", "completed", "letter_sent"):
        case_in(state, parties, person=person)
    case_in("submitted", parties)  # someone else's
    client = as_user(api_client, person.user)
    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/transfers/")
    body = response.json()
    assert body["count"] == 5 and len(body["results"]) == 5
    assert {"next", "previous"} <= set(body)
    assert client.get("/api/v1/transfers/?status=completed").json()["count"] == 1
    assert client.get("/api/v1/transfers/?status=nonsense").status_code == 400


def test_person_sees_one_case_in_bounded_queries(
    api_client, parties, django_assert_max_num_queries
):
    case = case_in("funds_remitted", parties)
    client = as_user(api_client, case.person.user)
    with django_assert_max_num_queries(9):
        response = client.get(f"/api/v1/transfers/{case.serial_no}/")
    assert response.status_code == 200
    body = response.json()
    # amounts are decimal strings with two places
    assert body["funds"]["total"] == "3345.60" and body["funds"]["pooled_fund"] == "2345.60"
    assert body["remittance"]["amount"] == "3345.60"
    assert [s["status"] for s in body["stages"]] == ["done", "done", "done", "running"]
    assert body["documents"] == []
    assert body["allowed_moves"] == []
    assert datetime.date.fromisoformat(body["service_target_due"]) > timezone.localdate()


def test_another_persons_case_is_404(api_client, parties):
    case = case_in("submitted", parties)
    stranger = make_mover(parties)
    client = as_user(api_client, stranger.user)
    assert client.get(f"/api/v1/transfers/{case.serial_no}/").status_code == 404
    assert client.post(f"/api/v1/transfers/{case.serial_no}/withdraw/").status_code == 404


def test_withdraw_while_submitted_then_409(api_client, parties):
    case = case_in("submitted", parties)
    client = as_user(api_client, case.person.user)
    response = client.post(f"/api/v1/transfers/{case.serial_no}/withdraw/")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    again = client.post(f"/api/v1/transfers/{case.serial_no}/withdraw/")
    assert again.status_code == 409 and again.json()["code"] == "conflict"


# ── the clerks ───────────────────────────────────────────────────────────────────────────────


def test_queue_shows_the_agencys_waiting_cases_overdue_first_in_bounded_queries(
    api_client, parties, django_assert_max_num_queries
):
    fresh = case_in("submitted", parties)
    late = case_in("submitted", parties)
    TransferCase.objects.filter(pk=late.pk).update(
        current_due_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    case_in("letter_sent", parties)  # waits on the transfer-out agency, not in this queue
    client = as_user(api_client, parties.in_reviewer)
    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/agency/transfers/?queue=review")
    body = response.json()
    assert [c["serial_no"] for c in body["results"]] == [late.serial_no, fresh.serial_no]
    assert body["results"][0]["overdue"] is True and body["results"][1]["overdue"] is False
    assert body["results"][0]["id_number_masked"].count("*") == 8
    out = as_user(api_client, parties.out_reviewer).get("/api/v1/agency/transfers/?queue=letters")
    assert out.json()["count"] == 1


@pytest.mark.parametrize(
    ("queue", "state", "clerk"),
    [
        ("review", "submitted", "in_reviewer"),
        ("letters", "letter_sent", "out_reviewer"),
        ("remittance", "info_sheet_issued", "out_finance"),
        ("receipt", "funds_remitted", "in_finance"),
    ],
)
def test_each_queue_holds_its_state(api_client, parties, queue, state, clerk):
    case = case_in(state, parties)
    client = as_user(api_client, getattr(parties, clerk))
    assert [
        c["serial_no"]
        for c in client.get(f"/api/v1/agency/transfers/?queue={queue}").json()["results"]
    ] == [case.serial_no]
    outsider = as_user(api_client, parties.outsider_reviewer)
    assert outsider.get(f"/api/v1/agency/transfers/?queue={queue}").json()["count"] == 0


def test_unknown_queue_is_400_and_a_person_gets_403(api_client, parties):
    assert (
        as_user(api_client, parties.in_reviewer)
        .get("/api/v1/agency/transfers/?queue=all")
        .status_code
        == 400
    )
    person = make_mover(parties)
    assert as_user(api_client, person.user).get("/api/v1/agency/transfers/").status_code == 403


def test_clerk_detail_in_bounded_queries(api_client, parties, django_assert_max_num_queries):
    case = case_in("letter_sent", parties)
    client = as_user(api_client, parties.out_reviewer)
    with django_assert_max_num_queries(9):
        response = client.get(f"/api/v1/agency/transfers/{case.serial_no}/")
    assert response.status_code == 200
    assert response.json()["allowed_moves"] == ["acknowledge", "return"]


# action → (state it needs, clerk, body)
ACTIONS = {
    "accept": ("submitted", "in_reviewer", {}),
    "reject": ("submitted", "in_reviewer", {"reason": "材料不全"}),
    "acknowledge": ("letter_sent", "out_reviewer", {}),
    "return": ("letter_sent", "out_reviewer", {"reason": "信息不符"}),
    "remit": ("info_sheet_issued", "out_finance", {}),
    "confirm-receipt": ("funds_remitted", "in_finance", {"amount": "3345.60"}),
}
WRONG_ROLE = {
    "accept": "in_finance",
    "reject": "in_finance",
    "acknowledge": "out_finance",
    "return": "out_finance",
    "remit": "out_reviewer",
    "confirm-receipt": "in_reviewer",
}


@pytest.mark.parametrize("action", list(ACTIONS))
def test_action_status_codes(api_client, parties, action, django_capture_on_commit_callbacks):
    state, clerk, body = ACTIONS[action]
    case = case_in(state, parties)
    url = f"/api/v1/agency/transfers/{case.serial_no}/{action}/"
    # an agency that is no party: the case does not exist for it
    assert (
        as_user(api_client, parties.outsider_reviewer).post(url, body, format="json").status_code
        == 404
    )
    # the owner of the case is no clerk
    assert as_user(api_client, case.person.user).post(url, body, format="json").status_code == 403
    # right agency, wrong role
    assert (
        as_user(api_client, getattr(parties, WRONG_ROLE[action]))
        .post(url, body, format="json")
        .status_code
        == 403
    )
    client = as_user(api_client, getattr(parties, clerk))
    with django_capture_on_commit_callbacks():  # the follow-ups are the tasks' tests' business
        ok = client.post(url, body, format="json")
    assert ok.status_code == 200, ok.content
    assert ok.json()["status"] != state
    # the same move again: not allowed in the new state
    again = client.post(url, body, format="json")
    assert again.status_code == 409


@pytest.mark.parametrize("action", ["reject", "return"])
def test_reject_and_return_without_a_reason_are_400(api_client, parties, action):
    state, clerk, _body = ACTIONS[action]
    case = case_in(state, parties)
    client = as_user(api_client, getattr(parties, clerk))
    response = client.post(
        f"/api/v1/agency/transfers/{case.serial_no}/{action}/", {}, format="json"
    )
    assert response.status_code == 400 and "reason" in response.json()


def test_confirm_receipt_with_a_wrong_amount_is_409_and_logged(api_client, parties):
    case = case_in("funds_remitted", parties)
    client = as_user(api_client, parties.in_finance)
    url = f"/api/v1/agency/transfers/{case.serial_no}/confirm-receipt/"
    assert client.post(url, {"amount": "abc"}, format="json").status_code == 400
    response = client.post(url, {"amount": "3345.00"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "amount_mismatch"
    assert CaseEvent.objects.filter(case=case, action="receipt_mismatch").count() == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.FUNDS_REMITTED


def test_remit_by_who_acknowledged_is_403(api_client, parties):
    case = case_in("info_sheet_issued", parties)
    CaseEvent.objects.filter(case=case, action="acknowledge").update(actor=parties.out_finance)
    client = as_user(api_client, parties.out_finance)
    response = client.post(f"/api/v1/agency/transfers/{case.serial_no}/remit/")
    assert response.status_code == 403 and response.json()["code"] == "separation_of_duties"


# ── notifications ────────────────────────────────────────────────────────────────────────────


def test_my_notifications_are_listed_newest_first_and_can_be_marked_read(api_client, parties):
    user, other = login(), login()
    Notification.objects.create(user=user, title="一", body="b")
    newest = Notification.objects.create(user=user, title="二", body="b")
    mine_not = Notification.objects.create(user=other, title="别人的", body="b")
    client = as_user(api_client, user)
    body = client.get("/api/v1/me/notifications/").json()
    assert [n["title"] for n in body["results"]] == ["二", "一"]
    assert client.post(f"/api/v1/me/notifications/{newest.pk}/read/").json()["read_at"]
    assert client.get("/api/v1/me/notifications/?unread=1").json()["count"] == 1
    assert client.post(f"/api/v1/me/notifications/{mine_not.pk}/read/").status_code == 404


def test_the_person_api_hides_the_clerks_notes_as_the_case_page_does(api_client, parties):
    case = case_in("letter_sent", parties)
    CaseEvent.objects.create(
        case=case, action="receipt_mismatch", from_status="", to_status="", note="内部：金额不符"
    )
    CaseEvent.objects.filter(case=case, action="send_letter").update(note="内部备注：联系函编号")
    body = as_user(api_client, case.person.user).get(f"/api/v1/transfers/{case.serial_no}/").json()
    notes = [event["note"] for event in body["events"]]
    actions = [event["action"] for event in body["events"]]
    assert "receipt_mismatch" not in actions
    assert not any("内部" in note for note in notes)
    # the clerk's API keeps them
    clerk = as_user(api_client, parties.in_reviewer).get(
        f"/api/v1/agency/transfers/{case.serial_no}/"
    )
    assert any("内部" in event["note"] for event in clerk.json()["events"])
