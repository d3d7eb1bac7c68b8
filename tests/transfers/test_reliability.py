"""A worker killed (SIGKILL) in the middle of the info-sheet task: the message, acknowledged
only late, is redelivered to a new worker, and the case still reaches info_sheet_issued with
exactly one info sheet and one document number used."""

import signal

import pytest
import redis
from django.conf import settings

from core.models import Notification
from documents.kinds import DocumentKind
from documents.models import Document, DocumentCounter
from tests.transfers.celery_helpers import fresh_queue, routed_to, wait_for, worker_subprocess
from tests.transfers.factories import PENSION_EXPECTED, case_in, make_parties
from transfers import services
from transfers.models import CaseEvent, TransferCase, TransferFunds
from transfers.workflow import CaseStatus

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres, pytest.mark.redis]

PAUSE_KEY = "transfers:test-pause:issue_info_sheet"


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_info_sheet_is_replaced_and_the_sheet_issued_once(
    require_postgres, require_redis, regions, tmp_path
):
    parties = make_parties()
    case = case_in("letter_sent", parties)
    store = redis.Redis.from_url(settings.REDIS_URL)
    store.delete(PAUSE_KEY)
    queue = fresh_queue()
    # Redelivery of an unacknowledged message after 2 s instead of an hour.
    # and a claim on the event that a dead worker held lapses after 1 s (not 150 s).
    fast_redelivery = {"CELERY_VISIBILITY_TIMEOUT": "2", "OUTBOX_CLAIM_LEASE_SECONDS": "1"}
    log = (tmp_path / "workers.log").open("w")

    with routed_to(queue):
        services.transfer_acknowledge(case=case, actor=parties.out_reviewer)
        # The first worker pauses inside the task, after the sheet is rendered and numbered
        # but before the transaction commits: the worst moment to die.
        first = worker_subprocess(
            queue, extra_env={**fast_redelivery, "TRANSFER_TEST_TASK_DELAY": "60"}, log=log
        )
        try:
            wait_for(lambda: store.get(PAUSE_KEY), timeout=60, what="the task to start")
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        finally:
            if first.poll() is None:
                first.kill()
        assert first.returncode == -signal.SIGKILL
        # The move did not happen. The sheet was issued (documents are numbered and stored
        # outside the case's lock, in their own transactions) and will be found again, not
        # numbered twice.
        assert TransferCase.objects.get(pk=case.pk).status == CaseStatus.LETTER_RECEIVED
        assert Document.objects.filter(kind=DocumentKind.PENSION_INFO_SHEET).count() <= 1

        second = worker_subprocess(
            queue, extra_env={**fast_redelivery, "TRANSFER_TEST_TASK_DELAY": ""}, log=log
        )
        try:
            wait_for(
                lambda: TransferCase.objects.get(pk=case.pk).status == CaseStatus.INFO_SHEET_ISSUED,
                timeout=90,
                what="info_sheet_issued after redelivery",
            )
            # The worker's own follow-ups (the person's notification) go to the same queue.
            sheet_event = CaseEvent.objects.get(case=case, action="issue_info_sheet")
            wait_for(
                lambda: Notification.objects.filter(key=f"case-event:{sheet_event.pk}").exists(),
                timeout=30,
                what="the notification sent by the worker's follow-up task",
            )
        finally:
            second.terminate()
            second.wait(timeout=30)
    log.close()

    sheets = Document.objects.filter(kind=DocumentKind.PENSION_INFO_SHEET)
    assert sheets.count() == 1
    assert sheets.get().sequence == 1 and sheets.get().number.endswith("第00001号")
    counter = DocumentCounter.objects.get(kind=DocumentKind.PENSION_INFO_SHEET)
    assert counter.last_sequence == 1  # the retry found the killed task's sheet: one number
    assert CaseEvent.objects.filter(case=case, action="issue_info_sheet").count() == 1
    assert TransferFunds.objects.get(case=case).total == PENSION_EXPECTED["total"]
    assert int(store.get(PAUSE_KEY)) == 1  # the second worker ran without the pause
