"""Counter service (窗口) in the back office: find a person by ID number (exact), see their
records, issue and print their 参保缴费凭证 or 参保证明 on their behalf, print any document of
the agency's cases, and print the day's letters in one PDF (批量打印). Every look at a person's
information is written to the access log (insured.access_log) with the reason.

Views are thin: the look-ups are insured's selectors, the issuing insured.certificates'
services, the printing the stored PDFs of ``documents``."""

import datetime
import io

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pypdf import PdfWriter

from agencies.selectors import clerk_of
from core.errors import DomainError
from documents.kinds import DocumentKind
from documents.models import Document
from insured import certificates, idnumbers
from insured.access_log import AccessKind, PersonAccess, log_access
from insured.models import Enrollment, InsuredPerson
from insured.selectors import person_records
from transfers.forms import WalkInForm
from transfers.models import TransferCase
from transfers.services import collection_start as start_collection
from transfers.services import temporary_accounts_elsewhere
from transfers.services import transfer_submit as submit

LETTERS = [DocumentKind.PENSION_CONTACT_LETTER, DocumentKind.MEDICAL_CONTACT_LETTER]
COUNTER = gettext_lazy("窗口服务")


class SearchForm(forms.Form):
    id_number = forms.CharField(
        label=gettext_lazy("公民身份号码"),
        max_length=18,
        min_length=18,
        help_text=gettext_lazy("18位，须完整准确（精确查询）。"),
        error_messages={
            "required": gettext_lazy("请输入18位公民身份号码。"),
            "min_length": gettext_lazy("公民身份号码应为18位。"),
        },
    )

    def clean_id_number(self):
        value = idnumbers.normalize(self.cleaned_data["id_number"])
        if not idnumbers.is_valid(value):
            raise forms.ValidationError(_("公民身份号码不正确，请核对后重新输入。"))
        return value


def _agency(request):
    clerk = clerk_of(request.user)
    return clerk.agency if clerk else None


def _agency_cases(agency):
    cases = TransferCase.objects.all()
    if agency is not None:
        cases = cases.filter(Q(transfer_in_agency=agency) | Q(transfer_out_agency=agency))
    return cases


def _context(site, request, **extra):
    return {**site.each_context(request), "agency": _agency(request), **extra}


def search(site, request):
    # POST: the ID number stays out of URLs, server logs and the browser's history; after a
    # search the field is emptied so that the page never shows the number whole.
    form = SearchForm(request.POST or None)
    found = None
    searched = False
    if request.method == "POST" and form.is_valid():
        searched = True
        found = InsuredPerson.objects.filter(id_number=form.cleaned_data["id_number"]).first()
        if found is not None:
            log_access(
                user=request.user,
                agency=_agency(request),
                person=found,
                kind=AccessKind.SEARCH,
                reason=str(COUNTER),
            )
        form = SearchForm()
    return TemplateResponse(
        request,
        "transfers/admin/counter_search.html",
        _context(
            site,
            request,
            form=form,
            found=found,
            searched=searched,
            title=_("窗口服务"),
            batch_url=reverse("admin:counter_batch_print"),
        ),
    )


def _reason(request, agency, person) -> str:
    """The case the look-up is for (a case of this agency and person), else 窗口服务."""
    serial = request.GET.get("case", "")
    if serial and _agency_cases(agency).filter(serial_no=serial, person=person).exists():
        return serial
    return str(COUNTER)


def person(site, request, person_id: int):
    person = get_object_or_404(InsuredPerson, pk=person_id)
    agency = _agency(request)
    log_access(
        user=request.user,
        agency=agency,
        person=person,
        kind=AccessKind.RECORDS,
        reason=_reason(request, agency, person),
    )
    records = person_records(person=person)
    cases = list(
        _agency_cases(agency)
        .filter(person=person)
        .select_related("transfer_out_agency", "transfer_in_agency")
    )
    documents = list(
        Document.objects.filter(holder=person)
        .filter(_document_scope(agency))
        .order_by("-issued_at")[:50]
    )
    return TemplateResponse(
        request,
        "transfers/admin/counter_person.html",
        _context(
            site,
            request,
            person=person,
            records=records,
            cases=cases,
            documents=documents,
            collectable=_collectable(person, agency),
            own_enrollments={
                r.enrollment.pk
                for r in records.enrollments
                if agency is None or r.enrollment.agency_id == agency.pk
            },
            title=_("窗口服务：%(name)s") % {"name": person.name},
        ),
    )


def issue(site, request, person_id: int):
    """POST: issue the person's certificate (an enrollment held by this agency) or proof."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    person = get_object_or_404(InsuredPerson, pk=person_id)
    agency = _agency(request)
    back = reverse("admin:counter_person", args=[person.pk])
    try:
        if request.POST.get("kind") == "certificate":
            enrollments = Enrollment.objects.filter(person=person)
            if agency is not None:
                enrollments = enrollments.filter(agency=agency)
            enrollment = enrollments.filter(pk=request.POST.get("enrollment") or 0).first()
            if enrollment is None:
                raise DomainError(_("只能出具本经办机构的参保记录的参保缴费凭证。"))
            document = certificates.certificate_for_enrollment(
                enrollment=enrollment, actor=request.user
            )
        else:
            document = certificates.proof_issue(
                person=person,
                actor=request.user,
                region_code=agency.region_id if agency else "",
            )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    log_access(
        user=request.user,
        agency=agency,
        person=person,
        kind=AccessKind.ISSUE,
        reference=document.number,
        reason=_("窗口代为出具（%(agency)s）") % {"agency": agency.name if agency else "—"},
    )
    messages.success(
        request,
        _("已代为出具%(kind)s，编号 %(number)s。")
        % {"kind": document.get_kind_display(), "number": document.number},
    )
    return redirect(back)


def _document_scope(agency) -> Q:
    """The documents a clerk may print: issued by or addressed to their agency, or of one of
    their agency's cases."""
    if agency is None:
        return Q()
    serials = _agency_cases(agency).values("serial_no")
    return Q(agency=agency) | Q(counterpart_agency=agency) | Q(case_reference__in=serials)


def print_document(site, request, document_id: int):
    agency = _agency(request)
    document = Document.objects.filter(_document_scope(agency), pk=document_id).first()
    if document is None:
        raise Http404(_("没有找到该文书。"))
    log_access(
        user=request.user,
        agency=agency,
        person=document.holder,
        kind=AccessKind.DOCUMENT,
        reference=document.number,
        reason=document.case_reference or str(COUNTER),
    )
    return FileResponse(
        document.pdf.open("rb"),
        content_type="application/pdf",
        filename=f"{document.number}.pdf",
    )


def batch_print(site, request):
    """批量打印: the contact letters of one day (today by default) issued by or addressed to
    the agency, merged into one PDF in the order they were issued."""
    agency = _agency(request)
    try:
        day = (
            datetime.date.fromisoformat(request.GET.get("date", ""))
            if request.GET.get("date")
            else timezone.localdate()
        )
    except ValueError:
        messages.error(request, _("日期格式应为 YYYY-MM-DD。"))
        return redirect(reverse("admin:counter_search"))
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
    letters = list(
        Document.objects.filter(
            _document_scope(agency),
            kind__in=LETTERS,
            issued_at__gte=start,
            issued_at__lt=start + datetime.timedelta(days=1),
        )
        .select_related("holder")
        .order_by("issued_at", "id")
    )
    if not letters:
        messages.info(request, _("%(day)s没有需要打印的联系函。") % {"day": day.isoformat()})
        return redirect(reverse("admin:counter_search"))
    writer = PdfWriter()
    for letter in letters:
        with letter.pdf.open("rb") as pdf:
            writer.append(io.BytesIO(pdf.read()))
    PersonAccess.objects.bulk_create(
        PersonAccess(
            user=request.user,
            agency=agency,
            person=letter.holder,
            kind=AccessKind.DOCUMENT,
            reference=letter.number,
            reason=letter.case_reference or _("批量打印"),
        )
        for letter in letters
    )
    out = io.BytesIO()
    writer.write(out)
    response = HttpResponse(out.getvalue(), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="letters-{day.isoformat()}.pdf"'
    return response


def apply(site, request, person_id: int):
    """窗口受理: a walk-in application entered for the person (transfer_submit's
    ``counter_agency`` path: the same checks, marked 窗口受理 on the case's first event)."""
    person = get_object_or_404(InsuredPerson, pk=person_id)
    agency = _agency(request)
    if agency is None:
        raise Http404(_("窗口受理须由经办机构工作人员办理。"))
    enrollments = list(person.enrollments.select_related("region__parent__parent"))
    form = WalkInForm(request.POST or None, enrollments=enrollments, agency=agency)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = submit(
                person=person,
                insurance=data["insurance"],
                category=data["category"],
                from_region=data["from_region"],
                to_region=data["to_region"],
                phone=data["phone"],
                hukou_address=data["hukou_address"],
                actor=request.user,
                counter_agency=agency,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.http_status
        else:
            messages.success(
                request,
                _("已窗口受理%(name)s的转入申请，流水号 %(serial_no)s。")
                % {"name": person.name, "serial_no": case.serial_no},
            )
            return redirect(reverse("admin:transfers_transfercase_change", args=[case.pk]))
    return TemplateResponse(
        request,
        "transfers/admin/counter_apply.html",
        _context(
            site,
            request,
            person=person,
            form=form,
            title=_("窗口受理转入申请：%(name)s") % {"name": person.name},
        ),
        status=status,
    )


def _collectable(person, agency) -> list[Enrollment]:
    """The temporary accounts this agency may offer to collect (归集); none for a superuser."""
    return [] if agency is None else temporary_accounts_elsewhere(person=person, agency=agency)


def collect(site, request, person_id: int, enrollment_id: int):
    """归集: GET shows the temporary account and what starting the collection does; POST starts
    it (``collection_start``: this agency must be the benefit place and the clerk its
    reviewer) and opens the new case; a refusal comes back on this page with its reason."""
    person = get_object_or_404(InsuredPerson, pk=person_id)
    agency = _agency(request)
    if agency is None:
        raise Http404(_("归集须由待遇领取地经办机构的工作人员发起。"))
    account = next((e for e in _collectable(person, agency) if e.pk == enrollment_id), None)
    if account is None:
        raise Http404(_("没有这个可归集的临时缴费账户。"))
    log_access(
        user=request.user,
        agency=agency,
        person=person,
        kind=AccessKind.RECORDS,
        reason=str(COUNTER),
    )
    error, status = "", 200
    if request.method == "POST":
        try:
            case = start_collection(person=person, from_enrollment=account, actor=request.user)
        except DomainError as exc:
            error, status = exc.message, exc.http_status
        else:
            messages.success(
                request,
                _("已发起归集%(name)s在%(agency)s的临时缴费账户，流水号 %(serial_no)s。")
                % {"name": person.name, "agency": account.agency.name, "serial_no": case.serial_no},
            )
            return redirect(reverse("admin:transfers_transfercase_change", args=[case.pk]))
    record = next(
        (r for r in person_records(person=person).enrollments if r.enrollment.pk == account.pk),
        None,
    )
    return TemplateResponse(
        request,
        "transfers/admin/counter_collect.html",
        _context(
            site,
            request,
            person=person,
            account=account,
            record=record,
            error=error,
            title=_("归集临时缴费账户：%(name)s") % {"name": person.name},
        ),
        status=status,
    )
