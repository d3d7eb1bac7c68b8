"""Issuing documents: numbering, rendering, storing, hashing. The only writer of Document."""

import hashlib
import logging

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from agencies.models import Agency
from documents.contexts import issued_marks
from documents.kinds import TEMPLATES, DocumentKind
from documents.models import Document, DocumentCounter, new_verification_token
from documents.numbering import agency_prefix, format_number
from documents.rendering import render_to_pdf
from insured.models import InsuredPerson

logger = logging.getLogger(__name__)


def _existing(kind: str, case_reference: str, subject_key: str) -> Document | None:
    if case_reference:
        found = Document.objects.filter(kind=kind, case_reference=case_reference).first()
        if found is not None:
            return found
    if subject_key:
        return Document.objects.filter(kind=kind, subject_key=subject_key).first()
    return None


def _locked_counter(*, agency: Agency, kind: str, year: int) -> DocumentCounter:
    """The counter row, created if needed, locked until the surrounding transaction ends."""
    # INSERT … ON CONFLICT DO NOTHING: two first issues of the year never fail on the race.
    DocumentCounter.objects.bulk_create(
        [DocumentCounter(agency=agency, kind=kind, year=year)], ignore_conflicts=True
    )
    return DocumentCounter.objects.select_for_update().get(agency=agency, kind=kind, year=year)


def document_issue(
    *,
    kind: DocumentKind,
    holder: InsuredPerson,
    agency: Agency,
    context: dict,
    actor=None,
    case_reference: str = "",
    counterpart_agency: Agency | None = None,
    subject_key: str = "",
) -> Document:
    """Number, render and store a document of ``kind`` issued by ``agency`` for ``holder``.

    Idempotent per case: with ``case_reference`` (or ``subject_key``) set and a document of
    that kind already issued for it, returns that document and renders nothing. Otherwise the
    next gap-free number of (agency, kind, year) is taken under a row lock in the same
    transaction that writes the document, so a failure anywhere rolls the number back.
    """
    kind = DocumentKind(kind)
    existing = _existing(kind, case_reference, subject_key)
    if existing is not None:
        return existing

    issued_at = timezone.now()
    year = timezone.localdate(issued_at).year
    token = new_verification_token()
    prefix = agency_prefix(agency)
    stored_name = ""
    try:
        with transaction.atomic():
            counter = _locked_counter(agency=agency, kind=kind, year=year)
            # Under the lock: a concurrent call for the same case may have committed meanwhile.
            existing = _existing(kind, case_reference, subject_key)
            if existing is not None:
                return existing
            sequence = counter.last_sequence + 1
            number = format_number(prefix=prefix, kind=kind, year=year, sequence=sequence)
            document = Document(
                kind=kind,
                number=number,
                year=year,
                sequence=sequence,
                holder=holder,
                agency=agency,
                counterpart_agency=counterpart_agency,
                case_reference=case_reference,
                subject_key=subject_key,
                verification_token=token,
                issued_by=actor if getattr(actor, "pk", None) else None,
                issued_at=issued_at,
            )
            full_context = {
                **context,
                **issued_marks(
                    agency=agency, number=number, verify_url=document.verify_url, token=token
                ),
                "title": kind.label,
                "issued_at": issued_at,
                "issued_on": timezone.localdate(issued_at),
            }
            # The number is printed on every page, so rendering happens under the counter lock;
            # it serialises issues of one agency, kind and year (about 0.1 s each, see bench/).
            with translation.override("zh-hans"):
                _html, pdf = render_to_pdf(TEMPLATES[kind], full_context)
            document.sha256 = hashlib.sha256(pdf).hexdigest()
            document.size = len(pdf)
            document.pdf.save(f"{number}.pdf", ContentFile(pdf), save=False)
            stored_name = document.pdf.name
            document.save(force_insert=True)
            counter.last_sequence = sequence
            counter.save(update_fields=["last_sequence"])
    except IntegrityError:
        _discard(stored_name)
        # The unique (kind, case) constraint is the last guard against a double issue.
        existing = _existing(kind, case_reference, subject_key)
        if existing is not None:
            return existing
        raise
    except BaseException:
        _discard(stored_name)
        raise
    logger.info(
        "Issued %s %s (document %s, %d bytes)", kind.value, number, document.pk, document.size
    )
    return document


def _discard(name: str) -> None:
    """Remove the file of a document whose transaction failed (no row points to it)."""
    if name:
        from django.core.files.storage import default_storage

        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("Could not remove orphaned document file %s", name)
