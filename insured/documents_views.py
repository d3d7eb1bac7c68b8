"""Pages of a person's own certificates and proofs: the confirmation step before printing a
certificate, and issuing a proof (the rules are insured's, ``insured.certificates``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from insured.certificates import certificate_issue, existing_certificate, proof_issue_or_reserve
from insured.selectors import person_for_user


def _person_or_404(request):
    person = person_for_user(user=request.user)
    if person is None:
        raise Http404
    return person


@login_required
@require_http_methods(["GET", "POST"])
def certificate_confirm(request, enrollment_id: int):
    """The confirmation step before printing a certificate (it interrupts a pension
    enrollment), then the issue itself."""
    person = _person_or_404(request)
    enrollment = get_object_or_404(
        person.enrollments.select_related("agency", "region"), pk=enrollment_id
    )
    existing = existing_certificate(enrollment)
    if request.method == "POST":
        try:
            document = certificate_issue(enrollment=enrollment, actor=request.user)
        except DomainError as error:
            # Shown once, in the page's error summary (not also as a flash message).
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
    person = _person_or_404(request)
    if request.method == "POST":
        try:
            document, created = proof_issue_or_reserve(person=person, actor=request.user)
        except DomainError as error:
            return render(
                request,
                "documents/proof_confirm.html",
                {"error": error.message},
                status=error.http_status,
            )
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
