"""Verification a paper holder can use: the 验证码 typed on /verify/ (page and API) shows the
key figures to compare with the paper; documents not in force and voided numbers say so in
red; an uploaded PDF is checked by content, hash and signature, with a size cap."""

import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from documents import views
from documents.forms import VerifyCodeForm
from documents.kinds import DocumentKind
from documents.models import (
    Document,
    DocumentStatus,
    format_verification_code,
    normalize_verification_code,
)
from documents.services import document_issue, document_withdraw
from tests.documents.conftest import sample_context

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(owner_user, pension_enrollment):
    from insured.certificates import certificate_issue

    return certificate_issue(enrollment=pension_enrollment, actor=owner_user)


@pytest.fixture
def info_sheet(person, beijing, nanjing):
    kind = DocumentKind.PENSION_INFO_SHEET
    context = sample_context(kind, person=person, transfer_out=beijing, transfer_in=nanjing)
    return document_issue(
        kind=kind, holder=person, agency=beijing, context=context, counterpart_agency=nanjing
    )


def _pdf(document: Document) -> bytes:
    return document.pdf.open("rb").read()


def _typed(document: Document) -> str:
    """The code as a person might type it from the paper: lower case, spaces for dashes."""
    return document.printed_code.lower().replace("-", " ")


def test_every_document_gets_a_short_code_printed_on_it(certificate):
    assert len(certificate.verification_code) == 12
    assert certificate.printed_code.count("-") == 2
    assert normalize_verification_code(_typed(certificate)) == certificate.verification_code
    assert normalize_verification_code("o1l0-io") == "0110-10".replace("-", "")


def test_verify_without_a_token_offers_the_code_form(client):
    response = client.get("/verify/")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="code"' in page and 'name="pdf"' in page


def test_the_typed_code_shows_the_certificate_and_its_key_figures(client, certificate, person):
    response = client.get("/verify/", {"code": _typed(certificate)})
    page = response.content.decode()
    assert response.status_code == 200
    assert "本平台出具的有效文件" in page
    for expected in [
        certificate.number,
        "北京市朝阳区社会保险基金管理中心",
        "张*",
        "2008-07 — 2025-06",  # months of the enrollment
        "204",  # months paid
        "在本地参保起止时间",
        "本地参保期间个人账户储存额",
    ]:
        assert expected in page, expected
    assert person.id_number not in page


def test_the_info_sheet_shows_amounts_one_to_six(client, info_sheet):
    page = client.get("/verify/", {"code": info_sheet.printed_code}).content.decode()
    for mark, amount in [
        ("①", "¥1,409.50"),
        ("②", "¥6,007.14"),
        ("③", "¥8,992.38"),
        ("④", "¥16,409.02"),
        ("⑤", "¥100,000,000.00"),
        ("⑥", "¥100,016,409.02"),
    ]:
        assert mark in page and amount in page


def test_key_figures_follow_the_readers_language(client, info_sheet):
    page = client.get(
        "/verify/", {"code": info_sheet.printed_code}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "¥100,016,409.02" in page
    assert "Total funds transferred (④+⑤)" in page and "Key figures" in page
    assert "Pooled fund transferred (12% of total" in page


@pytest.mark.parametrize("typed", ["ZZZZ-ZZZZ-ZZZZ"])
def test_an_unknown_code_is_not_found(client, typed):
    response = client.get("/verify/", {"code": typed})
    assert response.status_code == 404
    assert "未找到该文件" in response.content.decode()


def test_a_code_with_a_control_character_is_refused_at_the_edge(client):
    response = client.get("/verify/", {"code": "abc\x00def"})
    assert response.status_code == 400
    assert "控制字符" in response.content.decode()


@pytest.mark.parametrize("typed", ["", "12", "<script>", "x" * 90])
def test_a_malformed_code_is_a_clear_400(client, typed):
    response = client.get("/verify/", {"code": typed})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()


def test_documents_issued_before_short_codes_are_found_by_their_printed_token(client, certificate):
    Document.objects.filter(pk=certificate.pk).update(verification_code=None)
    response = client.get("/verify/", {"code": certificate.verification_token})
    assert response.status_code == 200 and certificate.number in response.content.decode()


def test_the_api_looks_up_the_code_with_key_figures(api_client, info_sheet, person):
    response = api_client.get("/api/v1/verify/", {"code": _typed(info_sheet)})
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True and body["status"] == "issued"
    assert body["number"] == info_sheet.number and body["holder"] == "张*"
    figures = {f["mark"]: f["value"] for f in body["key_figures"] if f["mark"]}
    assert figures["⑥"] == "¥100,016,409.02"
    assert person.id_number not in response.content.decode()
    assert api_client.get("/api/v1/verify/", {"code": "ZZZZZZZZZZZZ"}).status_code == 404
    assert api_client.get("/api/v1/verify/", {"code": "bad"}).status_code == 400
    assert api_client.get("/api/v1/verify/").status_code == 400


def test_a_revoked_document_says_so_in_red_with_the_date(client, api_client, certificate):
    document_withdraw(document=certificate, status=DocumentStatus.REVOKED, reason="错误出具")
    date = timezone.localtime(certificate.status_changed_at).strftime("%Y-%m-%d")
    for page in (
        client.get("/verify/", {"code": certificate.printed_code}).content.decode(),
        client.get(certificate.verify_path).content.decode(),
    ):
        assert "已撤销" in page and date in page
        assert "本平台出具的有效文件" not in page and "success-card" not in page
    body = api_client.get("/api/v1/verify/", {"code": certificate.printed_code}).json()
    assert body["valid"] is False and body["status"] == "revoked" and date in body["status_note"]


def test_a_superseded_document_names_the_date_and_its_upload_is_not_valid(client, certificate):
    document_withdraw(document=certificate, status=DocumentStatus.SUPERSEDED)
    upload = SimpleUploadedFile("c.pdf", _pdf(certificate), content_type="application/pdf")
    page = client.post("/verify/check/", {"pdf": upload}).content.decode()
    assert "被新出具的文件替代" in page and "不再有效" in page
    assert "完全相同" not in page and "本平台出具的有效文件" not in page


@pytest.mark.usefixtures("in_2026")
def test_a_voided_number_is_shown_as_voided(client, person, beijing, nanjing, monkeypatch):
    import documents.services as services

    def broken(template, context):
        raise RuntimeError("font missing")

    monkeypatch.setattr(services, "render_to_pdf", broken)
    kind = DocumentKind.MEDICAL_CERTIFICATE
    context = sample_context(kind, person=person, transfer_out=beijing, transfer_in=nanjing)
    with pytest.raises(RuntimeError):
        document_issue(kind=kind, holder=person, agency=beijing, context=context)
    voided = Document.objects.get()
    assert voided.number == "京朝阳医2026第00001号"

    page = client.get("/verify/", {"code": voided.number}).content.decode()
    assert "作废" in page and "未出具任何文件" in page
    page = client.get("/verify/", {"code": voided.printed_code}).content.decode()
    assert "作废" in page and "张*" not in page and "success-card" not in page
    page = client.get("/verify/", {"code": "京朝阳医2026第00002号"}).content.decode()
    assert "本平台没有出具过该编号的文件" in page


def test_a_number_of_an_issued_document_shows_no_personal_data(client, certificate):
    page = client.get("/verify/", {"code": certificate.number}).content.decode()
    assert "已出具" in page and "张*" not in page and "¥" not in page


def test_uploading_the_issued_pdf_on_verify_shows_it_with_its_valid_signature(client, certificate):
    upload = SimpleUploadedFile("any-name.pdf", _pdf(certificate), content_type="text/plain")
    response = client.post("/verify/check/", {"pdf": upload})
    page = response.content.decode()
    assert response.status_code == 200
    assert "完全相同" in page and "本平台出具的有效文件" in page
    assert "数字签名有效" in page and "北京市朝阳区社会保险基金管理中心" in page
    assert certificate.number in page


@pytest.mark.parametrize("url", ["/verify/check/", "token"])
def test_a_tampered_upload_shows_only_the_red_result(client, certificate, url):
    pdf = _pdf(certificate)
    at = pdf.index(b"/MediaBox") + 12
    tampered = pdf[:at] + (b"1" if pdf[at : at + 1] != b"1" else b"2") + pdf[at + 1 :]
    upload = SimpleUploadedFile("c.pdf", tampered, content_type="application/pdf")
    target = certificate.verify_path if url == "token" else url
    page = client.post(target, {"pdf": upload}).content.decode()
    assert "核验未通过" in page
    assert "数字签名校验失败" in page or "与本平台出具的原件不同" in page
    assert "本平台出具的有效文件" not in page and "success-card" not in page
    assert "完全相同" not in page


def test_content_added_after_signing_is_named_as_such(client, certificate):
    upload = SimpleUploadedFile("c.pdf", _pdf(certificate) + b"\n% added\n")
    page = client.post(certificate.verify_path, {"pdf": upload}).content.decode()
    assert "签章后被修改" in page and "success-card" not in page


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\n<html><script>alert(1)</script></html>",  # HTML with a PDF prefix
        b"%PDF-1.4\nPK\x03\x04" + b"\x00" * 200,  # a zip behind a PDF header
        b"\x89PNG\r\n\x1a\n....",
        b"",
    ],
)
def test_uploads_are_pdfs_only_if_pypdf_parses_them(client, certificate, content):
    upload = SimpleUploadedFile("c.pdf", content, content_type="application/pdf")
    for target in ("/verify/check/", certificate.verify_path):
        response = client.post(target, {"pdf": upload})
        upload.seek(0)
        assert response.status_code == 400
        page = response.content.decode()
        assert "不是 PDF 文件" in page or "文件是空的" in page


def test_an_upload_over_the_cap_is_cut_off_while_streaming(client, certificate, monkeypatch):
    monkeypatch.setattr(views, "VERIFY_UPLOAD_MAX_BYTES", 20_000)
    upload = SimpleUploadedFile("big.pdf", b"%PDF-1.7\n" + b"0" * 60_000)
    response = client.post("/verify/check/", {"pdf": upload})
    assert response.status_code == 400
    assert "文件过大" in response.content.decode()


class _Unreadable(io.RawIOBase):
    def read(self, *args):
        raise AssertionError("the body was read")


def test_a_declared_200_mb_body_is_refused_without_reading_it():
    request = RequestFactory().post(
        "/verify/check/", data=b"", content_type="multipart/form-data; boundary=x"
    )
    request.META["CONTENT_LENGTH"] = str(200 * 1024 * 1024)
    request._stream = _Unreadable()
    request.user = AnonymousUser()
    response = views.verify_upload(request)
    assert response.status_code == 400
    assert "文件过大" in response.content.decode()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=100))
def test_any_typed_text_is_a_code_a_number_or_a_clear_error(text):
    form = VerifyCodeForm({"code": text})
    if form.is_valid():
        how, value = form.cleaned_data["code"]
        assert how in {"code", "token", "number"} and value
    else:
        assert form.errors["code"]


@given(st.text(alphabet="0123456789ABCDEFGHJKMNPQRSTVWXYZ", min_size=12, max_size=12))
def test_a_printed_code_typed_back_in_any_case_is_the_same_code(code):
    printed = format_verification_code(code)
    assert normalize_verification_code(printed.lower()) == code
    assert normalize_verification_code(printed.replace("-", " ")) == code


@pytest.mark.parametrize(
    "body",
    [b"garbage without a boundary", b"--x\r\nContent-Disposition: form-data\r\n\r\n", b""],
)
def test_a_malformed_upload_body_is_a_400_not_a_500(client, body):
    response = client.generic(
        "POST", "/verify/check/", body, content_type="multipart/form-data; boundary=x"
    )
    assert response.status_code == 400
