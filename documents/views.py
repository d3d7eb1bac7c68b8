"""Pages of issued documents: public verification (by the QR code's token, by the 验证码
typed from paper, by an uploaded PDF), and the person's own documents (print the
certificate after a confirmation step, issue a proof, list and open what was issued)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from core.throttles import throttle_page
from documents import selectors, verification
from documents.forms import (
    VERIFY_UPLOAD_MAX_BYTES,
    CappedUploadHandler,
    VerifyCodeForm,
    VerifyUploadForm,
)


def _install_cap(request) -> CappedUploadHandler | None:
    """Put the size cap in front of the upload handlers, before anything reads the body (the
    CSRF check does). None when the declared length is already over it: the body is then
    never read."""
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not declared.isdigit() or int(declared) > VERIFY_UPLOAD_MAX_BYTES + 64 * 1024:
        return None
    cap = CappedUploadHandler(request, limit=VERIFY_UPLOAD_MAX_BYTES)
    request.upload_handlers.insert(0, cap)
    return cap


def _read_upload(request, cap: CappedUploadHandler | None, *, expected=None):
    """The upload form bound to the request and the check of a valid upload:
    ``(form, check, status)``."""
    if cap is None:
        form = VerifyUploadForm(data={}, files={}, too_large=True)
        form.is_valid()
        return form, None, 400
    form_data, files = request.POST, request.FILES  # parsed here, through the cap
    form = VerifyUploadForm(form_data, files, too_large=cap.exceeded)
    if not form.is_valid():
        return form, None, 400
    return form, verification.check_upload(form.cleaned_data["pdf"], expected=expected), 200


def _document_context(document) -> dict:
    return {
        "document": document,
        "figures": verification.figures_for_display(document),
        "status_note": verification.status_text(document),
    }


@csrf_exempt  # the upload handlers must be set before the CSRF check reads the body
@require_http_methods(["GET", "POST"])
@throttle_page("verify", methods=("GET", "POST"))
def verify(request, token: str):
    """Anyone: what was issued under this token (the QR code), and whether an uploaded PDF is
    that file, by its hash and its signature."""
    if request.method == "POST":
        cap = _install_cap(request)
        if cap is None:
            return _verify(request, token, cap)
        return csrf_protect(_verify)(request, token, cap)
    return _verify(request, token, None)


def _verify(request, token: str, cap: CappedUploadHandler | None):
    document = selectors.document_by_token(token)
    if document is None:
        return render(request, "documents/verify.html", {"not_found": True}, status=404)
    form, check, status = VerifyUploadForm(), None, 200
    if request.method == "POST":
        form, check, status = _read_upload(request, cap, expected=document)
    return render(
        request,
        "documents/verify.html",
        {**_document_context(document), "form": form, "check": check, "upload_action": ""},
        status=status,
    )


@require_http_methods(["GET"])
@throttle_page("verify", methods=("GET",))
def verify_code(request):
    """Anyone holding the paper: look a document up by the 验证码 printed on it (or a number,
    which only says whether it was issued or voided). A view of its own, so that it can be
    throttled apart from the rest."""
    context = {"code_form": VerifyCodeForm(), "form": VerifyUploadForm()}
    status = 200
    if "code" in request.GET:
        code_form = VerifyCodeForm(request.GET)
        context["code_form"] = code_form
        if not code_form.is_valid():
            status = 400
        else:
            how, value = code_form.cleaned_data["code"]
            if how == "number":
                context["numbered"] = [
                    {"document": d, "status_note": verification.status_text(d)}
                    for d in selectors.documents_by_number(value)
                ]
                context["number_looked_up"] = value
            else:
                document = (
                    selectors.document_by_code(value)
                    if how == "code"
                    else selectors.document_by_token(value)
                )
                if document is None:
                    context["not_found"] = True
                    status = 404
                else:
                    context |= _document_context(document)
                    context["upload_action"] = document.verify_path
    return render(request, "documents/verify_start.html", context, status=status)


@csrf_exempt  # the upload handlers must be set before the CSRF check reads the body
@require_http_methods(["POST"])
@throttle_page("verify", methods=("POST",))
def verify_upload(request):
    """Anyone: is this PDF a document issued here, unchanged since it was signed?"""
    cap = _install_cap(request)
    if cap is None:
        return _verify_upload(request, cap)
    return csrf_protect(_verify_upload)(request, cap)


def _verify_upload(request, cap: CappedUploadHandler | None):
    form, check, status = _read_upload(request, cap)
    context = {"code_form": VerifyCodeForm(), "form": form, "check": check}
    if check is not None and check.document is not None:
        context |= _document_context(check.document)
    return render(request, "documents/verify_start.html", context, status=status)


def _person_or_404(request):
    person = getattr(request.user, "insured_person", None)
    if person is None:
        raise Http404
    return person


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
