"""The person's own documents take their number under the enrollment's or the person's row lock
and render after that transaction has committed: while the page renders, another connection can
lock the counter row, the enrollment and the person at once (issues of one agency and form never
wait for each other's rendering). A render that fails leaves its number voided (作废) with the
reason, committed, and the enrollment unchanged; /verify/ shows the number as voided."""

import threading

import pytest
from django.db import connection, transaction

from documents.models import Document, DocumentCounter, DocumentStatus
from insured.models import Enrollment, EnrollmentStatus, InsuredPerson


def _spy_on_render(monkeypatch, *, enrollment_id=None, person_id=None):
    """Replace the renderer with one that, before rendering, tries from another connection to
    lock (NOWAIT) the counter row and the given enrollment and person rows."""
    import documents.services as services

    real = services.render_to_pdf
    seen: dict = {}

    def other_connection():
        try:
            with transaction.atomic():
                counter = DocumentCounter.objects.select_for_update(nowait=True).get()
                seen["counter"] = counter.last_sequence
                if enrollment_id is not None:
                    Enrollment.objects.select_for_update(nowait=True).get(pk=enrollment_id)
                    seen["enrollment"] = "free"
                if person_id is not None:
                    InsuredPerson.objects.select_for_update(nowait=True).get(pk=person_id)
                    seen["person"] = "free"
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
    return seen


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("in_2026")
def test_a_certificate_renders_after_its_number_and_the_enrollment_lock_are_released(
    require_postgres, owner_user, pension_enrollment, monkeypatch
):
    from insured.certificates import certificate_issue

    seen = _spy_on_render(monkeypatch, enrollment_id=pension_enrollment.pk)
    document = certificate_issue(enrollment=pension_enrollment, actor=owner_user)

    assert "error" not in seen, seen.get("error")
    # While rendering: number 1 taken and visible as 出具中, nothing locked.
    assert seen == {"counter": 1, "enrollment": "free", "status": DocumentStatus.ISSUING}
    document.refresh_from_db()
    assert document.status == DocumentStatus.ISSUED and document.pdf
    assert document.number == "京朝阳养2026第00001号"
    pension_enrollment.refresh_from_db()
    assert pension_enrollment.status == EnrollmentStatus.TRANSFERRING_OUT  # marked after it


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("in_2026")
def test_a_proof_renders_after_its_number_and_the_person_lock_are_released(
    require_postgres, owner_user, person, pension_enrollment, monkeypatch
):
    from insured.certificates import proof_issue_or_reserve

    seen = _spy_on_render(monkeypatch, person_id=person.pk)
    document, created = proof_issue_or_reserve(person=person, actor=owner_user)

    assert "error" not in seen, seen.get("error")
    assert seen == {"counter": 1, "person": "free", "status": DocumentStatus.ISSUING}
    assert created
    document.refresh_from_db()
    assert document.status == DocumentStatus.ISSUED and document.pdf


@pytest.mark.django_db
@pytest.mark.usefixtures("in_2026")
def test_a_certificate_whose_render_fails_is_voided_and_shown_so_on_verify(
    client, owner_user, pension_enrollment, monkeypatch
):
    import documents.services as services
    from insured.certificates import certificate_issue

    real = services.render_to_pdf
    calls = []

    def fails_once(template, context):
        calls.append(template)
        if len(calls) == 1:
            raise RuntimeError("font missing")
        return real(template, context)

    monkeypatch.setattr(services, "render_to_pdf", fails_once)
    with pytest.raises(RuntimeError):
        certificate_issue(enrollment=pension_enrollment, actor=owner_user)

    voided = Document.objects.get()
    assert voided.status == DocumentStatus.VOIDED
    assert voided.number == "京朝阳养2026第00001号" and not voided.pdf
    assert voided.status_reason == "RuntimeError: font missing"  # for the staff (admin)
    pension_enrollment.refresh_from_db()
    assert pension_enrollment.status == EnrollmentStatus.INTERRUPTED  # nothing issued, unchanged

    # The public verify page: 作废 and why in words, no holder, no technical detail.
    for code in (voided.number, voided.printed_code):
        page = client.get("/verify/", {"code": code}).content.decode()
        assert "作废" in page and "文件生成失败，未出具任何文件" in page
        assert "font missing" not in page and "张*" not in page and "success-card" not in page

    # Printing again takes the next number; every number is accounted for.
    again = certificate_issue(enrollment=pension_enrollment, actor=owner_user)
    assert again.number == "京朝阳养2026第00002号" and again.status == DocumentStatus.ISSUED
    assert DocumentCounter.objects.get().last_sequence == 2
    pension_enrollment.refresh_from_db()
    assert pension_enrollment.status == EnrollmentStatus.TRANSFERRING_OUT
