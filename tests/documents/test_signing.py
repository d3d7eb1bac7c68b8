"""Issued PDFs carry a PAdES signature by their agency, checkable with pyHanko against the
portal CA; keys are made by `documents_keys` (idempotent) in DOCUMENT_SIGNING_DIR."""

import hashlib
import io
import stat

import pytest
from django.core.management import call_command
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from documents import signing
from documents.kinds import DocumentKind
from documents.services import document_issue
from tests.documents.conftest import sample_context

pytestmark = pytest.mark.django_db


def _ca(directory):
    from asn1crypto import pem, x509

    _type, _headers, der = pem.unarmor((directory / signing.CA_CERT).read_bytes())
    return x509.Certificate.load(der)


def _validate(pdf: bytes, directory):
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    [signature] = reader.embedded_signatures
    context = ValidationContext(
        trust_roots=[_ca(directory)], allow_fetching=False, revocation_mode="soft-fail"
    )
    return validate_pdf_signature(signature, context)


def _certificate_pdf(person, beijing, nanjing) -> tuple:
    kind = DocumentKind.PENSION_CERTIFICATE
    context = sample_context(kind, person=person, transfer_out=beijing, transfer_in=nanjing)
    document = document_issue(kind=kind, holder=person, agency=beijing, context=context)
    return document, document.pdf.open("rb").read()


def test_an_issued_pdf_is_signed_by_its_agency_and_validates_against_the_portal_ca(
    person, beijing, nanjing, document_signing_dir
):
    document, pdf = _certificate_pdf(person, beijing, nanjing)
    status = _validate(pdf, document_signing_dir)
    assert status.bottom_line and status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE  # unmodified since signing
    assert status.signing_cert.subject.native["common_name"] == "北京市朝阳区社会保险基金管理中心"
    # The stored hash is of the signed bytes, as served.
    assert hashlib.sha256(pdf).hexdigest() == document.sha256
    check = signing.check_signature(pdf)
    assert check.valid and check.signer == beijing.name


def test_one_changed_byte_fails_the_signature(person, beijing, nanjing, document_signing_dir):
    _document, pdf = _certificate_pdf(person, beijing, nanjing)
    at = pdf.index(b"/MediaBox") + 12  # inside the signed range, a digit of the page box
    tampered = pdf[:at] + (b"1" if pdf[at : at + 1] != b"1" else b"2") + pdf[at + 1 :]
    status = _validate(tampered, document_signing_dir)
    assert not status.intact and not status.bottom_line
    assert not signing.check_signature(tampered).valid


def test_content_appended_after_signing_is_reported(person, beijing, nanjing):
    _document, pdf = _certificate_pdf(person, beijing, nanjing)
    check = signing.check_signature(pdf + b"\n1 0 obj\n<< >>\nendobj\n")
    assert check.signed and check.intact and not check.whole_file and not check.valid


def test_a_signature_from_outside_the_portal_ca_is_not_trusted(
    person, beijing, nanjing, settings, tmp_path
):
    settings.DOCUMENT_SIGNING_DIR = tmp_path / "foreign"
    signing.ensure_ca()
    _document, forged = _certificate_pdf(person, beijing, nanjing)
    settings.DOCUMENT_SIGNING_DIR = tmp_path / "portal"
    signing.ensure_ca()
    check = signing.check_signature(forged)
    assert check.signed and check.intact and not check.trusted and not check.valid


def test_documents_keys_makes_a_ca_and_agency_keys_once(beijing, nanjing, settings, tmp_path):
    settings.DOCUMENT_SIGNING_DIR = tmp_path / "keys"
    out = io.StringIO()
    call_command("documents_keys", stdout=out)
    assert "CA: created" in out.getvalue() and "Agency keys created: 2" in out.getvalue()
    ca_before = (tmp_path / "keys" / signing.CA_CERT).read_bytes()
    key = tmp_path / "keys" / "agencies" / f"{beijing.pk}.key.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600  # private: the app user only
    key_before = key.read_bytes()

    out = io.StringIO()
    call_command("documents_keys", stdout=out)
    assert "CA: kept" in out.getvalue() and "Agency keys created: 0" in out.getvalue()
    assert (tmp_path / "keys" / signing.CA_CERT).read_bytes() == ca_before
    assert key.read_bytes() == key_before


def test_without_a_ca_the_issue_fails_clearly_before_taking_a_number(
    person, beijing, nanjing, settings, tmp_path
):
    from django.core.exceptions import ImproperlyConfigured

    from documents.models import Document, DocumentCounter

    settings.DOCUMENT_SIGNING_DIR = tmp_path / "empty"
    with pytest.raises(ImproperlyConfigured, match="documents_keys"):
        _certificate_pdf(person, beijing, nanjing)
    assert not Document.objects.exists() and not DocumentCounter.objects.exists()
