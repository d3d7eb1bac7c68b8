"""The outbox: every follow-up runs after commit, once; a transient failure is retried; a
permanent one (or the last try) waits in the responsible agency's attention queue, where any
clerk of that agency retries it; a lost message is re-dispatched; money is "remitted" only
once the bank has returned its reference."""

import contextlib
import datetime
import logging
import os

import pytest
from django.utils import timezone

from core.errors import TransitionNotAllowed
from core.models import Delivery, DeliveryStatus, Notification
from core.notifications import fail_interrupted_deliveries, send_pending
from tests.otp_helpers import api_verified, login_verified
from tests.transfers.banks import calls, fail_next, forget_all
from tests.transfers.celery_helpers import eager_tasks
from tests.transfers.factories import case_in, make_parties
from transfers import services, tasks
from transfers.models import CaseEvent, FundRemittance, LocalBankTransfer, TransferCase
from transfers.services import outbox
from transfers.workflow import OPEN_STATUSES, RUNNING_STAGE, CaseStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]
__all__ = ["eager_tasks"]


@pytest.fixture
def parties(regions):
    return make_parties()


@pytest.fixture(autouse=True)
def _flaky_bank(settings):
    settings.TRANSFER_BANK_BACKEND = "tests.transfers.banks.FlakyBank"
    forget_all()
    yield
    forget_all()


def remit(case, parties, *, dispatch: bool = True) -> CaseEvent:
    """Approve the remittance; with ``dispatch``, make the outbox's first try (as the worker
    would after commit), keeping a transient failure for the test to look at."""
    services.transfer_remit(case=case, actor=parties.out_finance)
    event = case.events.get(action="remit")
    if dispatch:
        with contextlib.suppress(outbox.TransientFailure):
            outbox.dispatch(event_id=event.pk)
    return event


def agency_api(api_client, user):
    return api_verified(api_client, user)


# ── the outbox ───────────────────────────────────────────────────────────────────────────────


def test_a_move_leaves_its_event_in_the_outbox_until_dispatched(
    parties, django_capture_on_commit_callbacks
):
    case = case_in("submitted", parties)
    with django_capture_on_commit_callbacks(execute=False):
        services.transfer_accept(case=case, actor=parties.in_reviewer)
    event = case.events.get(action="accept")
    assert event.dispatched_at is None
    assert tasks.dispatch_event.run(event.pk) == "dispatched"
    event.refresh_from_db()
    assert event.dispatched_at is not None and event.attempts == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.LETTER_SENT
    # A second delivery of the same message does nothing.
    assert tasks.dispatch_event.run(event.pk) == "skipped"
    assert case.events.filter(action="send_letter").count() == 1


def test_an_event_claimed_by_a_live_worker_is_left_alone_until_its_claim_lapses(parties, settings):
    case = case_in("submitted", parties)
    services.transfer_accept(case=case, actor=parties.in_reviewer)
    event = case.events.get(action="accept")
    CaseEvent.objects.filter(pk=event.pk).update(dispatched_at=None, claimed_at=timezone.now())
    assert outbox.dispatch(event_id=event.pk) == "skipped"
    lapsed = timezone.now() - datetime.timedelta(seconds=settings.OUTBOX_CLAIM_LEASE_SECONDS + 1)
    CaseEvent.objects.filter(pk=event.pk).update(claimed_at=lapsed)
    assert outbox.dispatch(event_id=event.pk) == "dispatched"


def test_events_without_follow_ups_are_born_dispatched(parties):
    case = case_in("funds_remitted", parties)
    with pytest.raises(services.AmountMismatch):
        services.transfer_confirm_receipt(case=case, actor=parties.in_finance, amount="1.00")
    assert case.events.get(action="receipt_mismatch").dispatched_at is not None


def test_a_lost_message_is_re_dispatched_by_the_beat_task(parties, settings):
    case = case_in("info_sheet_issued", parties)
    event = remit(case, parties)
    # As if Redis had lost the message: the event is still undispatched minutes later.
    CaseEvent.objects.filter(pk=event.pk).update(
        dispatched_at=None, created_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    TransferCase.objects.filter(pk=case.pk).update(status=CaseStatus.REMITTING)
    FundRemittance.objects.filter(case=case).update(bank_reference="", paid_at=None)
    LocalBankTransfer.objects.all().delete()
    assert outbox.stale_event_ids() == [event.pk]
    assert tasks.redispatch_events.run() == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.FUNDS_REMITTED
    assert outbox.stale_event_ids() == []


def test_a_fresh_event_is_not_re_dispatched_while_its_message_may_still_arrive(parties):
    case = case_in("info_sheet_issued", parties)
    event = remit(case, parties)
    CaseEvent.objects.filter(pk=event.pk).update(dispatched_at=None)
    assert outbox.stale_event_ids() == []


def test_a_broker_that_is_down_at_commit_does_not_fail_the_move(
    parties, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.dispatch_event, "delay", broker_down)
    case = case_in("submitted", parties)
    with (
        caplog.at_level(logging.WARNING),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.transfer_accept(case=case, actor=parties.in_reviewer)
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED  # the move stands
    assert case.events.get(action="accept").dispatched_at is None  # for the re-dispatcher
    assert "will be re-dispatched" in caplog.text


# ── money is remitted only when the bank says so ─────────────────────────────────────────────


def test_remit_waits_in_remitting_and_confirm_receipt_before_the_bank_is_refused(parties):
    case = case_in("info_sheet_issued", parties)
    remit(case, parties, dispatch=False)
    case.refresh_from_db()
    assert case.status == CaseStatus.REMITTING
    with pytest.raises(TransitionNotAllowed) as refused:
        services.transfer_confirm_receipt(case=case, actor=parties.in_finance, amount="3345.60")
    assert refused.value.http_status == 409
    assert "基金划转中" in str(refused.value.message)
    assert FundRemittance.objects.get(case=case).bank_reference == ""


def test_a_bank_that_fails_three_times_pays_once_on_the_fourth_try(parties):
    case = case_in("info_sheet_issued", parties)
    key = f"remit-{case.serial_no}"
    fail_next(key, 3)
    event = remit(case, parties)  # the first try
    for _attempt in range(2):
        with pytest.raises(outbox.TransientFailure):
            outbox.dispatch(event_id=event.pk)
    case.refresh_from_db()
    assert case.status == CaseStatus.REMITTING
    assert outbox.dispatch(event_id=event.pk) == "dispatched"
    case.refresh_from_db()
    assert case.status == CaseStatus.FUNDS_REMITTED
    assert calls(key) == 4
    assert LocalBankTransfer.objects.filter(idempotency_key=key).count() == 1
    remittance = FundRemittance.objects.get(case=case)
    assert remittance.bank_reference == LocalBankTransfer.objects.get().reference
    assert case.attention_since is None


def test_retries_run_out_and_the_case_waits_for_the_transfer_out_agency(
    parties, settings, api_client
):
    settings.TRANSFER_TASK_MAX_RETRIES = 2
    case = case_in("info_sheet_issued", parties)
    fail_next(f"remit-{case.serial_no}", 100)
    event = remit(case, parties)  # try 1
    with pytest.raises(outbox.TransientFailure):
        outbox.dispatch(event_id=event.pk)  # try 2
    assert outbox.dispatch(event_id=event.pk) == "failed"  # try 3: the cap
    case.refresh_from_db()
    assert case.status == CaseStatus.REMITTING  # never "remitted" without the bank
    assert case.attention_agency == parties.out_agency
    assert case.attention_reason == "银行未完成转移基金划转（未返回银行流水号）。"
    assert "BankError" in case.attention_detail
    assert case.events.filter(action="attention").count() == 1
    event.refresh_from_db()
    assert event.failed_at is not None and event.dispatched_at is None
    assert outbox.stale_event_ids(now=timezone.now() + datetime.timedelta(hours=1)) == []

    queue = agency_api(api_client, parties.out_reviewer).get(
        "/api/v1/agency/transfers/", {"queue": "attention"}
    )
    assert [c["serial_no"] for c in queue.json()["results"]] == [case.serial_no]
    assert queue.json()["results"][0]["attention_reason"] == case.attention_reason
    other_side = agency_api(api_client, parties.in_reviewer).get(
        "/api/v1/agency/transfers/", {"queue": "attention"}
    )
    assert other_side.json()["results"] == []

    # The person reads that it is being handled, never the error.
    api_client.force_authenticate(case.person.user)
    mine = api_client.get(f"/api/v1/transfers/{case.serial_no}/").json()
    assert mine["attention"]["message"] == "正在处理，如有延误经办机构会联系您。"
    assert "detail" not in mine["attention"] and "reason" not in mine["attention"]
    # Since when, in China's time as every other time the person reads (not UTC).
    since = timezone.localtime(case.attention_since).isoformat()
    assert mine["attention"]["since"] == since and since.endswith("+08:00")


def test_a_hard_no_from_the_bank_adapter_goes_to_attention_at_once(parties, settings):
    settings.TRANSFER_BANK_BACKEND = "tests.transfers.banks.RefusingBank"
    case = case_in("info_sheet_issued", parties)
    event = remit(case, parties)
    event.refresh_from_db()
    assert event.attempts == 1 and event.failed_at is not None
    case.refresh_from_db()
    assert case.status == CaseStatus.REMITTING
    assert case.attention_agency == parties.out_agency
    assert "PermissionError" in case.attention_detail


def test_any_clerk_of_the_responsible_agency_retries_and_the_case_completes(
    parties, settings, api_client, django_capture_on_commit_callbacks
):
    settings.TRANSFER_BANK_BACKEND = "tests.transfers.banks.RefusingBank"
    case = case_in("info_sheet_issued", parties)
    remit(case, parties)
    settings.TRANSFER_BANK_BACKEND = "tests.transfers.banks.FlakyBank"  # the bank is fixed

    refused = agency_api(api_client, parties.in_reviewer).post(
        f"/api/v1/agency/transfers/{case.serial_no}/retry/"
    )
    assert refused.status_code == 403
    outsider = agency_api(api_client, parties.outsider_reviewer).post(
        f"/api/v1/agency/transfers/{case.serial_no}/retry/"
    )
    assert outsider.status_code == 404
    # The transfer-out reviewer (not a finance officer) may retry: any clerk of the agency.
    with django_capture_on_commit_callbacks(execute=True):
        response = agency_api(api_client, parties.out_reviewer).post(
            f"/api/v1/agency/transfers/{case.serial_no}/retry/"
        )
    assert response.status_code == 200, response.json()
    case.refresh_from_db()
    assert case.status == CaseStatus.FUNDS_REMITTED
    assert case.attention_since is None
    retry = case.events.get(action="retry")
    assert (retry.actor, retry.agency) == (parties.out_reviewer, parties.out_agency)
    again = agency_api(api_client, parties.out_reviewer).post(
        f"/api/v1/agency/transfers/{case.serial_no}/retry/"
    )
    assert again.status_code == 409  # nothing waits any more


def test_the_admin_shows_the_attention_queue_and_a_retry_button(
    parties, settings, client, django_capture_on_commit_callbacks
):
    settings.TRANSFER_BANK_BACKEND = "tests.transfers.banks.RefusingBank"
    case = case_in("info_sheet_issued", parties)
    remit(case, parties)
    login_verified(client, parties.out_reviewer)
    listing = client.get("/admin/transfers/transfercase/", {"queue": "attention"})
    assert [c.pk for c in listing.context["cl"].result_list] == [case.pk]
    page = client.get(f"/admin/transfers/transfercase/{case.pk}/change/").content.decode()
    assert "需人工处理" in page and "银行未完成转移基金划转" in page
    assert "frozen (test)" in page  # the technical detail, folded away in <details>
    assert 'name="_move_retry"' in page
    settings.TRANSFER_BANK_BACKEND = "tests.transfers.banks.FlakyBank"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/admin/transfers/transfercase/{case.pk}/move/retry/", {"seen_status": "remitting"}
        )
    case.refresh_from_db()
    assert case.status == CaseStatus.FUNDS_REMITTED


# ── due dates and notifications ──────────────────────────────────────────────────────────────


def test_every_open_state_has_a_running_stage_with_a_due_date():
    assert set(RUNNING_STAGE) == set(OPEN_STATUSES)


def test_a_case_stuck_in_accepted_turns_overdue(parties):
    case = case_in("accepted", parties)
    case.refresh_from_db()
    assert case.current_due_date is not None
    later = case.current_due_date + datetime.timedelta(days=1)
    assert services.mark_overdue_stages(today=later) == 1
    overdue = case.events.get(action="overdue")
    assert overdue.agency == parties.in_agency  # the letter is the transfer-in agency's


def test_an_interrupted_sms_is_marked_failed_and_never_sent_twice(settings):
    from core.sms import MemorySmsBackend

    settings.SMS_BACKEND = "core.sms.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    Delivery.objects.create(
        key="case-event:1:sms",
        channel="sms",
        recipient="13912345678",
        body="…",
        status=DeliveryStatus.SENDING,
        claimed_at=timezone.now() - datetime.timedelta(hours=1),
    )
    assert fail_interrupted_deliveries() == 1
    send_pending(key_prefix="case-event:1")
    assert MemorySmsBackend.outbox == []
    assert Delivery.objects.get().status == DeliveryStatus.FAILED


class _SmsGatewayDown:
    def send(self, *, phone: str, message: str) -> None:
        raise ConnectionError("SMS gateway unreachable")


def test_a_failed_sms_keeps_the_sent_email_and_the_retry_sends_only_the_sms(settings, mailoutbox):
    from core.notifications import Outgoing, queue_deliveries
    from core.sms import MemorySmsBackend

    queue_deliveries(
        key="case-event:7",
        outgoing=[
            Outgoing("email", "a@example.cn", "标题", "正文"),
            Outgoing("sms", "13912345678", "", "短信"),
            Outgoing("sms", "", "", "no recipient: not queued"),
        ],
    )
    settings.SMS_BACKEND = f"{__name__}._SmsGatewayDown"
    with pytest.raises(ConnectionError):
        send_pending(key_prefix="case-event:7")
    email, sms = Delivery.objects.order_by("pk")
    assert (email.status, sms.status) == (DeliveryStatus.SENT, DeliveryStatus.PENDING)
    assert "SMS gateway unreachable" in sms.last_error
    assert len(mailoutbox) == 1

    settings.SMS_BACKEND = "core.sms.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    send_pending(key_prefix="case-event:7")
    assert MemorySmsBackend.outbox == [("13912345678", "短信")]
    assert len(mailoutbox) == 1  # the e-mail was not sent again
    assert set(Delivery.objects.values_list("status", "attempts")) == {
        (DeliveryStatus.SENT, 1),
        (DeliveryStatus.SENT, 2),
    }


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_delivery_another_sender_holds_is_skipped_not_sent_twice(settings):
    """Two senders of the same key at once (a re-dispatch racing the first run): the rows the
    first has claimed are locked, and the second passes them by instead of sending them."""
    import threading

    from django.db import transaction

    from core.notifications import queue_delivery
    from core.sms import MemorySmsBackend

    settings.SMS_BACKEND = "core.sms.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    queue_delivery(channel="sms", recipient="13912345678", subject="", body="一次", key="k:1")
    locked = threading.Event()
    release = threading.Event()

    def hold_the_row():
        from django.db import connections

        try:
            with transaction.atomic():
                list(Delivery.objects.select_for_update().filter(key="k:1:sms"))
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    assert locked.wait(10)
    try:
        send_pending(key_prefix="k:1")
        assert MemorySmsBackend.outbox == []
    finally:
        release.set()
        holder.join()
    send_pending(key_prefix="k:1")
    assert MemorySmsBackend.outbox == [("13912345678", "一次")]


def test_messages_follow_the_readers_language_at_reading_time(
    parties, api_client, django_capture_on_commit_callbacks
):
    case = case_in("submitted", parties)
    with django_capture_on_commit_callbacks(execute=True):
        services.transfer_reject(case=case, actor=parties.in_reviewer, reason="材料不全")
    api_client.force_authenticate(case.person.user)
    chinese = api_client.get("/api/v1/me/notifications/").json()["results"][0]
    english = api_client.get("/api/v1/me/notifications/", HTTP_ACCEPT_LANGUAGE="en").json()[
        "results"
    ][0]
    assert chinese["body"].startswith("转入地经办机构不予受理您的申请")
    assert english["body"].startswith("The transfer-in agency")
    assert Notification.objects.count() == 1


def test_a_web_process_knows_the_dispatch_task_without_importing_tasks_itself():
    # A fresh interpreter as runserver or gunicorn starts: only Django's setup runs.
    import subprocess
    import sys

    code = (
        "import django; django.setup(); from celery import current_app; "
        "print('transfers.dispatch_event' in current_app.tasks)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings"},
        check=True,
    )
    assert result.stdout.strip().splitlines()[-1] == "True"


def test_a_contact_letter_whose_render_fails_is_voided_and_the_retry_takes_the_next_number(
    parties, monkeypatch, client, api_client, django_capture_on_commit_callbacks
):
    """The letter's number is taken and committed before the page renders: a failed render
    leaves it voided (作废) with the reason, the case waits in the attention queue, and the
    retry issues the letter under the next number. Every number is accounted for."""
    import documents.services as documents_services
    from documents.models import Document, DocumentStatus

    real = documents_services.render_to_pdf
    calls = []

    def fails_once(template, context):
        calls.append(template)
        if len(calls) == 1:
            raise RuntimeError("renderer crashed")
        return real(template, context)

    monkeypatch.setattr(documents_services, "render_to_pdf", fails_once)
    case = case_in("submitted", parties)
    services.transfer_accept(case=case, actor=parties.in_reviewer)
    event = case.events.get(action="accept")
    assert outbox.dispatch(event_id=event.pk) == "failed"

    voided = Document.objects.get(case_reference=case.serial_no)
    assert voided.status == DocumentStatus.VOIDED and not voided.pdf
    assert "养联" in voided.number and voided.number.endswith("第00001号")
    assert voided.status_reason == "RuntimeError: renderer crashed"
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and case.attention_since is not None
    page = client.get("/verify/", {"code": voided.number}).content.decode()
    assert "作废" in page and "文件生成失败，未出具任何文件" in page
    assert "renderer crashed" not in page

    with django_capture_on_commit_callbacks(execute=True):
        response = agency_api(api_client, parties.in_reviewer).post(
            f"/api/v1/agency/transfers/{case.serial_no}/retry/"
        )
    assert response.status_code == 200, response.json()
    case.refresh_from_db()
    assert case.status == CaseStatus.LETTER_SENT
    letter = Document.objects.get(case_reference=case.serial_no, status=DocumentStatus.ISSUED)
    assert letter.number == voided.number.replace("第00001号", "第00002号")
    assert case.events.get(action="send_letter").note == letter.number
