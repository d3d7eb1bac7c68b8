from django.contrib import admin
from django.db.models import Q
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from documents.models import Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """Read-only: issued documents never change. Clerks see their agency's documents."""

    list_display = [
        "number", "kind", "status", "holder", "agency", "case_reference", "issued_at", "pdf_link"
    ]  # fmt: skip
    list_filter = ["kind", "status", "year"]
    search_fields = ["number", "case_reference"]
    list_select_related = ["holder", "agency"]
    date_hierarchy = "issued_at"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        membership = getattr(request.user, "staff_membership", None)
        if membership is None:
            return queryset.none()
        return queryset.filter(
            Q(agency_id=membership.agency_id) | Q(counterpart_agency_id=membership.agency_id)
        )

    @admin.display(description=_("PDF"))
    def pdf_link(self, obj):
        if not obj.pdf:
            return obj.status_reason  # a voided number: why it has no file
        return format_html('<a href="{}" target="_blank">{}</a>', obj.url, _("打开"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
