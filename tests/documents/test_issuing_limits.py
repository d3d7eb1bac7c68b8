"""Official numbers are finite (issue 10, item 6): a proof asked for again while the records are
unchanged is the same document; new documents are capped per person and day."""

import pytest

from documents.models import Document
from tests.factories import ContributionYearFactory, EnrollmentFactory, region

pytestmark = pytest.mark.django_db

PROOFS = "/api/v1/me/proofs/"
CERTS = "/api/v1/me/certificates/"


def test_asking_again_with_unchanged_records_reserves_the_same_proof(
    api_client, owner_user, pension_enrollment
):
    api_client.force_authenticate(owner_user)
    first = api_client.post(PROOFS, {}, format="json")
    assert first.status_code == 201
    for _ in range(3):
        again = api_client.post(PROOFS, {}, format="json")
        assert again.status_code == 200
        assert again.json() == first.json()
    assert Document.objects.count() == 1


def test_a_change_in_the_records_gives_a_new_proof_with_a_new_number(
    api_client, owner_user, pension_enrollment
):
    api_client.force_authenticate(owner_user)
    first = api_client.post(PROOFS, {}, format="json").json()
    year = pension_enrollment.years.get(year=2025)
    year.last_month = year.months_paid = 7
    year.save(update_fields=["last_month", "months_paid"])
    second = api_client.post(PROOFS, {}, format="json")
    assert second.status_code == 201
    assert second.json()["number"] != first["number"]
    assert Document.objects.count() == 2


def test_new_documents_are_capped_per_day_with_a_clear_429(
    api_client, owner_user, pension_enrollment, beijing, settings
):
    settings.DOCUMENTS_PER_PERSON_PER_DAY = 2
    api_client.force_authenticate(owner_user)
    assert api_client.post(PROOFS, {}, format="json").status_code == 201
    year = pension_enrollment.years.get(year=2025)
    year.last_month = year.months_paid = 7
    year.save(update_fields=["last_month", "months_paid"])
    latest = api_client.post(PROOFS, {}, format="json")
    assert latest.status_code == 201
    year.last_month = year.months_paid = 8
    year.save(update_fields=["last_month", "months_paid"])

    refused = api_client.post(PROOFS, {}, format="json")
    assert refused.status_code == 429
    assert refused.json()["code"] == "daily_document_limit"
    assert "每日上限" in refused.json()["detail"]
    # what was already issued is still served
    year.last_month = year.months_paid = 7
    year.save(update_fields=["last_month", "months_paid"])
    again = api_client.post(PROOFS, {}, format="json")
    assert again.status_code == 200 and again.json() == latest.json()
    # a certificate is a new document too
    medical = EnrollmentFactory(
        person=pension_enrollment.person,
        agency=beijing,
        region=region("110105"),
        insurance="medical",
    )
    ContributionYearFactory(enrollment=medical, year=2020)
    certificate = api_client.post(
        CERTS, {"insurance": "medical", "region": "110105"}, format="json"
    )
    assert certificate.status_code == 429
    assert Document.objects.count() == 2


def test_the_page_says_when_it_shows_the_proof_already_issued(
    client, owner_user, pension_enrollment
):
    client.force_login(owner_user)
    client.post("/me/documents/proof/")
    response = client.post("/me/documents/proof/", follow=True)
    assert "参保记录没有变化" in response.content.decode()
    assert Document.objects.count() == 1
