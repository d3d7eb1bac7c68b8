from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Region, StaffMembership


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
            {"fields": ["bank_account_name", "bank_name", "bank_account_number"]},
        ),
    ]


@admin.register(StaffMembership)
class StaffMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "role"]
    list_filter = ["role", "agency"]
    list_select_related = ["user", "agency"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "agency__name"]
    autocomplete_fields = ["user", "agency"]
