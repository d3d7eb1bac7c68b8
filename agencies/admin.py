from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agencies import services
from agencies.models import Agency, BankAccountChange, Region, StaffMembership
from agencies.selectors import clerk_of
from core.errors import DomainError

BANK_FIELDS = ["bank_account_name", "bank_name", "bank_account_number"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    """The GB/T 2260 tree is loaded, not typed: codes are fixed once saved; the online switch
    is the one thing the back office changes here, straight from the list."""

    list_display = ["code", "name", "level", "parent", "online_transfer_enabled"]
    list_display_links = ["code", "name"]
    list_editable = ["online_transfer_enabled"]
    list_filter = ["level", "online_transfer_enabled"]
    list_select_related = ["parent"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    list_per_page = 100
    ordering = ["code"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj is not None else []


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "insurance", "phone", "postal_code"]
    list_filter = ["insurance"]
    list_select_related = ["region"]
    search_fields = ["name", "region__code", "region__name"]
    autocomplete_fields = ["region"]
    fieldsets = [
        (None, {"fields": ["name", "region", "insurance"]}),
        (_("联系方式"), {"fields": ["address", "postal_code", "phone", "contact_person"]}),
        (
            _("基金划转账户"),
            {
                "fields": BANK_FIELDS,
                "description": _(
                    "银行账户的变更须经另一名系统管理员复核后生效，请在“银行账户变更”中申请。"
                ),
            },
        ),
    ]

    # Clerks read every agency (the case page links here); only superusers edit, and the
    # fund account only through a BankAccountChange approved by a second superuser.
    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser or clerk_of(request.user) is not None

    def get_readonly_fields(self, request, obj=None):
        return BANK_FIELDS if obj is not None else []


class BankChangeForm(forms.ModelForm):
    class Meta:
        model = BankAccountChange
        fields = ["agency", *BANK_FIELDS]


@admin.register(BankAccountChange)
class BankAccountChangeAdmin(admin.ModelAdmin):
    """四眼原则: one superuser proposes, another approves (or rejects) with the actions."""

    form = BankChangeForm
    list_display = [
        "agency",
        "bank_name",
        "account_masked",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
    ]
    list_filter = ["status"]
    list_select_related = ["agency", "requested_by", "decided_by"]
    actions = ["approve", "reject"]
    autocomplete_fields = ["agency"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        created = services.bank_change_request(
            agency=data["agency"],
            actor=request.user,
            account_name=data["bank_account_name"],
            bank_name=data["bank_name"],
            account_number=data["bank_account_number"],
        )
        obj.pk = created.pk

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return redirect(request.path)

    def _decide(self, request, queryset, service, done: str):
        for change in queryset:
            try:
                service(change=change, actor=request.user)
            except DomainError as exc:
                self.message_user(request, f"{change}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"{change}: {done}", messages.SUCCESS)

    @admin.action(description=_("复核通过，变更生效"))
    def approve(self, request, queryset):
        self._decide(request, queryset, services.bank_change_approve, gettext("已生效。"))

    @admin.action(description=_("驳回"))
    def reject(self, request, queryset):
        self._decide(request, queryset, services.bank_change_reject, gettext("已驳回。"))


@admin.register(StaffMembership)
class StaffMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "role"]
    list_filter = ["role", "agency"]
    list_select_related = ["user", "agency"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "agency__name"]
    autocomplete_fields = ["user", "agency"]
