"""The follow-up steps and the dispatch task, called directly: each is safe to run twice."""

from decimal import Decimal

import pytest
from django.core import mail

from core.models import Notification
from documents.kinds import DocumentKind
from documents.models import Document, DocumentCounter
from insured.models import EnrollmentStatus
from tests.transfers.celery_helpers import eager_tasks
from tests.transfers.factories import (
    MEDICAL_EXPECTED,
    PENSION_EXPECTED,
    case_in,
    make_parties,
)
from transfers import services, tasks
from transfers.models import CaseEvent, FundRemittance, LocalBankTransfer, StageName, TransferFunds
from transfers.services.notify import notify_person_of_event
from transfers.workflow import CaseStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]
__all__ = ["eager_tasks"]  # a fixture


@pytest.fixture
def parties(regions):
    return make_parties()


def test_task_options_are_those_of_a_reliable_pipeline(settings):
    task = tasks.dispatch_event
    assert task.acks_late is True
    assert task.reject_on_worker_lost is True
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    assert settings.CELERY_TASK_TIME_LIMIT and settings.CELERY_TASK_SOFT_TIME_LIMIT
    # A claim outlives any live worker: past the hard time limit its worker is dead.
    assert settings.OUTBOX_CLAIM_LEASE_SECONDS > settings.CELERY_TASK_TIME_LIMIT
    beat = settings.CELERY_BEAT_SCHEDULE
    assert beat["transfers-mark-overdue-stages"]["task"] == tasks.mark_overdue_stages_task.name
    assert beat["transfers-redispatch-events"]["task"] == tasks.redispatch_events.name
    assert beat["transfers-redispatch-events"]["schedule"] == 60.0


def test_issue_certificate_twice_issues_one_certificate(parties):
    case = case_in("submitted", parties)
    case.stages.filter(name=StageName.CERTIFICATE).update(completed_at=None)
    first = services.transfer_issue_certificate(case_id=case.pk)
    second = services.transfer_issue_certificate(case_id=case.pk)
    assert first is not None and second is None
    document = Document.objects.get()
    assert document.kind == DocumentKind.PENSION_CERTIFICATE
    assert document.subject_key.startswith(f"enrollment:{case.from_enrollment_id}:")
    assert document.counterpart_agency == case.transfer_in_agency  # both agencies read it
    case.from_enrollment.refresh_from_db()
    assert case.from_enrollment.status == EnrollmentStatus.TRANSFERRING_OUT
    assert case.events.filter(action="issue_certificate").count() == 1


def test_send_letter_twice_sends_one_letter(parties):
    case = case_in("accepted", parties)
    assert services.transfer_send_letter(case_id=case.pk) is not None
    assert services.transfer_send_letter(case_id=case.pk) is None
    letter = Document.objects.get()
    assert letter.kind == DocumentKind.PENSION_CONTACT_LETTER
    assert (letter.agency, letter.counterpart_agency) == (parties.in_agency, parties.out_agency)
    assert letter.case_reference == case.serial_no
    case.refresh_from_db()
    assert case.status == CaseStatus.LETTER_SENT
    assert case.events.filter(action="send_letter").count() == 1
    out_stage = case.stages.get(name=StageName.TRANSFER_OUT)
    assert case.current_due_date == out_stage.due_date
    # The transfer-in agency's review ends when its letter is out.
    assert case.stages.get(name=StageName.REVIEW).completed_at is not None


@pytest.mark.parametrize(
    ("insurance", "expected", "kind"),
    [
        ("pension", PENSION_EXPECTED, DocumentKind.PENSION_INFO_SHEET),
        ("medical", MEDICAL_EXPECTED, DocumentKind.MEDICAL_INFO_SHEET),
    ],
)
def test_issue_info_sheet_computes_the_hand_computed_amounts_once(
    parties, insurance, expected, kind
):
    case = case_in("letter_received", parties, insurance=insurance)
    assert services.transfer_issue_info_sheet(case_id=case.pk) is not None
    assert services.transfer_issue_info_sheet(case_id=case.pk) is None
    funds = TransferFunds.objects.get(case=case)
    for field, value in expected.items():
        assert getattr(funds, field) == value, field
    sheet = Document.objects.get(kind=kind)
    assert sheet.agency == parties.out_agency and sheet.case_reference == case.serial_no
    assert DocumentCounter.objects.get(kind=kind).last_sequence == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.INFO_SHEET_ISSUED
    case.from_enrollment.refresh_from_db()
    assert case.from_enrollment.status == EnrollmentStatus.TRANSFERRED_OUT


def test_pay_remittance_twice_pays_once_and_records_the_banks_reference(parties):
    case = case_in("remitting", parties)
    first = services.transfer_pay_remittance(case_id=case.pk)
    second = services.transfer_pay_remittance(case_id=case.pk)
    assert first == second and first.startswith("LB")
    assert LocalBankTransfer.objects.count() == 1
    remittance = FundRemittance.objects.get()
    assert remittance.bank_reference == first and remittance.paid_at is not None
    case.refresh_from_db()
    assert case.status == CaseStatus.FUNDS_REMITTED
    assert case.events.filter(action="record_payment").count() == 1
    assert first in case.events.get(action="record_payment").note
    transfer_in = case.stages.get(name=StageName.TRANSFER_IN)
    assert case.current_due_date == transfer_in.due_date


def test_the_bank_refuses_a_second_payment_with_the_same_key(parties):
    from transfers.bank import LocalBank

    bank = LocalBank()
    one = bank.pay(key="remit-x", amount=Decimal("1.00"), from_account="a", to_account="b")
    two = bank.pay(key="remit-x", amount=Decimal("1.00"), from_account="a", to_account="b")
    assert one == two
    assert LocalBankTransfer.objects.count() == 1


def test_notify_case_event_twice_tells_the_person_once(parties, settings):
    settings.SMS_BACKEND = "core.sms.MemorySmsBackend"
    from core.sms import MemorySmsBackend

    MemorySmsBackend.outbox.clear()
    case = case_in("submitted", parties)
    event = case.events.get()
    CaseEvent.objects.filter(pk=event.pk).update(dispatched_at=None)  # fresh in the outbox
    assert tasks.dispatch_event.run(event.pk) == "dispatched"
    assert tasks.dispatch_event.run(event.pk) == "skipped"
    notify_person_of_event(event)  # even a step run again by hand sends nothing twice
    notification = Notification.objects.get(user=case.person.user)
    assert case.serial_no in notification.title
    assert notification.link
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [case.person.email]
    assert MemorySmsBackend.outbox == [(case.contact_phone, MemorySmsBackend.outbox[0][1])]


def test_the_whole_pipeline_runs_eagerly_on_commit(parties, django_capture_on_commit_callbacks):
    """Without REDIS_URL tasks run in-process; the code path is the same as with a worker."""
    case = case_in("submitted", parties)
    with django_capture_on_commit_callbacks(execute=True):
        services.transfer_accept(case=case, actor=parties.in_reviewer)
    case.refresh_from_db()
    assert case.status == CaseStatus.LETTER_SENT
    with django_capture_on_commit_callbacks(execute=True):
        services.transfer_acknowledge(case=case, actor=parties.out_reviewer)
    case.refresh_from_db()
    assert case.status == CaseStatus.INFO_SHEET_ISSUED
    assert [e.action for e in CaseEvent.objects.filter(case=case)] == [
        "submit",
        "accept",
        "send_letter",
        "acknowledge",
        "issue_info_sheet",
    ]
    assert Notification.objects.filter(user=case.person.user).count() == 4
