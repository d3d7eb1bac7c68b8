"""Pages of the insured person: registration, password reset and "my records". Thin: parse,
authorize, call."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from core.throttles import throttle_page
from insured import display_mode, retirement
from insured.access_log import accesses_seen_by_person
from insured.forms import CodePasswordForm, PasswordResetForm, RegistrationForm
from insured.models import DisplayMode
from insured.selectors import person_for_user, person_records
from insured.services import (
    REGISTRATION_SENT,
    RESET_SENT,
    password_reset_confirm,
    password_reset_start,
    person_set_display_mode,
    registration_confirm,
    registration_start,
)

# The ID number of step 1, carried to step 2 in the (server-side) session.
REGISTRATION_SESSION = "registration"
RESET_SESSION = "password_reset"


def _add_errors(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@require_http_methods(["GET", "POST"])
@throttle_page("register")
def register(request):
    """Step 1: ID number and name; the same answer whether or not they match."""
    if request.user.is_authenticated and person_for_user(user=request.user):
        return redirect("my-records")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            masked = registration_start(**form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            request.session[REGISTRATION_SESSION] = {
                "id_number": form.cleaned_data["id_number"],
                "phone_masked": masked,
            }
            return redirect("register-confirm")
    return render(request, "insured/register.html", {"form": form})


@sensitive_post_parameters("code", "password", "password_confirm")
@require_http_methods(["GET", "POST"])
@throttle_page("register")
def register_confirm(request):
    """Step 2: the SMS code and a password; creates the login and logs in."""
    started = request.session.get(REGISTRATION_SESSION)
    if not started:
        return redirect("register")
    form = CodePasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = registration_confirm(
                id_number=started["id_number"],
                code=form.cleaned_data["code"],
                password=form.cleaned_data["password"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            request.session.pop(REGISTRATION_SESSION, None)
            login(request, user, backend="core.backends.ModelBackend")
            messages.success(request, _("注册成功。"))
            return redirect("my-records")
    return render(
        request,
        "insured/register_confirm.html",
        {"form": form, "sent": REGISTRATION_SENT, "phone_masked": started.get("phone_masked")},
    )


@require_http_methods(["GET", "POST"])
@throttle_page("reset")
def password_reset(request):
    """Step 1 of a password reset: the ID number; the same answer whatever it is."""
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password_reset_start(id_number=form.cleaned_data["id_number"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            request.session[RESET_SESSION] = {"id_number": form.cleaned_data["id_number"]}
            return redirect("password-reset-confirm")
    return render(request, "insured/password_reset.html", {"form": form})


@sensitive_post_parameters("code", "password", "password_confirm")
@require_http_methods(["GET", "POST"])
@throttle_page("reset")
def password_reset_confirm_page(request):
    started = request.session.get(RESET_SESSION)
    if not started:
        return redirect("password-reset")
    form = CodePasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password_reset_confirm(
                id_number=started["id_number"],
                code=form.cleaned_data["code"],
                password=form.cleaned_data["password"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            request.session.pop(RESET_SESSION, None)
            messages.success(request, _("密码已重置，请用新密码登录。"))
            return redirect("login")
    return render(
        request, "insured/password_reset_confirm.html", {"form": form, "sent": RESET_SENT}
    )


@login_required
def my_records(request):
    person = person_for_user(user=request.user)
    if person is None:
        # Staff and other logins without a registry person have no records to show.
        raise Http404
    return render(
        request,
        "insured/my_records.html",
        {
            "records": person_records(person=person),
            "accesses": accesses_seen_by_person(person=person),
            "retirement_basis": retirement.BASIS,
            "retirement_unknown": retirement.UNKNOWN_CATEGORY,
        },
    )


@require_POST
def set_display_mode(request):
    """长辈版 switch in every page header: POST ``mode`` (elder or standard) and ``next``.
    Remembered in a cookie, and on the profile of a logged-in insured person."""
    mode = request.POST.get("mode", "")
    if mode not in DisplayMode.values:
        return HttpResponseBadRequest(_("不支持的显示模式。"))
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("home")
    if request.user.is_authenticated:
        person = person_for_user(user=request.user)
        if person is not None:
            person_set_display_mode(person=person, mode=mode)
    response = redirect(next_url)
    response.set_cookie(
        display_mode.COOKIE_NAME,
        mode,
        max_age=display_mode.COOKIE_MAX_AGE,
        samesite="Lax",
        secure=request.is_secure(),
        httponly=True,
    )
    return response
