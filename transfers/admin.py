"""The back office: the Django admin, limited to the clerk's agency.

Nothing here edits a workflow field. The case page is read-only; its buttons are the moves
``allowed_moves`` offers the clerk, each posted to one custom URL that calls one service. A
refusal (wrong role, or a colleague moved the case first) comes back as the service's message."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import F, Q
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.models import StaffRole
from agencies.selectors import clerk_of
from core.errors import DomainError, TransitionNotAllowed
from core.pagination import CappedCountPaginator, PartsPaginator
from insured.access_log import AccessKind, PersonAccess, log_access
from transfers import attachments
from transfers.forms import MOVE_FORMS, category_label, confirm_form
from transfers.models import CaseEvent, FundRemittance, TransferCase, TransferFunds
from transfers.selectors import (
    MONEY_MOVES,
    agency_parts,
    allowed_moves,
    case_documents,
    confirmation_facts,
    from_records,
    service_target_due,
    stage_progress,
)
from transfers.services import MOVE_SERVICES
from transfers.workflow import (
    CLERK_MOVES,
    MOVES,
    QUEUES,
    Queue,
    is_overdue,
    may,
    move_label,
    overdue_condition,
    queue_condition,
    status_label,
)


def is_clerk(user) -> bool:
    """Any active staff user with an agency membership, or a superuser: no group needed."""
    return bool(
        user.is_active and (user.is_superuser or (user.is_staff and clerk_of(user) is not None))
    )


def _agency_id(user) -> int | None:
    clerk = clerk_of(user)
    return clerk.agency_id if clerk else None


class QueueFilter(admin.SimpleListFilter):
    title = gettext_lazy("待办队列")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return Queue.choices

    def queryset(self, request, queryset):
        if self.value() not in QUEUES:
            return queryset
        return queryset.filter(queue_condition(self.value(), _agency_id(request.user)))


class OverdueFilter(admin.SimpleListFilter):
    title = gettext_lazy("是否超时")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("已超时")), ("no", _("未超时"))]

    def queryset(self, request, queryset):
        condition = overdue_condition(timezone.localdate())
        if self.value() == "yes":
            return queryset.filter(condition)
        if self.value() == "no":
            return queryset.exclude(condition)
        return queryset


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False

    def has_view_permission(self, request, obj=None):
        return is_clerk(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CaseEventInline(ReadOnlyInline):
    model = CaseEvent
    verbose_name_plural = gettext_lazy("办理记录")
    fields = [
        "created_at",
        "action_display",
        "from_display",
        "to_display",
        "agency",
        "actor_display",
        "note",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agency", "actor", "case__person")

    @admin.display(description=gettext_lazy("操作"))
    def action_display(self, obj):
        return move_label(obj.action)

    @admin.display(description=gettext_lazy("操作人"))
    def actor_display(self, obj):
        # An applicant's username is their ID number: never show it whole.
        if obj.actor_id is None:
            return _("系统")
        if obj.actor_id == obj.case.person.user_id:
            return _("申请人本人")
        return obj.actor.get_username()

    @admin.display(description=gettext_lazy("原状态"))
    def from_display(self, obj):
        return status_label(obj.from_status)

    @admin.display(description=gettext_lazy("新状态"))
    def to_display(self, obj):
        return status_label(obj.to_status)


@admin.register(TransferCase)
class TransferCaseAdmin(admin.ModelAdmin):
    list_display = [
        "serial_no",
        "person_masked",
        "insurance",
        "status",
        "out_agency",
        "in_agency",
        "due",
        "submitted_at",
    ]
    list_display_links = ["serial_no"]
    list_filter = [QueueFilter, OverdueFilter, "status", "insurance"]
    search_fields = ["=serial_no"]
    search_help_text = gettext_lazy("输入16位申报流水号")
    list_select_related = ["person"]
    # Overdue first: the earliest due date of the running step leads; ended cases (no due date)
    # follow, newest first.
    ordering = [F("current_due_date").asc(nulls_last=True), "-submitted_at"]
    list_per_page = 50
    show_full_result_count = False
    # The changelist counts the filtered list for its pages: stop at 10,000 (an agency may
    # hold hundreds of thousands of cases; nobody pages that far).
    paginator = CappedCountPaginator
    inlines = [CaseEventInline]
    change_form_template = "transfers/admin/change_form.html"
    change_list_template = "transfers/admin/change_list.html"
    fieldsets = [
        (
            gettext_lazy("申请信息"),
            {
                "fields": [
                    "serial_no",
                    "person_masked",
                    "insurance",
                    "kind",
                    "category_display",
                    "from_display",
                    "to_display",
                    "contact_phone",
                    "hukou_address",
                    "attachment_link",
                    "approved_transfer",
                ]
            },
        ),
        (
            gettext_lazy("办理情况"),
            {"fields": ["status", "due", "submitted_at", "completed_at", "end_reason"]},
        ),
    ]
    readonly_fields = [
        "person_masked",
        "category_display",
        "from_display",
        "to_display",
        "attachment_link",
        "due",
    ]

    # --- who sees what -------------------------------------------------------------------
    def has_module_permission(self, request):
        return is_clerk(request.user)

    def has_view_permission(self, request, obj=None):
        return is_clerk(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Workflow fields change only through the buttons (services), never by a raw edit.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not request.user.is_superuser:
            clerk = clerk_of(request.user)
            if clerk is None:
                return queryset.none()
            agency = clerk.agency
            queryset = queryset.filter(Q(transfer_in_agency=agency) | Q(transfer_out_agency=agency))
        return queryset.select_related("person")

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        # A clerk's list is two index-ordered parts (transfer-in, transfer-out party): pages
        # and counts read each part up to the page's end, never the agency's whole history.
        clerk = None if request.user.is_superuser else clerk_of(request.user)
        if clerk is None:
            return super().get_paginator(
                request, queryset, per_page, orphans, allow_empty_first_page
            )
        paginator = PartsPaginator(
            queryset, per_page, orphans, allow_empty_first_page, parts=agency_parts(clerk.agency_id)
        )
        # The changelist reads the count before the page: tell the paginator which page, so
        # that the first pages count only to 1,000 (shown as "1000+", templates/admin/
        # pagination.html) and deeper pages count on.
        paginator.expect_page(request.GET.get("p", 1))
        return paginator

    # --- columns -------------------------------------------------------------------------
    @admin.display(description=gettext_lazy("参保人"), ordering="person__name")
    def person_masked(self, obj):
        return f"{obj.person.name}（{obj.person.id_number_masked}）"

    @admin.display(description=gettext_lazy("转出地经办机构"), ordering="transfer_out_agency")
    def out_agency(self, obj):
        return obj.transfer_out_agency_name

    @admin.display(description=gettext_lazy("转入地经办机构"), ordering="transfer_in_agency")
    def in_agency(self, obj):
        return obj.transfer_in_agency_name

    @admin.display(description=gettext_lazy("转入类型"))
    def category_display(self, obj):
        return category_label(obj.insurance, obj.category)

    @admin.display(description=gettext_lazy("转出地"))
    def from_display(self, obj):
        # The agency links to its read-only page (clerks may view, not edit, agencies).
        return format_html(
            '{}（{}） · <a href="{}">{}</a>',
            obj.from_region_name,
            obj.from_region_id,
            reverse("admin:agencies_agency_change", args=[obj.transfer_out_agency_id]),
            obj.transfer_out_agency_name,
        )

    @admin.display(description=gettext_lazy("转入地"))
    def to_display(self, obj):
        return format_html(
            '{}（{}） · <a href="{}">{}</a>',
            obj.to_region_name,
            obj.to_region_id,
            reverse("admin:agencies_agency_change", args=[obj.transfer_in_agency_id]),
            obj.transfer_in_agency_name,
        )

    @admin.display(description=gettext_lazy("当前环节办理时限"), ordering="current_due_date")
    def due(self, obj):
        if not obj.current_due_date or not obj.is_open:
            return "—"
        if is_overdue(obj, timezone.localdate()):
            return format_html(
                '<span class="case-overdue">{} <strong>{}</strong></span>',
                obj.current_due_date.isoformat(),
                _("已超时"),
            )
        return obj.current_due_date.isoformat()

    @admin.display(description=gettext_lazy("附件"))
    def attachment_link(self, obj):
        if not obj.attachment:
            return _("未上传")
        url = reverse("admin:transfers_transfercase_attachment", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.attachment_name or _("下载附件"))

    # --- custom pages ----------------------------------------------------------------------
    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        custom = [
            path(
                "dashboard/",
                self.admin_site.admin_view(self.dashboard_view),
                name="{}_{}_dashboard".format(*info),
            ),
            path(
                "<path:object_id>/move/<str:move>/",
                self.admin_site.admin_view(self.move_view),
                name="{}_{}_move".format(*info),
            ),
            path(
                "<path:object_id>/attachment/",
                self.admin_site.admin_view(self.attachment_view),
                name="{}_{}_attachment".format(*info),
            ),
        ]
        return custom + super().get_urls()

    def _case_or_404(self, request, object_id) -> TransferCase:
        # get_object goes through get_queryset: another agency's case does not exist here.
        case = self.get_object(request, unquote(object_id))
        if case is None or not self.has_view_permission(request, case):
            raise Http404(_("没有找到该申请。"))
        return case

    def change_view(self, request, object_id, form_url="", extra_context=None):
        case = self._case_or_404(request, object_id)
        try:
            funds = case.funds
        except TransferFunds.DoesNotExist:
            funds = None
        try:
            remittance = case.remittance
        except FundRemittance.DoesNotExist:
            remittance = None
        moves = allowed_moves(case=case, user=request.user)
        buttons = [
            {
                "move": move,
                "label": MOVES[move].label,
                "style": MOVES[move].style,
                "confirm": MOVES[move].confirm,
                "form": MOVE_FORMS[MOVES[move].params](auto_id=f"id_{move}_%s"),
                "url": reverse("admin:transfers_transfercase_move", args=[case.pk, move]),
            }
            for move in moves
            if move in CLERK_MOVES
        ]
        clerk = clerk_of(request.user)
        log_access(
            user=request.user,
            agency=clerk.agency if clerk else None,
            person=case.person,
            kind=AccessKind.CASE,
            reference=case.serial_no,
            reason=case.serial_no,
        )
        documents = case_documents(case)
        for document in documents:
            document.print_url = reverse("admin:counter_print", args=[document.pk])
        context = {
            "case": case,
            "stages": stage_progress(case),
            "target_due": service_target_due(case),
            "funds": funds,
            "remittance": remittance,
            "documents": documents,
            "records_url": reverse("admin:counter_person", args=[case.person_id])
            + f"?case={case.serial_no}",
            "from_records": from_records(case),
            "buttons": buttons,
            "clerk": clerk_of(request.user),
            "title": _("转移接续申请 %(serial_no)s") % {"serial_no": case.serial_no},
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context=context)

    def move_view(self, request, object_id, move):
        """One move on one case through its service; the outcome as a message.

        A move the table marks ``confirm`` (decisions and money) first shows its confirmation
        page (GET, or a POST without ``confirm``): the person, the serial, the amount in
        figures and capitals, the receiving account. Only the confirmed POST acts, and only
        with the amount the page showed (``expected_amount``, checked by the service)."""
        case = self._case_or_404(request, object_id)
        if move not in CLERK_MOVES:
            raise Http404
        confirm = MOVES[move].confirm
        if request.method != "POST" and not (confirm and request.method == "GET"):
            return HttpResponseNotAllowed(["POST"])
        change_url = reverse("admin:transfers_transfercase_change", args=[case.pk])
        if confirm:
            if request.method == "GET" or request.POST.get("confirm") != "yes":
                return self._confirm_page(request, case, move, confirm_form(move))
            form = confirm_form(move, request.POST)
        else:
            form = MOVE_FORMS[MOVES[move].params](request.POST)
        if not form.is_valid():
            if confirm:
                return self._confirm_page(request, case, move, form, status=400)
            for errors in form.errors.values():
                for error in errors:
                    self.message_user(request, error, messages.ERROR)
            return redirect(change_url)
        params = form.service_kwargs() if confirm else form.cleaned_data
        if confirm and move in MONEY_MOVES:
            params["expected_amount"] = request.POST.get("shown_amount", "")
        seen_status = request.POST.get("seen_status", "")
        try:
            MOVE_SERVICES[move](case=case, actor=request.user, **params)
        except DomainError as exc:
            case.refresh_from_db(fields=["status"])
            if isinstance(exc, TransitionNotAllowed) and seen_status and seen_status != case.status:
                # A colleague pressed a button on the same case first: say so, and what it is now.
                message = _(
                    "该申请已由其他经办人员办理，当前状态为“%(status)s”，本次操作未执行。"
                ) % {"status": case.get_status_display()}
                self.message_user(request, message, messages.ERROR)
                return redirect(change_url)
            self.message_user(request, exc.message, messages.ERROR)
            if confirm:
                # Back to the same page with what the clerk typed, never an emptied field.
                return self._confirm_page(request, case, move, form, status=exc.http_status)
            return redirect(change_url)
        case.refresh_from_db(fields=["status"])
        self.message_user(
            request,
            _("已办理“%(move)s”，申请%(serial_no)s当前状态：%(status)s。")
            % {
                "move": MOVES[move].label,
                "serial_no": case.serial_no,
                "status": case.get_status_display(),
            },
            messages.SUCCESS,
        )
        return redirect(change_url)

    def _confirm_page(self, request, case, move, form, status=200):
        if not may(request.user, case, move):
            self.message_user(
                request,
                _("当前状态下您不能办理“%(move)s”。") % {"move": MOVES[move].label},
                messages.ERROR,
            )
            return redirect(reverse("admin:transfers_transfercase_change", args=[case.pk]))
        facts = confirmation_facts(case, move)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "case": case,
            "move": move,
            "move_label": MOVES[move].label,
            "style": MOVES[move].style,
            "form": form,
            "facts": facts,
            "url": reverse("admin:transfers_transfercase_move", args=[case.pk, move]),
            "change_url": reverse("admin:transfers_transfercase_change", args=[case.pk]),
            "title": _("确认办理：%(move)s") % {"move": MOVES[move].label},
        }
        return TemplateResponse(
            request, "transfers/admin/confirm_move.html", context, status=status
        )

    def attachment_view(self, request, object_id):
        case = self._case_or_404(request, object_id)
        if not case.attachment:
            raise Http404
        # Served as the type its bytes are (checked by parsing when it came in), never as its
        # name says; always a download, never rendered by the browser.
        kind = attachments.stored_kind(case.attachment)
        response = FileResponse(
            case.attachment.open("rb"),
            as_attachment=True,
            filename=attachments.safe_download_name(case.serial_no, kind),
            content_type=attachments.content_type(kind),
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "no-store"
        return response

    def dashboard_view(self, request):
        """The old address of the workbench: it is the back office's landing page now."""
        return redirect("admin:index")


class AgencyClerkFilter(admin.SimpleListFilter):
    title = gettext_lazy("经办人员")
    parameter_name = "clerk"

    def lookups(self, request, model_admin):
        rows = model_admin.get_queryset(request).order_by().values_list("user_id", "user__username")
        return sorted(set(rows), key=lambda row: row[1])

    def queryset(self, request, queryset):
        return queryset.filter(user_id=self.value()) if self.value() else queryset


@admin.register(PersonAccess)
class PersonAccessAdmin(admin.ModelAdmin):
    """个人信息查询留痕 for the supervisor (their agency's rows) and superusers: per clerk
    (filter) and per person (search by the exact ID number). Read-only: rows are append-only."""

    list_display = ["at", "user", "agency", "person_masked", "kind", "reference", "reason"]
    list_filter = [AgencyClerkFilter, "kind"]
    search_fields = ["=person__id_number"]
    search_help_text = gettext_lazy("输入参保人18位公民身份号码，查看谁查询过该参保人")
    list_select_related = ["user", "agency", "person"]
    list_per_page = 100
    show_full_result_count = False

    def _allowed(self, request) -> bool:
        clerk = clerk_of(request.user)
        return request.user.is_superuser or (
            clerk is not None and clerk.role == StaffRole.SUPERVISOR
        )

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        clerk = clerk_of(request.user)
        return queryset.filter(agency_id=clerk.agency_id) if clerk else queryset.none()

    @admin.display(description=gettext_lazy("参保人"))
    def person_masked(self, obj):
        return f"{obj.person.name}（{obj.person.id_number_masked}）"


# The calendar table's admin lives beside the deadlines it recomputes.
from transfers import admin_calendar  # noqa: E402, F401
