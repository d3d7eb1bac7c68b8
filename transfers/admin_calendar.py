"""Back office: the working-day calendar table (节假日安排).

The table belongs to ``agencies``; it is registered here because saving it must recompute the
due dates of open cases, a rule of ``transfers`` that ``agencies`` may not import. Each save
or delete calls one service."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies import services as agency_services
from agencies.models import CalendarDay, CalendarDayProposal, StaffRole
from agencies.selectors import clerk_of
from core.errors import DomainError
from transfers import services


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Enter the whole State Council notice of a year: every day off (放假) and every make-up
    working day (调休上班), each with the notice's number as its source. Superusers only; the
    agencies' supervisors propose days (``CalendarDayProposal``) for a superuser to publish."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    list_display = ["date", "weekday", "kind", "name", "source"]
    list_filter = ["kind", "name"]
    search_fields = ["name", "source"]
    date_hierarchy = "date"
    ordering = ["-date"]
    fields = ["date", "kind", "name", "source"]

    @admin.display(description=gettext_lazy("星期"))
    def weekday(self, obj):
        return date_format(obj.date, "l")  # 星期六 / Saturday

    def _report(self, request, changed: int) -> None:
        messages.info(
            request,
            _("工作日日历已更新，%(count)d笔在办申请的办理时限已重新计算。") % {"count": changed},
        )

    def save_model(self, request, obj, form, change):
        self._report(request, services.working_day_calendar_save(day=obj, actor=request.user))

    def delete_model(self, request, obj):
        self._report(request, services.working_day_calendar_delete(days=[obj], actor=request.user))

    def delete_queryset(self, request, queryset):
        self._report(
            request,
            services.working_day_calendar_delete(days=list(queryset), actor=request.user),
        )


class CalendarDayProposalForm(forms.ModelForm):
    class Meta:
        model = CalendarDayProposal
        fields = ["date", "kind", "name", "source"]

    def clean(self):
        data = super().clean()
        # The calendar table's own checks (a make-up working day is a weekend day), on the form
        # so that the clerk reads them beside the field.
        day = CalendarDay(**{name: data.get(name) for name in self.Meta.fields})
        try:
            day.clean()
        except ValidationError as error:
            self.add_error(None, error)
        return data


@admin.register(CalendarDayProposal)
class CalendarDayProposalAdmin(admin.ModelAdmin):
    """Supervisors (经办主管) of any agency propose the days of the State Council's notice; a
    superuser other than the proposer publishes them into the calendar table."""

    list_display = ["date", "kind", "name", "source", "status", "proposed_by", "decided_by"]
    list_filter = ["status", "kind"]
    ordering = ["status", "date"]
    fields = ["date", "kind", "name", "source"]
    form = CalendarDayProposalForm
    actions = ["publish", "reject"]

    def _may_propose(self, request) -> bool:
        clerk = clerk_of(request.user)
        return request.user.is_superuser or (
            clerk is not None and clerk.role == StaffRole.SUPERVISOR
        )

    def has_module_permission(self, request):
        return self._may_propose(request)

    def has_view_permission(self, request, obj=None):
        return self._may_propose(request)

    def has_add_permission(self, request):
        return self._may_propose(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return super().get_actions(request) if request.user.is_superuser else {}

    def save_model(self, request, obj, form, change):
        proposal = agency_services.calendar_proposal_create(
            actor=request.user,
            date=obj.date,
            kind=obj.kind,
            name=obj.name,
            source=obj.source,
        )
        obj.pk = proposal.pk

    def _decide(self, request, queryset, *, publish: bool) -> None:
        changed = 0
        for proposal in queryset:
            try:
                changed += services.working_day_calendar_decide(
                    proposal=proposal, actor=request.user, publish=publish
                )
            except DomainError as error:
                messages.error(request, f"{proposal}：{error.message}")
        if publish:
            self._report(request, changed)

    _report = CalendarDayAdmin._report

    @admin.action(description=gettext_lazy("发布选中的节假日安排"))
    def publish(self, request, queryset):
        self._decide(request, queryset, publish=True)

    @admin.action(description=gettext_lazy("不予采纳"))
    def reject(self, request, queryset):
        self._decide(request, queryset, publish=False)
