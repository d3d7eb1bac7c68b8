"""A person's own documents: the transfer-out certificate (参保缴费凭证 / 参保(合)凭证) and the
proof of insurance (个人参保证明). Builds the ``documents.kinds`` contexts from the registry and
issues them through ``documents.services`` (``document_number`` under the person's or
enrollment's lock, ``document_finish`` after it commits).

Re-serving: a certificate is keyed to its enrollment (``subject_key="enrollment:<id>"``, unique
per kind), so printing it again — by the person, or by the transfer-in application that reads
it — returns the stored document instead of taking another number. A proof is keyed to the
fingerprint of what it certifies (``subject_key="proof:<sha256 of its context>"``): asked again
while the person's records at that agency are unchanged, the same proof is served; a new one is
numbered only when something it prints has changed.

Numbers are official and finite, so new documents a person asks for are also capped per day
(``DOCUMENTS_PER_PERSON_PER_DAY``); re-serving is never capped.
"""

import datetime
import hashlib
import json

from django.conf import settings
from django.db import transaction
from django.db.models import Q, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Insurance
from core.errors import DomainError, TooManyRequests
from documents.contexts import person_context
from documents.kinds import CertificateContext, DocumentKind, ProofContext, ProofInsuranceRow
from documents.models import Document, DocumentStatus
from documents.services import document_finish, document_number, document_withdraw
from insured import ledger
from insured.models import Enrollment, EnrollmentInsurance, EnrollmentStatus, InsuredPerson

CERTIFICATE_KINDS = {
    Insurance.PENSION: DocumentKind.PENSION_CERTIFICATE,
    Insurance.MEDICAL: DocumentKind.MEDICAL_CERTIFICATE,
    # A bridging case (城乡制度衔接) certifies the resident pension on the pension form.
    EnrollmentInsurance.RESIDENT_PENSION: DocumentKind.PENSION_CERTIFICATE,
}
INSURANCE_LABELS = {
    Insurance.PENSION: _("基本养老保险"),
    Insurance.MEDICAL: _("职工基本医疗保险"),
    EnrollmentInsurance.RESIDENT_PENSION: _("城乡居民基本养老保险"),
}
# A certificate certifies a relationship that is still held here.
CERTIFIABLE_STATUSES = {
    EnrollmentStatus.ACTIVE,
    EnrollmentStatus.INTERRUPTED,
    EnrollmentStatus.TRANSFERRING_OUT,
}


PERSON_ISSUED_KINDS = (*CERTIFICATE_KINDS.values(), DocumentKind.INSURANCE_PROOF)


def check_daily_document_limit(person: InsuredPerson) -> None:
    """Raise TooManyRequests when ``person`` already had the day's quota of new documents."""
    limit = settings.DOCUMENTS_PER_PERSON_PER_DAY
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    issued_today = Document.objects.filter(
        holder=person, kind__in=PERSON_ISSUED_KINDS, issued_at__gte=midnight
    ).count()
    if issued_today >= limit:
        raise TooManyRequests(
            _(
                "您今天已出具%(count)d份证明和凭证，已达每日上限，请明天再办理。"
                "参保记录没有变化时，可在“我的文书”中查看和打印已出具的文书。"
            )
            % {"count": issued_today},
            code="daily_document_limit",
        )


def _lock_person(person: InsuredPerson) -> None:
    # Serialises one person's concurrent requests, so that the daily count cannot be raced.
    InsuredPerson.objects.select_for_update().filter(pk=person.pk).exists()


def certificate_subject_key(enrollment: Enrollment, context: dict | None = None) -> str:
    """``enrollment:<id>``, plus a fingerprint of the certified figures when ``context`` is
    given: the same records give the same key (the stored certificate is served again), changed
    records a new one (the certificate is re-issued under a new number)."""
    key = f"enrollment:{enrollment.pk}"
    if context is None:
        return key
    figures = "|".join(
        str(context[name])
        for name in ("start_month", "end_month", "months_paid", "personal_account_balance")
    )
    if context.get("flexible_months"):
        # Only when there are some, so that the keys of every other certificate stay as they were.
        figures += f"|flexible:{context['flexible_months']}"
    return f"{key}:{hashlib.sha256(figures.encode()).hexdigest()[:16]}"


def existing_certificate(enrollment: Enrollment) -> Document | None:
    """The enrollment's current certificate (not superseded), if any."""
    key = certificate_subject_key(enrollment)
    return (
        Document.objects.stored()
        .filter(kind=CERTIFICATE_KINDS[enrollment.insurance])
        .filter(Q(subject_key=key) | Q(subject_key__startswith=f"{key}:"))
        .filter(superseded_by__isnull=True)
        .order_by("-issued_at", "-id")
        .first()
    )


def _paid_years(enrollment: Enrollment):
    if enrollment.is_resident:
        return list(enrollment.resident_payments.all())
    return sorted(
        (y for y in enrollment.years.all() if y.months_paid > 0),
        key=lambda y: (y.year, y.first_month),
    )


def certificate_context(enrollment: Enrollment) -> CertificateContext:
    """The certificate's fields. Pension prints 本地实际缴费月数 (months paid here); medical
    prints 其中累计实际缴费月数 (months here plus months transferred in). The balance is the
    account's whole storage, transferred-in sums included, as the account holds them."""
    years = _paid_years(enrollment)
    local_months = sum(y.months if enrollment.is_resident else y.months_paid for y in years)
    end_month = enrollment.end_month
    if end_month is None and years:
        end_month = datetime.date(years[-1].year, years[-1].last_month, 1)
    context = CertificateContext(
        person=person_context(enrollment.person),
        insurance_label=str(INSURANCE_LABELS[enrollment.insurance]),
        account_kind_label=str(enrollment.get_account_kind_display()),
        region_name=enrollment.region.full_name(),
        start_month=enrollment.start_month,
        end_month=end_month,
        months_paid=(
            local_months
            if enrollment.insurance in (Insurance.PENSION, EnrollmentInsurance.RESIDENT_PENSION)
            else enrollment.months()
        ),
        personal_account_balance=enrollment.personal_account_balance(),
    )
    context["personal_number"] = enrollment.person.id_number
    if enrollment.insurance == Insurance.PENSION:
        # 个人身份参保: only employee pension periods have a contributor type.
        flexible = sum(y.months_paid for y in years if y.is_flexible)
        if flexible:
            context["flexible_months"] = flexible
    return context


STILL_PAYING = _(
    "您在该地的基本养老保险仍在正常缴费，不能由本人标记为“中断(转外省)”。"
    "请先由用人单位办理停保（或到参保地社保经办机构柜台办理）后再生成参保缴费凭证；"
    "如需证明参保情况，可打印《个人参保证明》。"
)


def certificate_issue(
    *,
    enrollment: Enrollment,
    actor=None,
    by_person: bool = True,
    reference: str = "",
    counterpart_agency: Agency | None = None,
    mark_transferring_out: bool = True,
) -> Document:
    """Before: the enrollment is held here (active, interrupted or transferring out), its
    holder draws no pension, and it has contributions; when the person asks (``by_person``), a
    pension enrollment must have stopped contributions (not active). After: its certificate
    exists — the one issued earlier if any — and a pension enrollment whose contributions have
    stopped is 中断(转外省) (Beijing's manual), its former status kept for a restore. Raises
    DomainError otherwise, issuing nothing and changing no status.

    The number is taken under the enrollment's row lock and committed; the page is rendered
    after that, outside every lock (a failed render leaves the number voided, 作废, and the
    enrollment unchanged); then the status changes under the lock again."""
    with transaction.atomic():
        enrollment, document, context, stale = _certificate_number(
            enrollment=enrollment,
            actor=actor,
            by_person=by_person,
            counterpart_agency=counterpart_agency,
        )
        if context is None:
            if enrollment.status not in CERTIFIABLE_STATUSES:
                return document  # moved on or closed: the last certificate stays as issued
            return _certificate_settle(
                enrollment,
                document,
                actor,
                reference,
                counterpart_agency,
                stale=None,
                mark_transferring_out=mark_transferring_out,
            )
    document = document_finish(document, context=context)
    with transaction.atomic():
        enrollment = _locked_enrollment(enrollment)
        return _certificate_settle(
            enrollment,
            document,
            actor,
            reference,
            counterpart_agency,
            stale=stale,
            mark_transferring_out=mark_transferring_out,
        )


def _locked_enrollment(enrollment: Enrollment) -> Enrollment:
    # The row lock serialises two clicks on "print": one number, one status change.
    return (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("person", "agency__region", "region__parent__parent")
        .get(pk=enrollment.pk)
    )


def _certificate_number(*, enrollment, actor, by_person, counterpart_agency):
    """Under the enrollment's lock: the checks, then the current certificate (context None) or
    a new number for it (出具中) with its context and the certificate it supersedes, if any."""
    enrollment = _locked_enrollment(enrollment)
    if (
        by_person
        and enrollment.insurance == Insurance.PENSION
        and enrollment.status == EnrollmentStatus.ACTIVE
    ):
        raise DomainError(STILL_PAYING, code="still_paying")
    document = existing_certificate(enrollment)
    if enrollment.status not in CERTIFIABLE_STATUSES and document is not None:
        return enrollment, document, None, None
    if enrollment.drawing_benefits:
        raise DomainError(
            _("已领取养老保险待遇的人员不办理转移接续，不能出具参保凭证。"),
            code="drawing_benefits",
        )
    if enrollment.status not in CERTIFIABLE_STATUSES:
        raise DomainError(
            _("该参保记录状态为“%(status)s”，不能出具参保凭证。")
            % {"status": enrollment.get_status_display()},
            code="not_certifiable",
        )
    # On the locked row itself: re-reading it with its joins cost a second plan of six tables.
    prefetch_related_objects(
        [enrollment], "years", "transferred_in", "resident_payments", "overlap_refunds"
    )
    if not _paid_years(enrollment):
        raise DomainError(_("该参保记录没有缴费记录，不能出具参保凭证。"), code="no_contributions")
    context = dict(certificate_context(enrollment))
    key = certificate_subject_key(enrollment, context)
    # A certificate from before fingerprints (bare key) is taken as current.
    stale = document is not None and document.subject_key not in (
        key,
        certificate_subject_key(enrollment),
    )
    if document is not None and not stale:
        return enrollment, document, None, None
    if by_person:
        _lock_person(enrollment.person)
        check_daily_document_limit(enrollment.person)
    numbered = document_number(
        kind=CERTIFICATE_KINDS[enrollment.insurance],
        holder=enrollment.person,
        agency=enrollment.agency,
        context=context,
        actor=actor,
        subject_key=key,
        counterpart_agency=counterpart_agency,
    )
    return enrollment, numbered, context, document if stale else None


def _certificate_settle(
    enrollment, document, actor, reference, counterpart_agency, *, stale, mark_transferring_out
):
    """Under the enrollment's lock, once the certificate is stored: the one it replaces is
    superseded, both agencies of a case can read it, and the enrollment is marked."""
    if stale is not None:
        # The records changed since issue: the old number is superseded, not reused, and its
        # verify page says so in red.
        Document.objects.filter(pk=stale.pk).update(superseded_by=document)
        document_withdraw(document=stale, status=DocumentStatus.SUPERSEDED, replaced_by=document)
    if counterpart_agency is not None and document.counterpart_agency_id != counterpart_agency.pk:
        # The certificate of a case is read by both agencies of the case.
        Document.objects.filter(pk=document.pk).update(counterpart_agency=counterpart_agency)
        document.counterpart_agency = counterpart_agency
    if mark_transferring_out:
        ledger.enrollment_mark_transferring_out(
            enrollment=enrollment, actor=actor, reference=reference
        )
    return document


def certificate_for_enrollment(
    *,
    enrollment: Enrollment,
    actor=None,
    reference: str = "",
    counterpart_agency: Agency | None = None,
    mark_transferring_out: bool = True,
) -> Document:
    """The enrollment's certificate, issued now if it has none yet. For the transfer-in
    application, which reads the transfer-out records as this certificate: an enrollment
    still being paid is certified but not marked (only the counter stops contributions).
    ``mark_transferring_out=False``: a bridging case (城乡制度衔接) stays in the province, so
    the enrollment is not marked 中断(转外省)."""
    return certificate_issue(
        enrollment=enrollment,
        actor=actor,
        by_person=False,
        reference=reference,
        counterpart_agency=counterpart_agency,
        mark_transferring_out=mark_transferring_out,
    )


def proof_agency(person: InsuredPerson, region_code: str = "") -> Agency | None:
    """The agency that certifies: the one of ``region_code`` (its pooling region or the
    enrollment's region) if given, else that of the person's most recent active enrollment,
    else of their most recent enrollment."""
    enrollments = person.enrollments.select_related("agency__region").order_by(
        "-start_month", "-id"
    )
    if region_code:
        match = [e for e in enrollments if region_code in (e.agency.region_id, e.region_id)]
        return match[0].agency if match else None
    active = [e for e in enrollments if e.status == EnrollmentStatus.ACTIVE]
    chosen = active[0] if active else next(iter(enrollments), None)
    return chosen.agency if chosen else None


def proof_context(person: InsuredPerson, agency: Agency) -> ProofContext:
    """The person's enrollments held by ``agency``: status, period, months, months by year."""
    enrollments = (
        person.enrollments.filter(agency=agency)
        .select_related("agency")
        .prefetch_related("years", "transferred_in")
        .order_by("insurance", "start_month")
    )
    rows = []
    for enrollment in enrollments:
        by_year: dict[int, int] = {}
        flexible: dict[int, int] = {}
        for period in enrollment.years.all():  # several periods in a year: one line per year
            by_year[period.year] = by_year.get(period.year, 0) + period.months_paid
            if period.is_flexible and period.months_paid:
                flexible[period.year] = flexible.get(period.year, 0) + period.months_paid
        row = ProofInsuranceRow(
            insurance_label=str(INSURANCE_LABELS[enrollment.insurance]),
            status_label=str(enrollment.get_status_display()),
            agency_name=enrollment.agency.name,
            start_month=enrollment.start_month,
            end_month=enrollment.end_month,
            months=enrollment.months(),
            years=sorted(by_year.items()),
        )
        if flexible:
            row["flexible_years"] = sorted(flexible.items())
        rows.append(row)
    return ProofContext(person=person_context(person), insurances=rows)


def _canonical(value):
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


def proof_subject_key(*, person: InsuredPerson, agency: Agency, context: dict) -> str:
    """``proof:`` and the sha256 of the person, the agency and everything the proof prints
    (canonical JSON): equal while the records are unchanged, different once one changes."""
    payload = json.dumps(
        {"person": person.pk, "agency": agency.pk, "context": _canonical(context)},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return "proof:" + hashlib.sha256(payload.encode()).hexdigest()[:56]


def proof_issue_or_reserve(
    *, person: InsuredPerson, actor=None, region_code: str = ""
) -> tuple[Document, bool]:
    """Before: the person has an enrollment (at ``region_code`` if given). After: the proof of
    insurance of that enrollment's agency for the records as they are now, and whether it was
    issued just now (True) or re-served (False). Raises TooManyRequests over the daily cap."""
    agency = proof_agency(person, region_code)
    if agency is None:
        raise DomainError(
            _("没有找到您在该地区的参保记录，不能出具参保证明。")
            if region_code
            else _("没有找到您的参保记录，不能出具参保证明。"),
            code="no_enrollment",
        )
    context = dict(proof_context(person, agency))
    subject_key = proof_subject_key(person=person, agency=agency, context=context)
    kind = DocumentKind.INSURANCE_PROOF
    existing = Document.objects.filter(kind=kind, subject_key=subject_key).first()
    if existing is not None:
        return existing, False
    with transaction.atomic():
        _lock_person(person)
        existing = Document.objects.filter(kind=kind, subject_key=subject_key).first()
        if existing is not None:
            return existing, False
        check_daily_document_limit(person)
        # The number under the person's lock (the daily count cannot be raced) …
        document = document_number(
            kind=kind,
            holder=person,
            agency=agency,
            context=context,
            actor=actor,
            subject_key=subject_key,
        )
    # … the page after the commit, outside every lock.
    return document_finish(document, context=context), True


def proof_issue(*, person: InsuredPerson, actor=None, region_code: str = "") -> Document:
    """The proof of ``proof_issue_or_reserve``, issued or re-served."""
    return proof_issue_or_reserve(person=person, actor=actor, region_code=region_code)[0]


def enrollment_for_certificate(
    person: InsuredPerson, *, insurance: str, region_code: str
) -> Enrollment | None:
    """The person's enrollment of ``insurance`` at ``region_code`` (the enrollment's region or
    its agency's pooling region); one still held there is preferred over an ended one."""

    candidates = list(
        person.enrollments.filter(insurance=insurance)
        .filter(Q(region_id=region_code) | Q(agency__region_id=region_code))
        .order_by("-start_month", "-id")
    )
    held = [e for e in candidates if e.status in CERTIFIABLE_STATUSES]
    return (held or candidates or [None])[0]
