"""The pipeline's tasks, called directly (``task.run(id)``): each is safe to run twice."""

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
from transfers.workflow import CaseStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]
__all__ = ["eager_tasks"]  # a fixture


@pytest.fixture
def parties(regions):
    return make_parties()


def test_task_options_are_those_of_a_reliable_pipeline(settings):
    for task in (
        tasks.issue_certificate,
        tasks.send_letter,
        tasks.issue_info_sheet,
        tasks.pay_remittance,
        tasks.notify_case_event,
        tasks.notify_overdue_stage,
    ):
        assert task.acks_late is True
        assert task.reject_on_worker_lost is True
        assert task.max_retries == settings.TRANSFER_TASK_MAX_RETRIES
        assert task.retry_backoff and task.retry_backoff_max == 600
        assert tasks.BankError in task.autoretry_for
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    assert settings.CELERY_TASK_TIME_LIMIT and settings.CELERY_TASK_SOFT_TIME_LIMIT
    beat = settings.CELERY_BEAT_SCHEDULE["transfers-mark-overdue-stages"]
    assert beat["task"] == tasks.mark_overdue_stages_task.name


def test_issue_certificate_twice_issues_one_certificate(parties):
    case = case_in("submitted", parties)
    case.stages.filter(name=StageName.CERTIFICATE).update(completed_at=None)
    first = tasks.issue_certificate.run(case.pk)
    second = tasks.issue_certificate.run(case.pk)
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
    assert tasks.send_letter.run(case.pk) is not None
    assert tasks.send_letter.run(case.pk) is None
    letter = Document.objects.get()
    assert letter.kind == DocumentKind.PENSION_CONTACT_LETTER
    assert (letter.agency, letter.counterpart_agency) == (parties.in_agency, parties.out_agency)
    assert letter.case_reference == case.serial_no
    case.refresh_from_db()
    assert case.status == CaseStatus.LETTER_SENT
    assert case.events.filter(action="send_letter").count() == 1
    out_stage = case.stages.get(name=StageName.TRANSFER_OUT)
    assert case.current_due_date == out_stage.due_date


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
    assert tasks.issue_info_sheet.run(case.pk) is not None
    assert tasks.issue_info_sheet.run(case.pk) is None
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


def test_pay_remittance_twice_pays_once(parties):
    case = case_in("info_sheet_issued", parties)
    services.transfer_remit(case=case, actor=parties.out_finance)
    first = tasks.pay_remittance.run(case.pk)
    second = tasks.pay_remittance.run(case.pk)
    assert first == second and first.startswith("LB")
    assert LocalBankTransfer.objects.count() == 1
    assert FundRemittance.objects.get().bank_reference == first


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
    assert tasks.notify_case_event.run(event.pk) is True
    assert tasks.notify_case_event.run(event.pk) is False
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
