"""Flexible workers (灵活就业人员) transfer exactly as employees do: through the API, from the
application to the receipt, with their periods paid as individuals carried and printed as
个人身份参保 on the info sheet and the certificate. Within one province there is no transfer
for them either (the portal's same-province refusal, 国办发〔2009〕66号)."""

import datetime
import subprocess
from decimal import Decimal

import pytest

from documents.kinds import DocumentKind
from documents.models import Document
from insured import ledger
from insured.models import ContributorType, EnrollmentStatus, MovementStatus, RightsMovement
from tests.factories import EnrollmentFactory, PersonFactory, region
from tests.otp_helpers import api_verified
from tests.transfers.celery_helpers import eager_tasks
from tests.transfers.factories import IN_REGION, OUT_REGION, login, make_parties, this_year
from transfers.models import TransferFunds

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]
__all__ = ["eager_tasks"]  # a fixture

D = Decimal
FLEXIBLE = ContributorType.FLEXIBLE

APPLY = {
    "insurance": "pension",
    "category": "enterprise",
    "from_region": "110105",
    "to_region": "320106",
    "phone": "13912345678",
    "hukou_address": "北京市朝阳区建国路1号",
}

# Beijing (Y = this year):
#   2018      employer  base 6000 × 12: credit 6000 × 8% × 12 = 5760.00, interest 115.20
#   2019      flexible  base 5000 × 12: credit 5000 × 8% × 12 = 4800.00, interest  96.00
#   Y-1 1–6   flexible  base 5500 ×  6: credit 5500 × 8% ×  6 = 2640.00, interest  52.80
# ① before 1998 = 0; ③ this year = 0 (nothing paid in Beijing this year);
# ② = 5760.00 + 115.20 + 4800.00 + 96.00 + 2640.00 + 52.80            = 13464.00
# ④ = ① + ② + ③                                                      = 13464.00
# ⑤ = 12% × (6000 × 12 + 5000 × 12 + 5500 × 6) = 12% × 165,000         = 19800.00
# ⑥ = ④ + ⑤                                                          = 33264.00
EXPECTED = {
    "before_1998": D("0.00"),
    "since_1998_to_last_year": D("13464.00"),
    "transfer_year_principal": D("0.00"),
    "personal_account": D("13464.00"),
    "pooled_fund": D("19800.00"),
    "total": D("33264.00"),
    "months": 30,
}


def _period(enrollment, year, first, last, base, credit, interest, kind, employer_rate):
    ledger.period_add(
        enrollment=enrollment, year=year, first_month=first, last_month=last,
        monthly_base=D(base), employer_rate=D(employer_rate), personal_rate=D("0.08"),
        personal_account_credit=D(credit), interest=D(interest), contributor_type=kind,
    )  # fmt: skip


def flexible_mover(parties):
    """Employed in Beijing in 2018, then a flexible worker there (2019, Y-1 1–6); since Y-1 07
    employed in Nanjing. A flexible worker pays 20% alone: 12% to the pool (the employer
    column), 8% to the personal account."""
    y = this_year()
    person = PersonFactory(user=login())
    out = EnrollmentFactory(
        person=person, insurance="pension", agency=parties.out_agency,
        region=region(OUT_REGION), start_month=datetime.date(2018, 1, 1),
        end_month=datetime.date(y - 1, 6, 1), status=EnrollmentStatus.INTERRUPTED,
    )  # fmt: skip
    _period(out, 2018, 1, 12, "6000", "5760.00", "115.20", ContributorType.EMPLOYER, "0.16")
    _period(out, 2019, 1, 12, "5000", "4800.00", "96.00", FLEXIBLE, "0.12")
    _period(out, y - 1, 1, 6, "5500", "2640.00", "52.80", FLEXIBLE, "0.12")
    into = EnrollmentFactory(
        person=person, insurance="pension", agency=parties.in_agency,
        region=region(IN_REGION), start_month=datetime.date(y - 1, 7, 1),
        status=EnrollmentStatus.ACTIVE,
    )  # fmt: skip
    _period(into, y - 1, 7, 12, "8000", "3840.00", "0.00", ContributorType.EMPLOYER, "0.16")
    return person, out, into


def _text(document: Document, tmp_path) -> str:
    path = tmp_path / f"{document.pk}.pdf"
    path.write_bytes(document.pdf.read())
    return subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_a_flexible_workers_transfer_runs_as_an_employees(
    api_client, regions, django_capture_on_commit_callbacks, tmp_path
):
    parties = make_parties()
    person, out, into = flexible_mover(parties)

    def act(user, method, url, body=None, status=(200, 201)):
        api_verified(api_client, user)
        with django_capture_on_commit_callbacks(execute=True):
            response = getattr(api_client, method)(url, body or {}, format="json")
        assert response.status_code in status, (url, response.status_code, response.content)
        return response.json()

    serial_no = act(person.user, "post", "/api/v1/transfers/", APPLY)["serial_no"]
    base = f"/api/v1/agency/transfers/{serial_no}"
    act(parties.in_reviewer, "post", f"{base}/accept/")
    act(parties.out_reviewer, "post", f"{base}/acknowledge/")
    funds = TransferFunds.objects.get(case__serial_no=serial_no)
    assert {field: getattr(funds, field) for field in EXPECTED} == EXPECTED
    act(parties.out_finance, "post", f"{base}/remit/")
    done = act(parties.in_finance, "post", f"{base}/confirm-receipt/", {"amount": "33264.00"})
    assert done["status"] == "completed"

    # The info sheet lists the flexible periods as 个人身份参保, the employer year without it.
    sheet = Document.objects.get(kind=DocumentKind.PENSION_INFO_SHEET, case_reference=serial_no)
    text = _text(sheet, tmp_path)
    assert text.count("个人身份参保") == 2
    assert "33,264.00" in text or "33264.00" in text
    # The certificate says how many of the 30 months were paid as an individual: 12 + 6.
    certificate = Document.objects.get(kind=DocumentKind.PENSION_CERTIFICATE)
    assert "其中以个人身份参保（灵活就业）缴费18个月，与单位职工期间合并计算。" in _text(
        certificate, tmp_path
    )

    # The rights arrive whole: 30 months and ¥13,464.00 at Nanjing, added to its own 6 months
    # and 3840.00 (employer); Beijing holds nothing.
    rights = RightsMovement.objects.get(reference=serial_no)
    assert (rights.status, rights.months, rights.personal_account) == (
        MovementStatus.RECEIVED, 30, D("13464.00"),
    )  # fmt: skip
    api_client.force_authenticate(person.user)
    me = api_client.get("/api/v1/me/").json()
    nanjing = next(e for e in me["enrollments"] if e["id"] == into.pk)
    assert nanjing["months"] == 30 + 6
    assert nanjing["personal_account_balance"] == "17304.00"  # 13464.00 + 3840.00
    beijing = next(e for e in me["enrollments"] if e["id"] == out.pk)
    assert beijing["status"] == "transferred_out"
    assert beijing["personal_account_balance"] == "0.00"
    # Beijing's periods keep their contributor type in the history.
    assert [(y["year"], y["contributor_type"]) for y in beijing["years"]] == [
        (2018, "employer"),
        (2019, "flexible"),
        (this_year() - 1, "flexible"),
    ]


def test_within_one_province_a_flexible_worker_gets_the_same_answer_as_an_employee(
    api_client, regions
):
    parties = make_parties()
    person, _out, _into = flexible_mover(parties)
    api_verified(api_client, person.user)
    response = api_client.post(
        "/api/v1/transfers/", {**APPLY, "to_region": "110108"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "same_province"
