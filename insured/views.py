"""Pages of the insured person: registration and "my records". Thin: parse, authorize, call."""

from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from insured import display_mode
from insured.forms import RegistrationForm
from insured.models import DisplayMode
from insured.selectors import person_for_user, person_records
from insured.services import person_register_login, person_set_display_mode


@sensitive_post_parameters("password", "password_confirm")
def register(request):
    if request.user.is_authenticated and person_for_user(user=request.user):
        return redirect("my-records")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = person_register_login(
                id_number=data["id_number"],
                name=data["name"],
                phone=data["phone"],
                password=data["password"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("my-records")
    return render(request, "insured/register.html", {"form": form})


@login_required
def my_records(request):
    person = person_for_user(user=request.user)
    if person is None:
        # Staff and other logins without a registry person have no records to show.
        raise Http404
    return render(request, "insured/my_records.html", {"records": person_records(person=person)})


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
