"""Back office: the working-day calendar table (节假日安排).

The table belongs to ``agencies``; it is registered here because saving it must recompute the
due dates of open cases, a rule of ``transfers`` that ``agencies`` may not import. Each save
or delete calls one service."""

from django.contrib import admin, messages
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.models import CalendarDay
from transfers import services


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Enter the whole State Council notice of a year: every day off (放假) and every make-up
    working day (调休上班), each with the notice's number as its source."""

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
