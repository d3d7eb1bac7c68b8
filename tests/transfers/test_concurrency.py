"""Races on PostgreSQL (SQLite ignores row locks): threads with their own connections start
together at a barrier and call the API at once."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from rest_framework.test import APIClient

from agencies.models import StaffRole
from documents.kinds import DocumentKind
from documents.models import Document
from tests.otp_helpers import api_verified
from tests.transfers.celery_helpers import eager_tasks
from tests.transfers.factories import _clerk, case_in, make_mover, make_parties
from transfers.models import CaseEvent, DailySerial, FundRemittance, LocalBankTransfer
from transfers.workflow import CaseStatus

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("eager_tasks"),
]
__all__ = ["eager_tasks"]


def race(calls):
    """Run the callables at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait()
            return call()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def post_as(user, url, body=None):
    def call():
        client = APIClient()
        api_verified(client, user)
        return client.post(url, body or {}, format="json").status_code

    return call


def test_two_reviewers_accepting_at_once_make_one_event_and_one_letter(require_postgres, regions):
    parties = make_parties()
    second_reviewer = _clerk("nj-review-2", parties.in_agency, StaffRole.REVIEWER).user
    case = case_in("submitted", parties)
    url = f"/api/v1/agency/transfers/{case.serial_no}/accept/"
    codes = race([post_as(parties.in_reviewer, url), post_as(second_reviewer, url)])
    assert sorted(codes) == [200, 409]
    assert CaseEvent.objects.filter(case=case, action="accept").count() == 1
    assert CaseEvent.objects.filter(case=case, action="send_letter").count() == 1
    assert Document.objects.filter(kind=DocumentKind.PENSION_CONTACT_LETTER).count() == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.LETTER_SENT


def test_twenty_parallel_remit_calls_make_exactly_one_remittance(require_postgres, regions):
    parties = make_parties()
    case = case_in("info_sheet_issued", parties)
    url = f"/api/v1/agency/transfers/{case.serial_no}/remit/"
    officers = [parties.out_finance, parties.out_finance_2]
    codes = race([post_as(officers[i % 2], url) for i in range(20)])
    assert sorted(codes) == [200] + [409] * 19
    assert FundRemittance.objects.filter(case=case).count() == 1
    assert LocalBankTransfer.objects.count() == 1  # the bank was paid once
    assert CaseEvent.objects.filter(case=case, action="remit").count() == 1


def test_concurrent_submissions_get_gap_free_serial_numbers(require_postgres, regions):
    parties = make_parties()
    people = [make_mover(parties) for _ in range(10)]
    body = {
        "insurance": "pension",
        "category": "enterprise",
        "from_region": "110105",
        "to_region": "320106",
        "phone": "13912345678",
        "hukou_address": "北京市朝阳区建国路1号",
    }
    codes = race([post_as(p.user, "/api/v1/transfers/", body) for p in people])
    assert codes == [201] * 10
    from transfers.models import TransferCase

    sequences = sorted(int(s[8:]) for s in TransferCase.objects.values_list("serial_no", flat=True))
    assert sequences == list(range(1, 11))
    assert DailySerial.objects.get().last == 10


def test_the_same_person_submitting_twice_at_once_gets_one_case(require_postgres, regions):
    parties = make_parties()
    person = make_mover(parties)
    body = {
        "insurance": "pension",
        "category": "enterprise",
        "from_region": "110105",
        "to_region": "320106",
        "phone": "13912345678",
        "hukou_address": "北京市朝阳区建国路1号",
    }
    codes = race([post_as(person.user, "/api/v1/transfers/", body) for _ in range(5)])
    assert sorted(codes) == [201] + [400] * 4
    from transfers.models import TransferCase

    assert TransferCase.objects.filter(person=person).count() == 1
    # the refused ones gave their numbers back
    assert DailySerial.objects.get().last == 1
