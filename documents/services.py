"""Issuing documents: numbering, rendering, signing, storing, hashing; voiding a number whose
render failed; marking a document superseded or revoked. The only writer of Document."""

import hashlib
import logging

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from agencies.models import Agency
from documents.contexts import issued_marks
from documents.figures import key_figures
from documents.kinds import TEMPLATES, DocumentKind
from documents.models import Document, DocumentCounter, DocumentStatus, new_verification_code
from documents.numbering import agency_prefix, format_number
from documents.rendering import render_to_pdf
from documents.signing import ensure_signer, sign_pdf

logger = logging.getLogger(__name__)


def _existing(kind: str, case_reference: str, subject_key: str) -> Document | None:
    """The live document of this kind for the case or subject (a voided number is not one)."""
    live = Document.objects.exclude(status=DocumentStatus.VOIDED).select_related("agency")
    if case_reference:
        found = live.filter(kind=kind, case_reference=case_reference).first()
        if found is not None:
            return found
    if subject_key:
        return live.filter(kind=kind, subject_key=subject_key).first()
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
    holder,  # the insured person (any model instance with ``pk``)
    agency: Agency,
    context: dict,
    actor=None,
    case_reference: str = "",
    counterpart_agency: Agency | None = None,
    subject_key: str = "",
) -> Document:
    """Number, render, sign and store a document of ``kind`` issued by ``agency`` for
    ``holder``: ``document_number`` then ``document_finish``. Call it outside any transaction
    of your own; a caller that must take the number under its own locks calls the two
    separately, the second after its transaction has committed.

    Idempotent per case: with ``case_reference`` (or ``subject_key``) set and a document of
    that kind already issued for it, returns that document and renders nothing."""
    document = document_number(
        kind=kind,
        holder=holder,
        agency=agency,
        context=context,
        actor=actor,
        case_reference=case_reference,
        counterpart_agency=counterpart_agency,
        subject_key=subject_key,
    )
    return document_finish(document, context=context)


def document_number(
    *,
    kind: DocumentKind,
    holder,
    agency: Agency,
    context: dict,
    actor=None,
    case_reference: str = "",
    counterpart_agency: Agency | None = None,
    subject_key: str = "",
) -> Document:
    """Take the next number of ``agency``, ``kind`` and the year and write the document row as
    出具中, in a short transaction of its own (a savepoint inside the caller's, which then
    holds the counter row until it commits: so commit before ``document_finish``). Returns the
    document already issued (or being issued) for the case or subject instead, if any."""
    kind = DocumentKind(kind)
    existing = _existing(kind, case_reference, subject_key)
    if existing is not None:
        return existing
    # No key, no number: a missing CA is a configuration error, not a voided number.
    ensure_signer(agency)
    return _take_number(
        kind=kind,
        holder=holder,
        agency=agency,
        context=context,
        actor=actor,
        case_reference=case_reference,
        counterpart_agency=counterpart_agency,
        subject_key=subject_key,
    )


def document_finish(document: Document, *, context: dict) -> Document:
    """Render, sign and store a numbered document (出具中), outside any lock: the number was
    taken and committed by ``document_number``. If rendering or signing fails, the number is
    recorded as voided (作废) with the reason and the error is raised again: every number
    taken is accounted for, and a retry takes the next one. A document already finished (by a
    concurrent call, or issued earlier) is returned as it is; one left 出具中 by a worker that
    died while rendering is finished under its number."""
    if document.status != DocumentStatus.ISSUING:
        return document
    ensure_signer(document.agency)
    return _render_and_store(document, context=context)


def _take_number(*, kind, holder, agency, context, actor, case_reference, counterpart_agency,
                 subject_key) -> Document:  # fmt: skip
    issued_at = timezone.now()
    year = timezone.localdate(issued_at).year
    prefix = agency_prefix(agency)
    try:
        with transaction.atomic():
            counter = _locked_counter(agency=agency, kind=kind, year=year)
            # Under the lock: a concurrent call for the same case may have committed meanwhile.
            existing = _existing(kind, case_reference, subject_key)
            if existing is not None:
                return existing
            sequence = counter.last_sequence + 1
            document = Document.objects.create(
                kind=kind,
                number=format_number(prefix=prefix, kind=kind, year=year, sequence=sequence),
                year=year,
                sequence=sequence,
                holder=holder,
                agency=agency,
                counterpart_agency=counterpart_agency,
                case_reference=case_reference,
                subject_key=subject_key,
                verification_code=new_verification_code(),
                status=DocumentStatus.ISSUING,
                key_figures=key_figures(kind, context),
                issued_by=actor if getattr(actor, "pk", None) else None,
                issued_at=issued_at,
            )
            counter.last_sequence = sequence
            counter.save(update_fields=["last_sequence"])
    except IntegrityError:
        # The unique (kind, case) constraint is the last guard against a double issue.
        existing = _existing(kind, case_reference, subject_key)
        if existing is not None:
            return existing
        raise
    return document


def _render(document: Document, context: dict) -> bytes:
    kind = DocumentKind(document.kind)
    full_context = {
        **context,
        **issued_marks(
            agency=document.agency,
            number=document.number,
            verify_url=document.verify_url,
            token=document.printed_code,
        ),
        "title": kind.label,
        "issued_at": document.issued_at,
        "issued_on": timezone.localdate(document.issued_at),
    }
    with translation.override("zh-hans"):
        _html, pdf = render_to_pdf(TEMPLATES[kind], full_context)
    return sign_pdf(pdf, agency=document.agency)


def _render_and_store(document: Document, *, context: dict) -> Document:
    try:
        pdf = _render(document, context)
    except Exception as error:
        document_void(document=document, reason=f"{type(error).__name__}: {error}")
        raise
    stored_name = ""
    try:
        with transaction.atomic():
            document.sha256 = hashlib.sha256(pdf).hexdigest()
            document.size = len(pdf)
            document.pdf.save(f"{document.number}.pdf", ContentFile(pdf), save=False)
            stored_name = document.pdf.name
            # Only an unfinished row: a concurrent finisher of the same number wins once.
            updated = Document.objects.filter(pk=document.pk, status=DocumentStatus.ISSUING).update(
                pdf=stored_name,
                sha256=document.sha256,
                size=document.size,
                status=DocumentStatus.ISSUED,
            )
    except BaseException:
        _discard(stored_name)
        raise
    if not updated:
        _discard(stored_name)
        return Document.objects.get(pk=document.pk)
    document.status = DocumentStatus.ISSUED
    logger.info(
        "Issued %s %s (document %s, %d bytes)",
        document.kind,
        document.number,
        document.pk,
        document.size,
    )
    return document


def document_void(*, document: Document, reason: str) -> Document:
    """Record a taken number whose document could not be produced as voided (作废)."""
    now = timezone.now()
    Document.objects.filter(pk=document.pk).update(
        status=DocumentStatus.VOIDED, status_changed_at=now, status_reason=reason[:500]
    )
    document.status, document.status_changed_at = DocumentStatus.VOIDED, now
    document.status_reason = reason[:500]
    logger.error("Voided document number %s: %s", document.number, reason)
    return document


def document_withdraw(
    *, document: Document, status: DocumentStatus, reason: str = "", replaced_by=None
) -> Document:
    """Mark an issued document superseded (a newer one replaces it) or revoked; the verify
    page then says so in red with the date. The stored PDF is kept."""
    if status not in (DocumentStatus.SUPERSEDED, DocumentStatus.REVOKED):
        raise ValueError(status)
    if replaced_by is not None and not reason:
        reason = replaced_by.number
    now = timezone.now()
    Document.objects.filter(pk=document.pk).update(
        status=status, status_changed_at=now, status_reason=reason[:500]
    )
    document.status, document.status_changed_at, document.status_reason = status, now, reason
    return document


def _discard(name: str) -> None:
    """Remove the file of a document whose transaction failed (no row points to it)."""
    if name:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("Could not remove orphaned document file %s", name)
