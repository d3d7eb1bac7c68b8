import hashlib
import threading

import pytest
from django.db import connection, transaction

from documents.kinds import DocumentKind
from documents.models import Document, DocumentCounter, DocumentStatus
from documents.selectors import documents_for_case, voided_numbers
from documents.services import document_issue
from tests.documents.conftest import sample_context


def _issue(person, beijing, nanjing, kind=DocumentKind.PENSION_CERTIFICATE, **kwargs):
    context = sample_context(kind, person=person, transfer_out=beijing, transfer_in=nanjing)
    return document_issue(kind=kind, holder=person, agency=beijing, context=context, **kwargs)


@pytest.mark.django_db
def test_issue_stores_the_bytes_once_with_hash_token_and_issuer(person, beijing, nanjing):
    from tests.factories import UserFactory

    clerk = UserFactory()
    document = _issue(person, beijing, nanjing, actor=clerk)
    stored = document.pdf.open("rb").read()
    assert stored.startswith(b"%PDF-")
    assert hashlib.sha256(stored).hexdigest() == document.sha256
    assert document.size == len(stored)
    assert document.issued_by == clerk
    assert len(document.verification_token) >= 32
    assert document.number not in document.pdf.name  # a random path, not the number
    assert document.url == f"/api/v1/documents/{document.pk}/pdf/"
    assert document.verify_url.endswith(f"/verify/{document.verification_token}/")


@pytest.mark.django_db
def test_numbers_are_consecutive_per_agency_kind_and_year(person, beijing, nanjing):
    numbers = [_issue(person, beijing, nanjing).sequence for _ in range(3)]
    letter = _issue(person, beijing, nanjing, kind=DocumentKind.PENSION_CONTACT_LETTER)
    assert numbers == [1, 2, 3]
    assert letter.sequence == 1 and "联" in letter.number


@pytest.mark.django_db
def test_same_case_and_kind_returns_the_existing_document(person, beijing, nanjing):
    first = _issue(
        person, beijing, nanjing, kind=DocumentKind.PENSION_CONTACT_LETTER,
        case_reference="2026010500000001", counterpart_agency=nanjing,
    )  # fmt: skip
    again = _issue(
        person, beijing, nanjing, kind=DocumentKind.PENSION_CONTACT_LETTER,
        case_reference="2026010500000001", counterpart_agency=nanjing,
    )  # fmt: skip
    assert again.pk == first.pk
    assert Document.objects.count() == 1
    assert DocumentCounter.objects.get().last_sequence == 1
    assert list(documents_for_case("2026010500000001")) == [first]
    assert list(documents_for_case("")) == []


@pytest.mark.django_db
@pytest.mark.usefixtures("in_2026")
def test_a_failed_render_voids_its_number_and_the_next_document_takes_the_next(
    person, beijing, nanjing, monkeypatch
):
    import documents.services as services

    real = services.render_to_pdf
    calls = []

    def fails_once(template, context):
        calls.append(template)
        if len(calls) == 1:
            raise RuntimeError("renderer crashed")
        return real(template, context)

    monkeypatch.setattr(services, "render_to_pdf", fails_once)
    with pytest.raises(RuntimeError):
        _issue(person, beijing, nanjing, subject_key="enrollment:1")
    voided = Document.objects.get()
    assert voided.status == DocumentStatus.VOIDED
    assert voided.number == "京朝阳养2026第00001号" and not voided.pdf
    assert voided.status_reason == "RuntimeError: renderer crashed"
    assert voided.status_changed_at is not None

    # The retry for the same subject is not blocked by the voided number: it takes the next.
    issued = _issue(person, beijing, nanjing, subject_key="enrollment:1")
    assert issued.sequence == 2 and issued.status == DocumentStatus.ISSUED
    assert issued.number == "京朝阳养2026第00002号"
    assert DocumentCounter.objects.get().last_sequence == 2
    # Every number taken is accounted for: issued or voided.
    assert [d.number for d in voided_numbers(agency_id=beijing.pk, year=2026)] == [voided.number]
    assert sorted(Document.objects.values_list("sequence", flat=True)) == [1, 2]


@pytest.mark.django_db(transaction=True)
def test_rendering_runs_outside_the_number_lock(
    require_postgres, person, beijing, nanjing, monkeypatch
):
    """While the page renders, another connection sees the number taken (出具中) and can lock
    the counter row at once: issues of one agency and form no longer wait for each other's
    rendering."""
    import documents.services as services

    real = services.render_to_pdf
    seen = {}

    def other_connection():
        try:
            with transaction.atomic():
                counter = DocumentCounter.objects.select_for_update(nowait=True).get()
                seen["counter"] = counter.last_sequence
                seen["status"] = Document.objects.values_list("status", flat=True).get()
        except Exception as error:
            seen["error"] = error
        finally:
            connection.close()

    def spy(template, context):
        thread = threading.Thread(target=other_connection)
        thread.start()
        thread.join()
        return real(template, context)

    monkeypatch.setattr(services, "render_to_pdf", spy)
    document = _issue(person, beijing, nanjing)
    assert "error" not in seen, seen.get("error")
    assert seen == {"counter": 1, "status": DocumentStatus.ISSUING}
    document.refresh_from_db()
    assert document.status == DocumentStatus.ISSUED and document.pdf


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_issues_get_twenty_consecutive_numbers(
    require_postgres, person, beijing, nanjing
):
    errors, documents = [], []

    def work():
        try:
            documents.append(_issue(person, beijing, nanjing))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(d.sequence for d in documents) == list(range(1, 21))
    assert len({d.number for d in documents}) == 20
    assert DocumentCounter.objects.get().last_sequence == 20


@pytest.mark.django_db(transaction=True)
def test_parallel_retries_of_one_case_issue_one_document(
    require_postgres, person, beijing, nanjing
):
    results = []

    def work():
        try:
            results.append(
                _issue(
                    person, beijing, nanjing, kind=DocumentKind.PENSION_INFO_SHEET,
                    case_reference="2026010500000009",
                ).pk
            )  # fmt: skip
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1 and len(results) == 5
    assert Document.objects.count() == 1
