"""Back office for the registry. A clerk sees the persons and enrollments of their own agency;
a superuser sees everything. Lists show ID numbers masked; the change form shows them whole."""

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from insured import idnumbers, ledger
from insured.models import (
    ContributionYear,
    Enrollment,
    InsuredPerson,
    OverlapRefund,
    ResidentPayment,
    RightsMovement,
)
from insured.retirement import retirement_or_none, retirement_text


def _clerk_agency_id(request) -> int | None:
    """The agency a clerk works for; None for a superuser (no restriction)."""
    if request.user.is_superuser:
        return None
    membership = getattr(request.user, "staff_membership", None)
    # A staff user with no membership sees nothing rather than everything.
    return membership.agency_id if membership else -1


class ContributionYearInline(admin.TabularInline):
    model = ContributionYear
    extra = 0
    fields = (
        "year",
        "first_month",
        "last_month",
        "months_paid",
        "monthly_base",
        "employer_rate",
        "personal_rate",
        "employer_contribution",
        "personal_contribution",
        "personal_account_credit",
        "interest",
        "contributor_type",
    )


class TransferredRightsInline(admin.TabularInline):
    model = RightsMovement
    fk_name = "to_enrollment"
    extra = 0
    can_delete = False
    fields = ("reference", "status", "from_region", "months", "personal_account", "pooled_fund")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ResidentPaymentInline(admin.TabularInline):
    """城乡居民基本养老保险: one row a year (grade, contributions, subsidies)."""

    model = ResidentPayment
    extra = 0
    fields = (
        "year",
        "first_month",
        "last_month",
        "grade",
        "personal_contribution",
        "government_subsidy",
        "collective_subsidy",
    )


class OverlapRefundInline(admin.TabularInline):
    """城乡制度衔接: the overlap refunds of the bridging cases; written only by the ledger."""

    model = OverlapRefund
    extra = 0
    can_delete = False
    fields = ("reference", "amount", "months", "first_month", "last_month", "recorded_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class EnrollmentInline(admin.TabularInline):
    model = Enrollment
    extra = 0
    fields = ("insurance", "region", "agency", "account_kind", "start_month", "end_month", "status")
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(InsuredPerson)
class InsuredPersonAdmin(admin.ModelAdmin):
    list_display = ("name", "masked_id_number", "hukou_region", "phone", "has_login")
    search_fields = ("id_number", "name")
    list_select_related = ("hukou_region",)
    raw_id_fields = ("hukou_region", "user")
    readonly_fields = ("issuing_place", "statutory_retirement")
    inlines = (EnrollmentInline,)

    @admin.display(description=_("法定退休年龄"))
    def statutory_retirement(self, obj):
        # The 2024 decision's tables by birth month; a woman's needs the category above.
        if not obj.id_number:
            return "—"
        age = retirement_or_none(obj)
        if age is None:
            return _("未确定：请按其岗位选择“法定退休年龄类别”（女职工50周岁或女干部55周岁）。")
        return retirement_text(age)

    @admin.display(description=_("身份证签发地（地址码）"))
    def issuing_place(self, obj):
        # The address code is where the number was issued, by today's name: a clerk checking
        # an old card from an abolished district (宣武区) sees where that is now.
        return idnumbers.issuing_place(obj.id_number) if obj.id_number else "—"

    @admin.display(description=_("公民身份号码"), ordering="id_number")
    def masked_id_number(self, obj):
        return obj.id_number_masked

    @admin.display(description=_("已注册"), boolean=True)
    def has_login(self, obj):
        return obj.user_id is not None

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        agency_id = _clerk_agency_id(request)
        if agency_id is not None:
            queryset = queryset.filter(enrollments__agency_id=agency_id).distinct()
        return queryset


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = (
        "person_name",
        "person_masked_id",
        "insurance",
        "region",
        "agency",
        "account_kind",
        "start_month",
        "end_month",
        "status",
    )
    list_filter = ("insurance", "status", "account_kind", "drawing_benefits")
    search_fields = ("person__id_number", "person__name")
    list_select_related = ("person", "region", "agency")
    raw_id_fields = ("person", "region", "agency")
    inlines = (
        ContributionYearInline,
        ResidentPaymentInline,
        TransferredRightsInline,
        OverlapRefundInline,
    )
    # The status changes only through insured.ledger (each change is an EnrollmentEvent).
    readonly_fields = ("status", "status_before_transfer")
    actions = ("stop_contributions", "restore_status")

    @admin.action(description=_("停止缴费（标记为中断）"))
    def stop_contributions(self, request, queryset):
        for enrollment in queryset:
            ledger.enrollment_interrupt(
                enrollment=enrollment, actor=request.user, note=_("柜台办理停止缴费")
            )
        self.message_user(request, _("已办理停止缴费。"))

    @admin.action(description=_("撤销“中断(转外省)”，恢复原参保状态"))
    def restore_status(self, request, queryset):
        for enrollment in queryset:
            ledger.enrollment_restore_status(
                enrollment=enrollment, actor=request.user, note=_("柜台办理转回")
            )
        self.message_user(request, _("已恢复原参保状态。"))

    @admin.display(description=_("姓名"), ordering="person__name")
    def person_name(self, obj):
        return obj.person.name

    @admin.display(description=_("公民身份号码"))
    def person_masked_id(self, obj):
        return obj.person.id_number_masked

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        agency_id = _clerk_agency_id(request)
        if agency_id is not None:
            queryset = queryset.filter(agency_id=agency_id)
        return queryset


@admin.register(RightsMovement)
class RightsMovementAdmin(admin.ModelAdmin):
    """The ledger of rights: written only through ``insured.ledger`` by the transfer workflow
    (in transit at the info sheet, received when the rights are recorded)."""

    list_display = (
        "reference",
        "status",
        "to_enrollment",
        "from_region",
        "months",
        "personal_account",
    )
    list_filter = ("status",)
    search_fields = ("reference", "to_enrollment__person__id_number")
    list_select_related = ("to_enrollment__person", "to_enrollment__agency", "from_region")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        agency_id = _clerk_agency_id(request)
        if agency_id is not None:
            queryset = queryset.filter(
                Q(to_enrollment__agency_id=agency_id) | Q(from_enrollment__agency_id=agency_id)
            )
        return queryset
