"""The home page with the service guide (办事指南): it shows the transfer rules, so it sits on
top of the apps, in the wiring layer."""

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_safe

from transfers.calendar import time_limits


def _guide_working_days() -> dict:
    """The time limits the guide shows: the same table the deadlines use
    (``transfers.calendar.time_limits``), so that what is shown is what is enforced."""
    return {"pension": time_limits("pension"), "medical": time_limits("medical")}


@require_safe
def home(request):
    """The service guide (办事指南). The guide's rendering is cached per language and per
    ``guide_version``: everything it shows besides fixed text, so a changed limit shows at once."""
    limits = _guide_working_days()
    attachment_max_kb = settings.ATTACHMENT_MAX_BYTES // 1024
    return render(
        request,
        "portal/home.html",
        {
            "limits": limits,
            "attachment_max_kb": attachment_max_kb,
            "guide_version": repr((sorted(limits.items()), attachment_max_kb)),
        },
    )
