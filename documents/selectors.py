"""Reads of issued documents used in more than one place."""

from django.db.models import QuerySet

from documents.models import Document, DocumentStatus


def documents_for_case(case_reference: str) -> QuerySet[Document]:
    """The documents issued for a transfer case (by its 16-digit serial number), oldest first."""
    if not case_reference:
        return Document.objects.none()
    return (
        Document.objects.stored()
        .filter(case_reference=case_reference)
        .select_related("agency")
        .order_by("issued_at", "id")
    )


def documents_for_holder(person) -> QuerySet[Document]:
    return (
        Document.objects.stored()
        .filter(holder=person)
        .select_related("agency")
        .order_by("-issued_at")
    )


def document_for_user(user, document_id: int) -> Document | None:
    """The document if ``user`` may read it: its holder, or staff of a party agency."""
    if not user.is_authenticated:
        return None
    document = (
        Document.objects.stored().select_related("agency", "holder").filter(pk=document_id).first()
    )
    if document is None:
        return None
    person = getattr(user, "insured_person", None)
    if person is not None and document.holder_id == person.pk:
        return document
    membership = getattr(user, "staff_membership", None)
    if membership is not None and membership.agency_id in document.party_agency_ids():
        return document
    return None


def document_by_token(token: str) -> Document | None:
    return (
        Document.objects.select_related("agency", "holder").filter(verification_token=token).first()
    )


def document_by_code(code: str) -> Document | None:
    """By the short 验证码 (normalised), as typed by a paper holder."""
    return (
        Document.objects.select_related("agency", "holder").filter(verification_code=code).first()
    )


def documents_by_number(number: str) -> list[Document]:
    """Every document printed with ``number`` (before the series marks, a pension and a medical
    certificate of one agency could share one)."""
    return list(Document.objects.select_related("agency").filter(number=number).order_by("pk"))


def document_by_sha256(sha256: str) -> Document | None:
    """The stored document whose bytes hash to ``sha256`` (not a voided or unfinished one)."""
    return (
        Document.objects.stored().select_related("agency", "holder").filter(sha256=sha256).first()
    )


def voided_numbers(*, agency_id: int, year: int) -> QuerySet[Document]:
    """The numbers of an agency and year whose document could not be produced (作废)."""
    return Document.objects.filter(
        agency_id=agency_id, year=year, status=DocumentStatus.VOIDED
    ).order_by("kind", "sequence")
