"""The back office: the Django admin limited to the clerk's agency, with role buttons."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from tests.otp_helpers import login_verified
from tests.transfers import samples
from tests.transfers.factories import case_in, make_parties
from transfers.models import FundRemittance, TransferCase
from transfers.workflow import CaseStatus

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:transfers_transfercase_changelist")
DASHBOARD = reverse("admin:transfers_transfercase_dashboard")
INDEX = reverse("admin:index")


@pytest.fixture
def parties(regions):
    return make_parties()


def change_url(case) -> str:
    return reverse("admin:transfers_transfercase_change", args=[case.pk])


def move_url(case, move: str) -> str:
    return reverse("admin:transfers_transfercase_move", args=[case.pk, move])


def as_user(client, user):
    return login_verified(client, user)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_a_clerk_without_any_group_sees_the_transfer_admin(client, parties):
    as_user(client, parties.in_reviewer)
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    html = index.content.decode()
    assert CHANGELIST in html
    assert "经办工作台" in html  # the landing page is the workbench
    assert client.get(DASHBOARD).url == INDEX  # its old address leads there
    assert client.get(CHANGELIST).status_code == 200


def test_a_clerk_sees_only_the_cases_of_their_agency(
    client, parties, django_assert_max_num_queries
):
    ours = case_in("submitted", parties)
    as_user(client, parties.outsider_reviewer)
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert ours.serial_no not in response.content.decode()
    assert client.get(change_url(ours)).status_code == 404
    assert client.post(move_url(ours, "accept")).status_code == 404
    ours.refresh_from_db()
    assert ours.status == CaseStatus.SUBMITTED

    for clerk in (parties.in_reviewer, parties.out_finance):
        as_user(client, clerk)
        with django_assert_max_num_queries(12):
            listing = client.get(CHANGELIST)
        assert ours.serial_no in listing.content.decode()
        assert client.get(change_url(ours)).status_code == 200


def test_the_list_masks_id_numbers_and_marks_overdue_first(client, parties):
    late = case_in("submitted", parties)
    fresh = case_in("submitted", parties)
    TransferCase.objects.filter(pk=late.pk).update(
        current_due_date=timezone.localdate() - datetime.timedelta(days=3)
    )
    as_user(client, parties.in_reviewer)
    response = client.get(CHANGELIST)
    html = response.content.decode()
    assert late.person.id_number not in html
    assert late.person.id_number_masked in html
    assert "已超时" in html
    rows = list(response.context["cl"].result_list)
    assert rows[0].pk == late.pk
    assert fresh.pk in [r.pk for r in rows]


def test_queue_filter_is_relative_to_the_clerks_agency(client, parties):
    review = case_in("submitted", parties)
    letter = case_in("letter_sent", parties)
    as_user(client, parties.in_reviewer)
    shown = {c.pk for c in client.get(CHANGELIST, {"queue": "review"}).context["cl"].result_list}
    assert shown == {review.pk}
    # Letters wait on the transfer-out agency, never on the transfer-in one.
    shown = {c.pk for c in client.get(CHANGELIST, {"queue": "letters"}).context["cl"].result_list}
    assert shown == set()
    as_user(client, parties.out_reviewer)
    shown = {c.pk for c in client.get(CHANGELIST, {"queue": "letters"}).context["cl"].result_list}
    assert shown == {letter.pk}


def test_search_by_serial_number(client, parties):
    one, other = case_in("submitted", parties), case_in("submitted", parties)
    as_user(client, parties.in_reviewer)
    result = client.get(CHANGELIST, {"q": one.serial_no}).context["cl"].result_list
    assert [c.pk for c in result] == [one.pk]
    assert other.pk not in [c.pk for c in result]


def test_the_case_page_is_read_only_and_shows_only_the_buttons_of_the_role(client, parties):
    case = case_in("submitted", parties)
    as_user(client, parties.in_reviewer)
    response = client.get(change_url(case))
    html = response.content.decode()
    assert [b["move"] for b in response.context["buttons"]] == ["accept", "reject"]
    assert move_url(case, "accept") in html and move_url(case, "reject") in html
    assert 'name="_save"' not in html  # no raw edit
    assert "转入申请受理" in html  # stages
    assert "您提交了转入申请" not in html  # the clerks read the raw log, not the person's text

    as_user(client, parties.in_finance)
    response = client.get(change_url(case))
    assert response.context["buttons"] == []
    assert move_url(case, "accept") not in response.content.decode()

    as_user(client, parties.out_reviewer)
    assert client.get(change_url(case)).context["buttons"] == []

    letter = case_in("letter_sent", parties)
    assert [b["move"] for b in client.get(change_url(letter)).context["buttons"]] == [
        "acknowledge",
        "return",
    ]


def test_no_add_or_delete_in_the_back_office(client, parties):
    case = case_in("submitted", parties)
    as_user(client, parties.in_reviewer)
    assert client.get(reverse("admin:transfers_transfercase_add")).status_code == 403
    assert (
        client.get(reverse("admin:transfers_transfercase_delete", args=[case.pk])).status_code
        == 403
    )


def test_accept_by_button_moves_the_case_and_a_second_click_says_so(client, parties):
    case = case_in("submitted", parties)
    as_user(client, parties.in_reviewer)
    # The button leads to the confirmation page; a POST without "confirm" only shows it.
    page = client.post(move_url(case, "accept"), {"seen_status": "submitted"})
    assert page.status_code == 200 and "确认受理" in page.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    confirmed = {"seen_status": "submitted", "confirm": "yes"}
    response = client.post(move_url(case, "accept"), confirmed, follow=True)
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    assert any("已办理“受理”" in m for m in messages_of(response))
    assert case.events.filter(action="accept", actor=parties.in_reviewer).exists()

    # The second clerk's page still showed 待受理 when they pressed the button.
    again = client.post(move_url(case, "accept"), confirmed, follow=True)
    assert again.status_code == 200
    (message,) = messages_of(again)
    assert "已由其他经办人员办理" in message and "受理成功" in message
    assert [m.level_tag for m in again.context["messages"]] == ["error"]
    assert case.events.filter(action="accept").count() == 1


def test_the_wrong_role_gets_the_services_message_not_a_500(client, parties):
    case = case_in("submitted", parties)
    as_user(client, parties.in_finance)
    response = client.post(
        move_url(case, "accept"), {"seen_status": "submitted", "confirm": "yes"}, follow=True
    )
    assert response.status_code == 200
    assert any("审核员" in m for m in messages_of(response))
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_reject_needs_a_reason(client, parties):
    case = case_in("submitted", parties)
    as_user(client, parties.in_reviewer)
    response = client.post(move_url(case, "reject"), {"confirm": "yes", "reason_code": ""})
    assert response.status_code == 400 and "请选择原因" in response.content.decode()
    other = {"confirm": "yes", "reason_code": "other", "reason_detail": ""}
    response = client.post(move_url(case, "reject"), other)
    assert response.status_code == 400 and "请填写说明" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED

    client.post(move_url(case, "reject"), {**other, "reason_detail": "转入地未参保"})
    case.refresh_from_db()
    assert case.status == CaseStatus.REJECTED
    assert case.end_reason == "转入地未参保"


def test_a_standard_refusal_reason_with_words_of_ones_own(client, parties):
    case = case_in("letter_sent", parties)
    as_user(client, parties.out_reviewer)
    page = client.get(move_url(case, "return")).content.decode()
    assert "联系函信息与转出地参保缴费记录不一致" in page
    body = {"confirm": "yes", "reason_code": "still_paying", "reason_detail": "2026年3月仍有缴费"}
    client.post(move_url(case, "return"), body)
    case.refresh_from_db()
    assert case.status == CaseStatus.RETURNED
    assert case.end_reason == "参保人在转出地仍在参保缴费，尚未中断；2026年3月仍有缴费"


def test_confirm_receipt_with_a_different_amount_is_refused_with_the_message(client, parties):
    case = case_in("funds_remitted", parties)
    as_user(client, parties.in_finance)
    page = client.get(change_url(case))
    assert [b["move"] for b in page.context["buttons"]] == ["confirm_receipt"]
    assert "¥3345.60" in page.content.decode()

    confirm = client.get(move_url(case, "confirm_receipt"))
    html = confirm.content.decode()
    assert "¥3,345.60" in html and "叁仟叁佰肆拾伍元陆角" in html
    assert case.remittance.to_account in html  # the receiving account

    body = {"confirm": "yes", "shown_amount": "3345.60", "seen_status": "funds_remitted"}
    response = client.post(move_url(case, "confirm_receipt"), {**body, "amount": "3345.00"})
    assert response.status_code == 409
    (message,) = messages_of(response)
    assert "不一致" in message and "其他经办人员" not in message
    # The typed amount is kept on the page.
    assert 'value="3345.00"' in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.FUNDS_REMITTED

    client.post(move_url(case, "confirm_receipt"), {**body, "amount": "3345.60"})
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED


def test_a_confirmation_posted_with_another_amount_than_shown_is_refused(client, parties):
    case = case_in("info_sheet_issued", parties)
    as_user(client, parties.out_finance)
    page = client.get(move_url(case, "remit")).content.decode()
    assert "¥3,345.60" in page and "叁仟叁佰肆拾伍元陆角" in page
    assert case.transfer_in_agency.bank_account_number in page
    tampered = {"confirm": "yes", "shown_amount": "334.56", "seen_status": "info_sheet_issued"}
    response = client.post(move_url(case, "remit"), tampered)
    assert response.status_code == 409
    assert any("与应办理金额" in m for m in messages_of(response))
    missing = client.post(move_url(case, "remit"), {**tampered, "shown_amount": ""})
    assert missing.status_code == 409
    case.refresh_from_db()
    assert case.status == CaseStatus.INFO_SHEET_ISSUED
    assert not FundRemittance.objects.filter(case=case).exists()

    client.post(move_url(case, "remit"), {**tampered, "shown_amount": "3345.60"})
    case.refresh_from_db()
    assert case.status == CaseStatus.REMITTING


def test_a_get_on_a_button_url_changes_nothing(client, parties):
    case = case_in("submitted", parties)
    as_user(client, parties.in_reviewer)
    assert client.get(move_url(case, "accept")).status_code == 200  # the confirmation page
    assert client.get(move_url(case, "acknowledge")).status_code == 405
    assert client.post(move_url(case, "approve-everything")).status_code == 404
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_the_workbench_counts_the_queues_of_the_role_and_the_overdue(client, parties):
    case_in("submitted", parties)
    late = case_in("submitted", parties)
    TransferCase.objects.filter(pk=late.pk).update(
        current_due_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    case_in("funds_remitted", parties)
    case_in("letter_sent", parties)  # waits on the transfer-out agency
    case_in("completed", parties)

    as_user(client, parties.in_reviewer)
    response = client.get(INDEX)
    assert response.status_code == 200
    counts = {row["queue"]: (row["total"], row["overdue"]) for row in response.context["rows"]}
    # A reviewer's queues (the move table's reviewer moves) and the attention queue.
    assert counts == {"review": (2, 1), "letters": (0, 0), "attention": (0, 0)}
    html = response.content.decode()
    assert f"{CHANGELIST}?queue=review&amp;overdue=yes" in html

    overdue = client.get(CHANGELIST, {"queue": "review", "overdue": "yes"})
    assert [c.pk for c in overdue.context["cl"].result_list] == [late.pk]

    as_user(client, parties.out_reviewer)
    counts = {r["queue"]: r["total"] for r in client.get(INDEX).context["rows"]}
    assert counts == {"review": 0, "letters": 1, "attention": 0}

    as_user(client, parties.in_finance)
    counts = {r["queue"]: r["total"] for r in client.get(INDEX).context["rows"]}
    assert counts == {"remittance": 0, "receipt": 1, "attention": 0}

    # The supervisor sees every queue of the agency.
    as_user(client, parties.in_supervisor)
    counts = {r["queue"]: r["total"] for r in client.get(INDEX).context["rows"]}
    assert counts == {"review": 2, "letters": 0, "remittance": 0, "receipt": 1, "attention": 0}


def test_a_superuser_sees_every_case(client, parties):
    case = case_in("submitted", parties)
    admin = get_user_model().objects.create_superuser("root", "root@example.cn", "Pass-1234-x")
    as_user(client, admin)
    assert case.serial_no in client.get(CHANGELIST).content.decode()
    assert client.get(change_url(case)).status_code == 200
    assert {r["queue"] for r in client.get(INDEX).context["rows"]} == {
        "review",
        "letters",
        "remittance",
        "receipt",
        "attention",
    }


def test_a_staff_user_without_an_agency_sees_nothing(client, parties):
    from tests.factories import UserFactory

    case_in("submitted", parties)
    as_user(client, UserFactory(is_staff=True))
    assert client.get(CHANGELIST).status_code == 403
    index = client.get(INDEX)
    assert "rows" not in index.context and "经办工作台" in index.content.decode()


def test_the_case_page_warns_of_overlapping_months_and_serves_the_attachment(client, parties):
    from django.core.files.base import ContentFile

    case = case_in("submitted", parties, overlapping_months=["2025-07", "2025-08"])
    case.attachment.save("x.pdf", ContentFile(samples.pdf()), save=False)
    case.attachment_name = "凭证.pdf"
    case.save(update_fields=["attachment", "attachment_name"])

    as_user(client, parties.in_reviewer)
    html = client.get(change_url(case)).content.decode()
    assert "重复缴费提示" in html and "2025-07、2025-08" in html
    url = reverse("admin:transfers_transfercase_attachment", args=[case.pk])
    assert url in html
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == samples.pdf()

    as_user(client, parties.outsider_reviewer)
    assert client.get(url).status_code == 404


def test_the_event_log_never_shows_the_applicants_username(client, parties):
    case = case_in("submitted", parties)
    case.events.update(actor=case.person.user)
    case.person.user.username = case.person.id_number
    case.person.user.save(update_fields=["username"])
    as_user(client, parties.in_reviewer)
    html = client.get(change_url(case)).content.decode()
    assert case.person.id_number not in html
    assert "申请人本人" in html and "提交申请" in html
