"""The home page with the service guide (办事指南): it shows the transfer rules, so it sits on
top of the apps, in the wiring layer."""

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_safe

from transfers.calendar import service_target_working_days, stage_limit


def _guide_working_days() -> dict[str, int]:
    """The time limits the guide shows, from the same configurable table the deadlines use
    (defaults: pension 15/15/15 under 国办发〔2009〕66号, medical 10 + 5 under 医保办发〔2021〕43号,
    15 in all as the online service target)."""
    return {
        "pension_review": stage_limit("pension", "review"),
        "pension_transfer_out": stage_limit("pension", "transfer_out"),
        "pension_record": stage_limit("pension", "transfer_in"),
        "pension_online_target": service_target_working_days(),
        "medical_transfer_out": stage_limit("medical", "transfer_out"),
        "medical_record": stage_limit("medical", "transfer_in"),
    }


@require_safe
def home(request):
    """The service guide (办事指南)."""
    return render(
        request,
        "portal/home.html",
        {
            "limits": _guide_working_days(),
            "attachment_max_kb": settings.ATTACHMENT_MAX_BYTES // 1024,
        },
    )
