import pytest

from documents.kinds import DocumentKind
from documents.models import Document
from insured.models import EnrollmentStatus
from tests.factories import ContributionYearFactory, EnrollmentFactory

pytestmark = pytest.mark.django_db

CERTS = "/api/v1/me/certificates/"
PROOFS = "/api/v1/me/proofs/"


def test_person_issues_pension_certificate_and_enrollment_becomes_transferring_out(
    api_client, owner_user, pension_enrollment
):
    api_client.force_authenticate(owner_user)
    response = api_client.post(CERTS, {"insurance": "pension", "region": "110105"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"id", "kind", "number", "url", "verify_url"}
    assert body["kind"] == "pension_certificate"
    assert body["number"].startswith("京朝阳") and body["number"].endswith("第00001号")
    pension_enrollment.refresh_from_db()
    assert pension_enrollment.status == EnrollmentStatus.TRANSFERRING_OUT


def test_printing_again_reserves_the_same_certificate(api_client, owner_user, pension_enrollment):
    api_client.force_authenticate(owner_user)
    first = api_client.post(CERTS, {"insurance": "pension", "region": "110105"}, format="json")
    again = api_client.post(CERTS, {"insurance": "pension", "region": "110105"}, format="json")
    assert again.status_code == 200
    assert again.json() == first.json()
    assert Document.objects.count() == 1


def test_medical_certificate_leaves_the_enrollment_active(
    api_client, owner_user, medical_enrollment
):
    api_client.force_authenticate(owner_user)
    response = api_client.post(CERTS, {"insurance": "medical", "region": "110105"}, format="json")
    assert response.status_code == 201
    medical_enrollment.refresh_from_db()
    assert medical_enrollment.status == EnrollmentStatus.ACTIVE


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"insurance": "unemployment", "region": "110105"}, "insurance"),
        ({"insurance": "pension", "region": "999999"}, "region"),
        ({"insurance": "pension", "region": "abc"}, "region"),
        ({"insurance": "pension", "region": "320100"}, "region"),  # no enrollment there
    ],
)
def test_bad_certificate_requests_say_what_is_wrong_and_issue_nothing(
    api_client, owner_user, pension_enrollment, payload, field
):
    api_client.force_authenticate(owner_user)
    response = api_client.post(CERTS, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Document.objects.count() == 0


def test_enrollment_without_contributions_cannot_be_certified(
    api_client, owner_user, person, nanjing
):
    enrollment = EnrollmentFactory(
        person=person, agency=nanjing, insurance="pension", status=EnrollmentStatus.INTERRUPTED
    )
    api_client.force_authenticate(owner_user)
    response = api_client.post(CERTS, {"insurance": "pension", "region": "320100"}, format="json")
    assert response.status_code == 400
    assert "没有缴费记录" in response.json()["detail"]
    assert Document.objects.count() == 0
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.INTERRUPTED


def test_a_pension_enrollment_still_paid_is_not_marked_and_the_proof_is_offered(
    api_client, owner_user, person, nanjing
):
    enrollment = EnrollmentFactory(person=person, agency=nanjing, insurance="pension")
    ContributionYearFactory(enrollment=enrollment, year=2025)
    api_client.force_authenticate(owner_user)
    response = api_client.post(CERTS, {"insurance": "pension", "region": "320100"}, format="json")
    assert response.status_code == 400
    assert "仍在正常缴费" in response.json()["detail"]
    assert "参保证明" in response.json()["detail"]
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ACTIVE
    assert Document.objects.count() == 0


def test_staff_without_a_person_record_cannot_use_me_endpoints(api_client, colleague_staff):
    api_client.force_authenticate(colleague_staff)
    assert api_client.post(PROOFS, {}, format="json").status_code == 403


def test_person_issues_a_proof(api_client, owner_user, pension_enrollment):
    api_client.force_authenticate(owner_user)
    response = api_client.post(PROOFS, {}, format="json")
    assert response.status_code == 201
    assert response.json()["kind"] == DocumentKind.INSURANCE_PROOF
    assert "证2026" in response.json()["number"] or "证20" in response.json()["number"]


def test_proof_without_enrollment_is_refused(api_client, owner_user):
    api_client.force_authenticate(owner_user)
    response = api_client.post(PROOFS, {}, format="json")
    assert response.status_code == 400
    assert Document.objects.count() == 0


@pytest.fixture
def certificate(owner_user, pension_enrollment):
    from insured.certificates import certificate_issue

    return certificate_issue(enrollment=pension_enrollment, actor=owner_user)


def test_holder_gets_the_stored_pdf_inline_named_by_number(api_client, owner_user, certificate):
    api_client.force_authenticate(owner_user)
    response = api_client.get(certificate.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert "%E7%AC%AC00001%E5%8F%B7" in response["Content-Disposition"]  # 第00001号
    body = b"".join(response.streaming_content)
    import hashlib

    assert hashlib.sha256(body).hexdigest() == certificate.sha256


def test_serving_never_renders_again(api_client, owner_user, certificate, monkeypatch):
    import documents.rendering

    def fail(*args, **kwargs):
        raise AssertionError("re-rendered")

    monkeypatch.setattr(documents.rendering, "render_to_pdf", fail)
    api_client.force_authenticate(owner_user)
    assert api_client.get(certificate.url).status_code == 200


def test_staff_of_the_issuing_agency_gets_the_pdf(api_client, colleague_staff, certificate):
    api_client.force_authenticate(colleague_staff)
    assert api_client.get(certificate.url).status_code == 200


def test_staff_of_the_counterpart_agency_gets_the_pdf(api_client, counterpart_staff, certificate):
    Document.objects.filter(pk=certificate.pk).update(counterpart_agency=certificate.agency)
    api_client.force_authenticate(counterpart_staff)
    assert api_client.get(certificate.url).status_code == 404
    from agencies.models import Agency

    Document.objects.filter(pk=certificate.pk).update(
        counterpart_agency=Agency.objects.get(region_id="320100")
    )
    assert api_client.get(certificate.url).status_code == 200


def test_another_person_and_another_agency_get_404(
    api_client, other_person_user, outsider_staff, certificate
):
    for user in (other_person_user, outsider_staff):
        api_client.force_authenticate(user)
        assert api_client.get(certificate.url).status_code == 404
    api_client.force_authenticate(None)
    assert api_client.get(certificate.url).status_code in (401, 403)
    assert api_client.get("/api/v1/documents/999999/pdf/").status_code in (401, 403)


def test_verify_api_tells_what_was_issued_without_the_id_number(api_client, certificate, person):
    response = api_client.get(f"/api/v1/verify/{certificate.verification_token}/")
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True
    assert body["number"] == certificate.number
    assert body["kind"] == "pension_certificate"
    assert body["agency"] == "北京市朝阳区社会保险基金管理中心"
    assert body["holder"] == "张*"
    assert body["sha256"] == certificate.sha256
    assert body["issued_at"]
    assert person.id_number not in response.content.decode()


def test_verify_api_unknown_token_is_plainly_not_found(api_client):
    response = api_client.get("/api/v1/verify/no-such-token/")
    assert response.status_code == 404
    assert response.json()["valid"] is False
    assert "未找到" in response.json()["detail"]
