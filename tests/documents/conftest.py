"""Fixtures for document tests: Beijing Chaoyang and Nanjing agencies, a person with a pension
history, contexts for every kind, and readers of produced PDFs (pdftotext, pdffonts)."""

import datetime
import logging
import os
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from documents.contexts import agency_context, person_context
from documents.kinds import DocumentKind
from insured.models import EnrollmentStatus
from tests.factories import (
    AgencyFactory,
    ContributionYearFactory,
    EnrollmentFactory,
    PersonFactory,
    StaffFactory,
    UserFactory,
    region,
)


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "text.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_fonts(pdf: bytes, tmp_path: Path) -> list[list[str]]:
    """pdffonts rows: [name, type…, emb, sub, uni, object, id]."""
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    output = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return [line.split() for line in output.splitlines()[2:] if line.strip()]


def pdf_pages(pdf: bytes) -> int:
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def pdf_to_png(pdf: bytes, tmp_path: Path, name: str) -> Path:
    """First page as PNG. DOCUMENT_PNG_DIR keeps them for a human to look at (never commit)."""
    out_dir = Path(os.environ.get("DOCUMENT_PNG_DIR") or tmp_path)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(path),
         str(out_dir / name)],
        check=True,
    )  # fmt: skip
    return out_dir / f"{name}.png"


@pytest.fixture
def weasyprint_log(caplog):
    """Captures WeasyPrint's log at WARNING and up (settings keep it at ERROR otherwise)."""
    caplog.set_level(logging.WARNING, logger="weasyprint")
    return caplog


@pytest.fixture
def beijing(regions):
    return AgencyFactory(
        region=region("110105"),
        name="北京市朝阳区社会保险基金管理中心",
        address="北京市朝阳区周家井世通国际大厦E座5层",
        phone="010-53918532",
        postal_code="100024",
        contact_person="账户管理科",
    )


@pytest.fixture
def nanjing(regions):
    return AgencyFactory(region=region("320100"), name="南京市社会保险管理中心")


@pytest.fixture
def person(regions):
    return PersonFactory(name="张三", born=datetime.date(1990, 3, 7), male=True)


@pytest.fixture
def owner_user(person):
    user = UserFactory(username=person.id_number)
    person.user = user
    person.save(update_fields=["user"])
    return user


@pytest.fixture
def pension_enrollment(person, beijing):
    enrollment = EnrollmentFactory(
        person=person,
        agency=beijing,
        region=region("110105"),
        insurance="pension",
        start_month=datetime.date(2008, 7, 1),
        end_month=datetime.date(2025, 6, 1),
        status=EnrollmentStatus.INTERRUPTED,  # contributions stopped: it can be marked 中断(转外省)
    )
    ContributionYearFactory(enrollment=enrollment, year=2008, first_month=7, last_month=12)
    for year in range(2009, 2025):
        ContributionYearFactory(enrollment=enrollment, year=year)
    ContributionYearFactory(enrollment=enrollment, year=2025, first_month=1, last_month=6)
    return enrollment


@pytest.fixture
def medical_enrollment(person, beijing):
    enrollment = EnrollmentFactory(
        person=person,
        agency=beijing,
        region=region("110105"),
        insurance="medical",
        start_month=datetime.date(2020, 1, 1),
    )
    ContributionYearFactory(
        enrollment=enrollment,
        year=2020,
        personal_account_credit=Decimal("1409.50"),
        interest=Decimal("0.00"),
    )
    return enrollment


@pytest.fixture
def colleague_staff(beijing):
    """A clerk of the issuing agency."""
    return StaffFactory(agency=beijing).user


@pytest.fixture
def counterpart_staff(nanjing):
    return StaffFactory(agency=nanjing).user


@pytest.fixture
def outsider_staff(regions):
    return StaffFactory(agency=AgencyFactory(region=region("440100"), name="广州市社保中心")).user


@pytest.fixture
def other_person_user(regions):
    other = PersonFactory(name="李四")
    user = UserFactory(username=other.id_number)
    other.user = user
    other.save(update_fields=["user"])
    return user


def year_rows(count: int, first_year: int = 1996) -> list[dict]:
    rows, balance = [], Decimal("0.00")
    for i in range(count):
        base = Decimal("3000.00") + 250 * i
        credit = (base * Decimal("0.08") * 12).quantize(Decimal("0.01"))
        interest = (balance * Decimal("0.03")).quantize(Decimal("0.01"))
        balance += credit + interest
        rows.append(
            {
                "year": first_year + i,
                "first_month": 1,
                "last_month": 12,
                "months_paid": 12,
                "monthly_base": base,
                "employer_rate": Decimal("0.16"),
                "personal_rate": Decimal("0.08"),
                "personal_account_credit": credit,
                "interest": interest,
                "balance_at_year_end": balance,
            }
        )
    return rows


def sample_context(kind: str, *, person, transfer_out, transfer_in, years: int = 30) -> dict:
    """A context of ``kind`` as the callers build it (documents.kinds)."""
    p = person_context(person)
    out_ctx, in_ctx = agency_context(transfer_out), agency_context(transfer_in)
    if kind in (DocumentKind.PENSION_CERTIFICATE, DocumentKind.MEDICAL_CERTIFICATE):
        return {
            "person": p,
            "insurance_label": "基本养老保险"
            if kind == DocumentKind.PENSION_CERTIFICATE
            else "职工基本医疗保险",
            "account_kind_label": "普通账户",
            "region_name": "北京市朝阳区",
            "start_month": datetime.date(2008, 7, 1),
            "end_month": datetime.date(2025, 6, 1),
            "months_paid": 204,
            "personal_account_balance": Decimal("16409.02"),
        }
    if kind in (DocumentKind.PENSION_CONTACT_LETTER, DocumentKind.MEDICAL_CONTACT_LETTER):
        return {
            "serial_no": "2026010500000001",
            "person": p,
            "account_kind_label": "普通账户",
            "transfer_out_agency": out_ctx,
            "transfer_in_agency": in_ctx,
            "category_label": "外省企业保险转入",
        }
    if kind == DocumentKind.PENSION_INFO_SHEET:
        return {
            "serial_no": "2026010500000001",
            "person": p,
            "work_start": datetime.date(1996, 1, 1),
            "first_contribution": datetime.date(1996, 1, 1),
            "account_established": datetime.date(1996, 1, 1),
            "local_start": datetime.date(1996, 1, 1),
            "local_end": datetime.date(2025, 12, 1),
            "months_paid": 12 * years,
            "transfer_date": datetime.date(2026, 1, 5),
            "account_kind_label": "普通账户",
            "amounts": {
                "before_1998": Decimal("1409.50"),
                "since_1998_to_last_year": Decimal("6007.14"),
                "transfer_year_principal": Decimal("8992.38"),
                "personal_account": Decimal("16409.02"),
                "pooled_fund": Decimal("100000000.00"),
                "total": Decimal("100016409.02"),
            },
            "years": year_rows(years),
            "transfer_out_agency": out_ctx,
            "transfer_in_agency": in_ctx,
        }
    if kind == DocumentKind.MEDICAL_INFO_SHEET:
        return {
            "serial_no": "2026010500000002",
            "person": p,
            "insurance_label": "职工基本医疗保险",
            "periods": [(datetime.date(2015, 1, 1), datetime.date(2025, 6, 1))],
            "months_paid": 126,
            "personal_account": Decimal("6007.14"),
            "transfer_out_agency": out_ctx,
            "transfer_in_agency": in_ctx,
        }
    if kind == DocumentKind.INSURANCE_PROOF:
        return {
            "person": p,
            "insurances": [
                {
                    "insurance_label": "基本养老保险",
                    "status_label": "正常参保",
                    "agency_name": transfer_out.name,
                    "start_month": datetime.date(2015, 1, 1),
                    "end_month": None,
                    "months": 132,
                    "years": [(y, 12) for y in range(2015, 2026)],
                }
            ],
        }
    raise AssertionError(kind)


@pytest.fixture
def in_2026(monkeypatch):
    """Documents issued on 2026-01-05 09:30 (Beijing), whatever today is: numbers say 2026."""
    import datetime as dt

    from django.utils import timezone

    fixed = dt.datetime(2026, 1, 5, 1, 30, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: fixed)
    return fixed
