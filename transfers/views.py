"""The insured person's pages: apply (转入申请), my applications, one case's progress, withdraw.

Views parse, authorize (a logged-in person of the registry, and only their own cases) and call
one service or selector. Refusals come back from the services as DomainError and are shown as
the service's message; another person's case is a 404, never a hint that it exists."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import DomainError
from transfers import exports
from transfers.calendar import time_limits
from transfers.forms import ApplyForm, CaseFilterForm, category_label
from transfers.selectors import (
    allowed_moves,
    case_detail,
    case_for_person,
    case_with_detail_for_person,
    cases_for_person,
    medical_waiting_tip,
    service_target,
    sibling_cases,
)
from transfers.services import application_submit, transfer_withdraw
from transfers.workflow import STOPPED_STATUSES, CaseStatus, is_overdue, may, person_log

PAGE_SIZE = 20
EXPORT_MAX_ROWS = 5000

ENDED_WITH_REASON = {CaseStatus.REJECTED, CaseStatus.RETURNED}


def person_required(view):
    """Logged in, and a person of the registry: clerks and accounts without a registry person
    are sent elsewhere with a message (they have no applications to see)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            person = request.user.insured_person
        except ObjectDoesNotExist:
            person = None
        if person is None:
            if request.user.is_staff:
                messages.error(request, _("经办人员账号不能办理个人转移申请，请使用经办后台。"))
                return redirect("admin:index")
            messages.error(
                request,
                _("您的账号没有关联参保人信息，不能办理转移申请。请咨询12333或参保地经办机构。"),
            )
            return redirect("home")
        return view(request, person, *args, **kwargs)

    return wrapper


def _today():
    return timezone.localdate()


def _mark_overdue(cases, today) -> None:
    # current_due_date is the due date of the step now running (kept by the services).
    for case in cases:
        case.overdue = is_overdue(case, today)
        case.category_label = category_label(case.insurance, case.category)


@require_http_methods(["GET", "POST"])
@person_required
def apply(request, person):
    """转入申请. A service refusal shows on the form with 400 and creates nothing."""
    initial = {"phone": person.phone, "hukou_address": person.hukou_address}
    if request.GET.get("insurance"):
        initial["insurance"] = request.GET["insurance"]
    status = 200
    refreshed = False
    if request.method == "POST" and "refresh" in request.POST:
        # No-JS region picking: show the next level for what was chosen, without validating.
        form = ApplyForm(initial={**initial, **request.POST.dict()})
        refreshed = True
    elif request.method == "POST":
        form = ApplyForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                application = application_submit(
                    person=person, actor=request.user, **form.submission()
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect("transfer-submitted", serial_no=application.number)
        status = 400
    else:
        form = ApplyForm(initial=initial)
    return render(
        request,
        "transfers/apply.html",
        {"form": form, "person": person, "refreshed": refreshed},
        status=status,
    )


@require_GET
@person_required
def submitted(request, person, serial_no):
    """业务操作成功: the serial number and what happens next."""
    case = case_for_person(person=person, serial_no=serial_no)
    return render(
        request,
        "transfers/submitted.html",
        {
            "case": case,
            "category_label": category_label(case.insurance, case.category),
            "target": service_target(case),
            "target_days": time_limits(case.insurance).service_target,
            "waiting_tip": medical_waiting_tip(case),
            "siblings": sibling_cases(case),
        },
    )


@require_GET
@person_required
def case_list(request, person):
    """我的申请: filters, 20 per page, overdue marks."""
    filter_form = CaseFilterForm(request.GET)
    filters = filter_form.filters()
    cases = cases_for_person(person=person, **filters)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    _mark_overdue(page.object_list, _today())
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "transfers/list.html",
        {
            "filter_form": filter_form,
            "page": page,
            "filters_query": query.urlencode(),
            "filtered": bool(filters),
        },
    )


@require_GET
@person_required
def export(request, person):
    """导出Excel: the same filters as the list, the person's cases only."""
    filters = CaseFilterForm(request.GET).filters()
    cases = cases_for_person(person=person, **filters)[:EXPORT_MAX_ROWS]
    response = HttpResponse(exports.cases_workbook(cases), content_type=exports.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="transfers-{_today():%Y%m%d}.xlsx"'
    return response


@require_GET
@person_required
def detail(request, person, serial_no):
    """One case's progress: the four stages, the log, the amounts, the documents."""
    # The person's own cases only (404 otherwise), with what the page shows prefetched.
    case = case_with_detail_for_person(person=person, serial_no=serial_no)
    context = case_detail(case)
    _mark_overdue([case], _today())
    return render(
        request,
        "transfers/detail.html",
        {
            **context,
            "target_due": context["service_target_due"],
            "target_days": time_limits(case.insurance).service_target,
            "has_estimate": context["service_target_estimated"]
            or any(stage["due_date_estimated"] for stage in context["stages"]),
            "events": person_log(context["events"]),
            # Only the applicant's own move is offered here: no need to ask for the clerk moves.
            "can_withdraw": may(request.user, case, "withdraw"),
            "case_ended": case.status in STOPPED_STATUSES,
            "show_end_reason": case.status in ENDED_WITH_REASON and case.end_reason,
            "siblings": sibling_cases(case),
        },
    )


@require_http_methods(["GET", "POST"])
@person_required
def withdraw(request, person, serial_no):
    """撤回申请: GET asks for confirmation, POST withdraws (only while still 待受理)."""
    case = case_for_person(person=person, serial_no=serial_no)
    if request.method == "GET" and "withdraw" not in allowed_moves(case=case, user=request.user):
        # The confirmation is offered only while withdrawing is possible (before acceptance).
        messages.error(
            request,
            _("该申请当前状态为“%(status)s”，不能撤回。") % {"status": case.get_status_display()},
        )
        return redirect("transfer-detail", serial_no=case.serial_no)
    if request.method == "POST":
        try:
            transfer_withdraw(case=case, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("申请%(serial_no)s已撤回。") % {"serial_no": case.serial_no}
            )
        return redirect("transfer-detail", serial_no=case.serial_no)
    return render(request, "transfers/withdraw_confirm.html", {"case": case})


@require_GET
@person_required
def attachment(request, person, serial_no):
    """The file the person uploaded with their application: theirs to download (404 for anyone
    else's case, and when there is none)."""
    case = case_for_person(person=person, serial_no=serial_no)
    if not case.attachment:
        raise Http404(_("该申请没有附件。"))
    return FileResponse(
        case.attachment.open("rb"),
        as_attachment=True,
        filename=case.attachment_name or f"{case.serial_no}-attachment",
    )
