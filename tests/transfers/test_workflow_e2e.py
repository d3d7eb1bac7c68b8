"""The whole pension flow and the whole medical flow, through the API, with a real Celery
worker on Redis and PostgreSQL: every state, every document, the amounts, and me/ after."""

import pytest
from django.core import mail

from core.models import Notification
from documents.kinds import DocumentKind
from documents.models import Document
from insured.models import EnrollmentStatus, MovementStatus, RightsMovement
from tests.otp_helpers import api_verified
from tests.transfers.celery_helpers import inprocess_worker, wait_for
from tests.transfers.factories import MEDICAL_EXPECTED, PENSION_EXPECTED, make_mover, make_parties
from transfers.models import FundRemittance, LocalBankTransfer, TransferCase, TransferFunds

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres, pytest.mark.redis]

FLOWS = {
    "pension": {
        "category": "enterprise",
        "expected": PENSION_EXPECTED,
        "documents": [
            DocumentKind.PENSION_CERTIFICATE,
            DocumentKind.PENSION_CONTACT_LETTER,
            DocumentKind.PENSION_INFO_SHEET,
        ],
    },
    "medical": {
        "category": "employee",
        "expected": MEDICAL_EXPECTED,
        "documents": [
            DocumentKind.MEDICAL_CERTIFICATE,
            DocumentKind.MEDICAL_CONTACT_LETTER,
            DocumentKind.MEDICAL_INFO_SHEET,
        ],
    },
}


def status_of(serial_no: str) -> str:
    return TransferCase.objects.values_list("status", flat=True).get(serial_no=serial_no)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("insurance", list(FLOWS))
def test_whole_flow_through_the_api_with_a_real_worker(
    require_postgres, require_redis, regions, api_client, insurance
):
    flow = FLOWS[insurance]
    expected = flow["expected"]
    parties = make_parties()
    person = make_mover(parties, insurance=insurance)

    def act(user, method, url, body=None):
        api_verified(api_client, user)
        response = getattr(api_client, method)(url, body or {}, format="json")
        assert response.status_code in (200, 201), (url, response.status_code, response.content)
        return response.json()

    with inprocess_worker() as app:
        assert not app.conf.task_always_eager
        # 1–2. apply; the certificate is issued from the transfer-out records
        case = act(
            person.user,
            "post",
            "/api/v1/transfers/",
            {
                "insurance": insurance,
                "category": flow["category"],
                "from_region": "110105",
                "to_region": "320106",
                "phone": "13912345678",
                "hukou_address": "北京市朝阳区建国路1号",
            },
        )
        serial_no = case["serial_no"]
        assert case["status"] == "submitted"
        wait_for(
            lambda: Document.objects.filter(kind=flow["documents"][0]).exists(),
            what="the certificate",
        )
        queue = act(parties.in_reviewer, "get", "/api/v1/agency/transfers/?queue=review")
        assert [c["serial_no"] for c in queue["results"]] == [serial_no]

        # 3. accept → the worker renders and sends the contact letter
        assert act(parties.in_reviewer, "post", f"/api/v1/agency/transfers/{serial_no}/accept/")[
            "status"
        ] in ("accepted", "letter_sent")
        wait_for(lambda: status_of(serial_no) == "letter_sent", what="letter_sent")
        letters = act(parties.out_reviewer, "get", "/api/v1/agency/transfers/?queue=letters")
        assert [c["serial_no"] for c in letters["results"]] == [serial_no]

        # 4. acknowledge → the worker computes the amounts and issues the info sheet
        act(parties.out_reviewer, "post", f"/api/v1/agency/transfers/{serial_no}/acknowledge/")
        wait_for(lambda: status_of(serial_no) == "info_sheet_issued", what="info_sheet_issued")
        funds = TransferFunds.objects.get(case__serial_no=serial_no)
        for field, value in expected.items():
            assert getattr(funds, field) == value, field

        # remit (a finance officer who did not acknowledge) → remitting until the bank pays
        remitted = act(parties.out_finance, "post", f"/api/v1/agency/transfers/{serial_no}/remit/")
        assert remitted["status"] in ("remitting", "funds_remitted")
        assert remitted["remittance"]["amount"] == f"{expected['total']:.2f}"
        wait_for(lambda: status_of(serial_no) == "funds_remitted", what="funds_remitted")
        reference = FundRemittance.objects.get(case__serial_no=serial_no).bank_reference
        assert reference.startswith("LB")
        # both agencies see the bank's reference
        for clerk in (parties.in_finance, parties.out_finance):
            seen = act(clerk, "get", f"/api/v1/agency/transfers/{serial_no}/")
            assert seen["remittance"]["bank_reference"] == reference

        # confirm receipt of exactly the total → completed, rights recorded
        done = act(
            parties.in_finance,
            "post",
            f"/api/v1/agency/transfers/{serial_no}/confirm-receipt/",
            {"amount": f"{expected['total']:.2f}"},
        )
        assert done["status"] == "completed"
        # let the last notifications through before the worker stops
        wait_for(
            lambda: Notification.objects.filter(user=person.user).count() >= 8,
            what="the notifications",
        )

    detail = act(person.user, "get", f"/api/v1/transfers/{serial_no}/")
    assert detail["status"] == "completed"
    assert [e["to_status"] for e in detail["events"] if e["from_status"] != e["to_status"]] == [
        "submitted",
        "accepted",
        "letter_sent",
        "letter_received",
        "info_sheet_issued",
        "remitting",
        "funds_remitted",
        "completed",
    ]
    assert [s["status"] for s in detail["stages"]] == ["done"] * 4
    assert [d["kind"] for d in detail["documents"]] == [str(k) for k in flow["documents"]]
    assert all(d["number"] and d["url"] for d in detail["documents"])
    assert detail["funds"]["total"] == f"{expected['total']:.2f}"
    assert detail["funds"]["personal_account"] == f"{expected['personal_account']:.2f}"
    assert Document.objects.count() == 3
    assert LocalBankTransfer.objects.get().amount == expected["total"]

    # the old enrollment is transferred out; the rights are recorded at the new one
    case = TransferCase.objects.select_related("from_enrollment", "to_enrollment").get(
        serial_no=serial_no
    )
    assert case.from_enrollment.status == EnrollmentStatus.TRANSFERRED_OUT
    rights = RightsMovement.objects.get(reference=serial_no)
    assert rights.to_enrollment == case.to_enrollment
    assert rights.status == MovementStatus.RECEIVED
    assert rights.months == expected["months"]
    assert rights.personal_account == expected["personal_account"]

    # the person was told at every change: in-app and by email
    titles = Notification.objects.filter(user=person.user)
    # submit, certificate, accept, letter, ack, sheet, paid by the bank, done
    assert titles.count() == 8
    assert len([m for m in mail.outbox if m.to == [person.email]]) == 8

    # me/ shows the months and the sum transferred in
    api_client.force_authenticate(person.user)
    me = api_client.get("/api/v1/me/").json()
    new = next(e for e in me["enrollments"] if e["id"] == case.to_enrollment_id)
    assert new["transferred_in"] == [
        {
            "serial_no": serial_no,
            "from_region": "110105",
            "from_region_name": "北京市朝阳区",
            "transfer_date": rights.transfer_date.isoformat(),
            "months": expected["months"],
            "personal_account": f"{expected['personal_account']:.2f}",
            "pooled_fund": f"{expected.get('pooled_fund', 0):.2f}",
        }
    ]
    old = next(e for e in me["enrollments"] if e["id"] == case.from_enrollment_id)
    assert old["status"] == "transferred_out"
