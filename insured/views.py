"""Pages of the insured person: registration and "my records". Thin: parse, authorize, call."""

from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters

from insured.access_log import accesses_seen_by_person
from insured.forms import RegistrationForm
from insured.selectors import person_for_user, person_records
from insured.services import person_register_login


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
    return render(
        request,
        "insured/my_records.html",
        {
            "records": person_records(person=person),
            "accesses": accesses_seen_by_person(person=person),
        },
    )
