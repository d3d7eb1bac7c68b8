"""Pages of issued documents: public verification, and the person's own documents (print the
certificate after a confirmation step, issue a proof, list and open what was issued)."""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from documents import selectors
from documents.forms import VerifyUploadForm


@require_http_methods(["GET", "POST"])
def verify(request, token: str):
    """Anyone: what was issued under this token, and whether an uploaded PDF is that file."""
    document = selectors.document_by_token(token)
    if document is None:
        return render(request, "documents/verify.html", {"document": None}, status=404)
    form = VerifyUploadForm()
    result = None
    status = 200
    if request.method == "POST":
        form = VerifyUploadForm(request.POST, request.FILES)
        if form.is_valid():
            digest = hashlib.sha256()
            for chunk in form.cleaned_data["pdf"].chunks():
                digest.update(chunk)
            result = {"sha256": digest.hexdigest()}
            result["matches"] = result["sha256"] == document.sha256
        else:
            status = 400
    return render(
        request,
        "documents/verify.html",
        {"document": document, "form": form, "result": result},
        status=status,
    )


def _person_or_404(request):
    person = getattr(request.user, "insured_person", None)
    if person is None:
        raise Http404
    return person


@login_required
@require_http_methods(["GET", "POST"])
def certificate_confirm(request, enrollment_id: int):
    """The confirmation step before printing a certificate (it interrupts a pension
    enrollment), then the issue itself."""
    from insured.certificates import certificate_issue, existing_certificate

    person = _person_or_404(request)
    enrollment = get_object_or_404(
        person.enrollments.select_related("agency", "region"), pk=enrollment_id
    )
    existing = existing_certificate(enrollment)
    if request.method == "POST":
        try:
            document = certificate_issue(enrollment=enrollment, actor=request.user)
        except DomainError as error:
            messages.error(request, str(error.message))
            return render(
                request,
                "documents/certificate_confirm.html",
                {"enrollment": enrollment, "existing": existing, "error": error.message},
                status=400,
            )
        if existing is None:
            messages.success(request, _("参保凭证已生成：%(number)s") % {"number": document.number})
        return redirect("my-document", pk=document.pk)
    return render(
        request,
        "documents/certificate_confirm.html",
        {"enrollment": enrollment, "existing": existing},
    )


@login_required
@require_http_methods(["GET", "POST"])
def proof_issue(request):
    from insured.certificates import proof_issue_or_reserve

    person = _person_or_404(request)
    if request.method == "POST":
        try:
            document, created = proof_issue_or_reserve(person=person, actor=request.user)
        except DomainError as error:
            messages.error(request, str(error.message))
            return render(request, "documents/proof_confirm.html", {}, status=error.http_status)
        if created:
            messages.success(request, _("参保证明已出具：%(number)s") % {"number": document.number})
        else:
            messages.info(
                request,
                _("您的参保记录没有变化，这是已出具的参保证明：%(number)s")
                % {"number": document.number},
            )
        return redirect("my-document", pk=document.pk)
    return render(request, "documents/proof_confirm.html", {})


@login_required
def my_documents(request):
    person = _person_or_404(request)
    return render(
        request,
        "documents/my_documents.html",
        {"documents": selectors.documents_for_holder(person)},
    )


@login_required
def my_document(request, pk: int):
    person = _person_or_404(request)
    document = get_object_or_404(
        selectors.documents_for_holder(person).select_related("agency"), pk=pk
    )
    return render(request, "documents/document_detail.html", {"document": document})
