import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from documents.models import Document
from insured.models import EnrollmentStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(owner_user, pension_enrollment):
    from insured.certificates import certificate_issue

    return certificate_issue(enrollment=pension_enrollment, actor=owner_user)


def test_verify_page_shows_the_document_without_the_id_number(client, certificate, person):
    response = client.get(certificate.verify_path)
    content = response.content.decode()
    assert response.status_code == 200
    assert certificate.number in content and "张*" in content and certificate.sha256 in content
    assert person.id_number not in content


def test_verify_page_unknown_token_says_not_found(client):
    response = client.get("/verify/not-a-token/")
    assert response.status_code == 404
    assert "未找到该文件" in response.content.decode()


def test_uploading_the_issued_pdf_matches(client, certificate):
    pdf = certificate.pdf.open("rb").read()
    upload = SimpleUploadedFile("c.pdf", pdf, content_type="application/pdf")
    response = client.post(certificate.verify_path, {"pdf": upload})
    assert response.status_code == 200
    assert "完全相同" in response.content.decode()


def test_uploading_a_changed_pdf_does_not_match(client, certificate):
    pdf = certificate.pdf.open("rb").read() + b"\n% changed"
    upload = SimpleUploadedFile("c.pdf", pdf, content_type="application/pdf")
    response = client.post(certificate.verify_path, {"pdf": upload})
    assert "不一致" in response.content.decode()


def test_uploading_something_that_is_not_a_pdf_is_refused_clearly(client, certificate):
    upload = SimpleUploadedFile("c.pdf", b"\x89PNG\r\n\x1a\n....", content_type="application/pdf")
    response = client.post(certificate.verify_path, {"pdf": upload})
    assert response.status_code == 400
    assert "不是 PDF 文件" in response.content.decode()
    response = client.post(certificate.verify_path, {})
    assert response.status_code == 400


def test_certificate_page_asks_for_confirmation_before_interrupting(
    client, owner_user, pension_enrollment
):
    client.force_login(owner_user)
    url = f"/me/documents/certificate/{pension_enrollment.pk}/"
    response = client.get(url)
    assert "中断(转外省)" in response.content.decode()
    pension_enrollment.refresh_from_db()
    assert pension_enrollment.status == EnrollmentStatus.INTERRUPTED
    assert Document.objects.count() == 0

    response = client.post(url)
    document = Document.objects.get()
    assert response.status_code == 302 and response.url == f"/me/documents/{document.pk}/"
    pension_enrollment.refresh_from_db()
    assert pension_enrollment.status == EnrollmentStatus.TRANSFERRING_OUT
    page = client.get(response.url).content.decode()
    assert document.number in page and document.url in page


def test_certificate_page_of_an_enrollment_still_paid_offers_the_proof_instead(
    client, owner_user, pension_enrollment
):
    pension_enrollment.status = EnrollmentStatus.ACTIVE
    pension_enrollment.save(update_fields=["status"])
    client.force_login(owner_user)
    url = f"/me/documents/certificate/{pension_enrollment.pk}/"
    page = client.get(url).content.decode()
    assert "仍在正常缴费" in page and "/me/documents/proof/" in page
    assert "确认生成凭证" not in page
    response = client.post(url)
    assert response.status_code == 400 and "仍在正常缴费" in response.content.decode()
    pension_enrollment.refresh_from_db()
    assert pension_enrollment.status == EnrollmentStatus.ACTIVE
    assert Document.objects.count() == 0


def test_someone_elses_enrollment_page_is_404(client, other_person_user, pension_enrollment):
    client.force_login(other_person_user)
    assert client.get(f"/me/documents/certificate/{pension_enrollment.pk}/").status_code == 404


def test_proof_button_issues_a_proof(client, owner_user, pension_enrollment):
    client.force_login(owner_user)
    response = client.post("/me/documents/proof/")
    assert response.status_code == 302
    assert Document.objects.get().kind == "insurance_proof"
    assert "个人参保证明" in client.get("/me/documents/").content.decode()


def test_record_actions_render_buttons(owner_user, pension_enrollment):
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get("/me/records/")
    request.user = owner_user
    html = render_to_string(
        "documents/_enrollment_actions.html", {"enrollment": pension_enrollment}, request
    )
    assert f"/me/documents/certificate/{pension_enrollment.pk}/" in html
    html = render_to_string("documents/_records_actions.html", {}, request)
    assert "/me/documents/proof/" in html


def test_a_voided_certificate_is_not_listed_and_printing_again_takes_the_next_number(
    client, api_client, owner_user, pension_enrollment, monkeypatch
):
    import documents.services as services
    from documents.models import DocumentStatus

    real = services.render_to_pdf
    calls = []

    def fails_once(template, context):
        calls.append(template)
        if len(calls) == 1:
            raise RuntimeError("renderer crashed")
        return real(template, context)

    from insured.certificates import (
        CERTIFICATE_KINDS,
        certificate_context,
        certificate_subject_key,
    )

    monkeypatch.setattr(services, "render_to_pdf", fails_once)
    with pytest.raises(RuntimeError):  # as an issue outside any caller's transaction fails
        services.document_issue(
            kind=CERTIFICATE_KINDS[pension_enrollment.insurance],
            holder=pension_enrollment.person,
            agency=pension_enrollment.agency,
            context=dict(certificate_context(pension_enrollment)),
            subject_key=certificate_subject_key(pension_enrollment),
        )
    client.force_login(owner_user)
    url = f"/me/documents/certificate/{pension_enrollment.pk}/"
    voided = Document.objects.get()
    assert voided.status == DocumentStatus.VOIDED
    assert voided.number not in client.get("/me/documents/").content.decode()
    assert client.get(f"/me/documents/{voided.pk}/").status_code == 404
    api_client.force_authenticate(owner_user)
    assert api_client.get(voided.url).status_code == 404

    response = client.post(url)
    issued = Document.objects.stored().get()
    assert response.status_code == 302 and issued.sequence == voided.sequence + 1
    assert issued.number in client.get("/me/documents/").content.decode()
