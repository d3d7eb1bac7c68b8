"""孙八's 城乡制度衔接 (resident_to_employee) through the API with a real Celery worker on Redis
and PostgreSQL: the same stages and moves as a pension transfer, the merge recorded at the
receipt, the refund on the case and on 我的参保记录. Figures: tests.transfers.bridging.SUN_BA."""

from decimal import Decimal

import pytest

from documents.kinds import DocumentKind
from documents.models import Document
from insured.models import Enrollment, EnrollmentStatus, OverlapRefund
from tests.otp_helpers import api_verified
from tests.transfers.bridging import SUN_BA, employee_of, resident_of, sun_ba, weifang
from tests.transfers.celery_helpers import inprocess_worker, wait_for
from transfers.models import FundRemittance, TransferCase

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres, pytest.mark.redis]


def status_of(serial_no: str) -> str:
    return TransferCase.objects.values_list("status", flat=True).get(serial_no=serial_no)


def held(enrollment) -> tuple[Decimal, int]:
    fresh = Enrollment.objects.prefetch_related(
        "years", "transferred_in", "resident_payments", "overlap_refunds"
    ).get(pk=enrollment.pk)
    return fresh.personal_account_balance(), fresh.months()


@pytest.mark.django_db(transaction=True)
def test_sun_ba_bridges_his_resident_pension_into_the_employee_pension_on_the_worker(
    require_postgres, require_redis, regions, api_client, client
):
    parties = weifang()
    person = sun_ba(parties)
    employee, resident = employee_of(person), resident_of(person)
    employee_before, months_before = held(employee)
    assert held(resident) == (SUN_BA["resident_account"], 66)
    assert months_before == SUN_BA["employee_months"]

    def act(user, method, url, body=None):
        api_verified(api_client, user)
        response = getattr(api_client, method)(url, body or {}, format="json")
        assert response.status_code in (200, 201), (url, response.status_code, response.content)
        return response.json()

    with inprocess_worker() as app:
        assert not app.conf.task_always_eager
        case = act(
            person.user,
            "post",
            "/api/v1/transfers/",
            {
                "insurance": "pension",
                "category": "resident_to_employee",
                "from_region": "370705",
                "to_region": "370705",
                "phone": "13612345678",
                "hukou_address": "山东省潍坊市奎文区胜利东街100号",
            },
        )
        serial_no = case["serial_no"]
        assert case["status"] == "submitted"
        wait_for(
            lambda: Document.objects.filter(kind=DocumentKind.PENSION_CERTIFICATE).exists(),
            what="the certificate",
        )
        # review at the employee benefit place (Weifang), the transfer-in agency
        queue = act(parties.wf_review, "get", "/api/v1/agency/transfers/?queue=review")
        assert [c["serial_no"] for c in queue["results"]] == [serial_no]
        act(parties.wf_review, "post", f"/api/v1/agency/transfers/{serial_no}/accept/")
        wait_for(lambda: status_of(serial_no) == "letter_sent", what="letter_sent")
        # the resident agency (Kuiwen) acknowledges the letter; the worker fixes the figures
        act(parties.kw_review, "post", f"/api/v1/agency/transfers/{serial_no}/acknowledge/")
        wait_for(lambda: status_of(serial_no) == "info_sheet_issued", what="info_sheet_issued")
        seen = act(person.user, "get", f"/api/v1/transfers/{serial_no}/")
        assert seen["funds"]["total"] == "2530.00"
        assert seen["funds"]["months"] == 0  # resident years are not employee years
        assert seen["refund"] == {"amount": "275.00", "months": 6, "recorded": False}
        # nothing moved in the records before the receipt
        assert held(resident) == (SUN_BA["resident_account"], 66)
        remitted = act(parties.kw_finance, "post", f"/api/v1/agency/transfers/{serial_no}/remit/")
        assert remitted["remittance"]["amount"] == "2530.00"
        wait_for(lambda: status_of(serial_no) == "funds_remitted", what="funds_remitted")
        assert FundRemittance.objects.get(case__serial_no=serial_no).bank_reference
        done = act(
            parties.wf_finance,
            "post",
            f"/api/v1/agency/transfers/{serial_no}/confirm-receipt/",
            {"amount": "2530.00"},
        )
        assert done["status"] == "completed"

    detail = act(person.user, "get", f"/api/v1/transfers/{serial_no}/")
    assert detail["refund"] == {"amount": "275.00", "months": 6, "recorded": True}
    assert [d["kind"] for d in detail["documents"]] == [
        "pension_certificate",
        "pension_contact_letter",
        "pension_info_sheet",
    ]
    # the employee account grew by the resident account less the refund; months unchanged
    employee_after, months_after = held(employee)
    assert employee_after - employee_before == SUN_BA["merged"]
    assert months_after == months_before == SUN_BA["employee_months"]
    resident.refresh_from_db()
    assert resident.status == EnrollmentStatus.BRIDGED
    assert held(resident) == (Decimal("0.00"), 0)
    refund = OverlapRefund.objects.get(reference=serial_no)
    assert SUN_BA["merged"] + refund.amount == SUN_BA["resident_account"]  # conservation

    me = act(person.user, "get", "/api/v1/me/")
    row = next(e for e in me["enrollments"] if e["insurance"] == "resident_pension")
    assert row["status"] == "bridged" and row["status_display"] == "已衔接"
    assert row["personal_account_balance"] == "0.00"
    assert row["refunds"] == [
        {"serial_no": serial_no, "amount": "275.00", "months": 6,
         "first_month": "2016-01", "last_month": "2016-06"}
    ]  # fmt: skip
    client.force_login(person.user)
    page = client.get("/me/records/").content.decode()
    assert "已衔接" in page and "重复缴费退还本人" in page and "275.00" in page
