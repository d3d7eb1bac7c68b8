from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.validators import validate_plain_text


class Insurance(models.TextChoices):
    """The two insurances that transfer across provinces."""

    PENSION = "pension", _("基本养老保险")
    MEDICAL = "medical", _("基本医疗保险")


class ServedInsurance(models.TextChoices):
    PENSION = "pension", _("基本养老保险")
    MEDICAL = "medical", _("基本医疗保险")
    BOTH = "both", _("养老和医疗")
    # 城乡居民基本养老保险: its own agency (often the district's), never one serving "both".
    RESIDENT_PENSION = "resident_pension", _("城乡居民基本养老保险")


class RegionLevel(models.IntegerChoices):
    PROVINCE = 1, _("省级")
    CITY = 2, _("地级")
    COUNTY = 3, _("县级")


class Region(models.Model):
    """An administrative division of GB/T 2260, loaded from python-stdnum's data (current codes)."""

    code = models.CharField(_("行政区划代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=50)
    level = models.PositiveSmallIntegerField(_("级别"), choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    online_transfer_enabled = models.BooleanField(_("开通网上转移"), default=False)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        indexes = [models.Index(fields=["parent", "code"], name="region_parent_code_idx")]

    def __str__(self):
        return f"{self.name}（{self.code}）"

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0000"

    def ancestor_codes(self) -> list[str]:
        """This region's code and its ancestors' by GB/T 2260 structure, nearest first."""
        codes = [self.code]
        if self.code[4:] != "00":
            codes.append(self.code[:4] + "00")
        if self.code[2:] != "0000":
            codes.append(self.code[:2] + "0000")
        return codes

    def full_name(self) -> str:
        """Province, city and county names joined, without placeholder levels."""
        names = []
        region = self
        while region is not None:
            names.append(region.name)
            region = region.parent
        return "".join(reversed(names))


class Agency(models.Model):
    """A social insurance agency (经办机构) serving one pooling region."""

    name = models.CharField(_("机构名称"), max_length=100, validators=[validate_plain_text])
    region = models.ForeignKey(
        Region, verbose_name=_("统筹区"), on_delete=models.PROTECT, related_name="agencies"
    )
    insurance = models.CharField(
        _("经办险种"), max_length=20, choices=ServedInsurance.choices, default=ServedInsurance.BOTH
    )
    address = models.CharField(_("地址"), max_length=200, validators=[validate_plain_text])
    phone = models.CharField(_("电话"), max_length=30)
    postal_code = models.CharField(_("邮政编码"), max_length=6)
    contact_person = models.CharField(_("联系人"), max_length=30, blank=True)
    bank_account_name = models.CharField(
        _("开户名称"), max_length=100, blank=True, validators=[validate_plain_text]
    )
    bank_name = models.CharField(
        _("开户银行"), max_length=100, blank=True, validators=[validate_plain_text]
    )
    bank_account_number = models.CharField(_("银行账号"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("经办机构")
        verbose_name_plural = _("经办机构")
        ordering = ["region_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "insurance"], name="agency_region_insurance")
        ]

    def __str__(self):
        return self.name

    def serves(self, insurance: str) -> bool:
        if insurance == ServedInsurance.RESIDENT_PENSION:
            return self.insurance == insurance
        return self.insurance in (insurance, ServedInsurance.BOTH)


class StaffRole(models.TextChoices):
    REVIEWER = "reviewer", _("审核员")
    FINANCE = "finance", _("财务人员")
    SUPERVISOR = "supervisor", _("主管")


class StaffMembership(models.Model):
    """Ties a clerk's login to the one agency they work for, with their role there."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="staff_membership",
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("经办机构"), on_delete=models.PROTECT, related_name="staff"
    )
    role = models.CharField(_("岗位"), max_length=12, choices=StaffRole.choices)

    class Meta:
        verbose_name = _("经办人员")
        verbose_name_plural = _("经办人员")

    def __str__(self):
        return f"{self.user} · {self.agency} · {self.get_role_display()}"


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("放假")
    WORKDAY = "workday", _("调休上班")


class CalendarDay(models.Model):
    """One day of the State Council's yearly holiday schedule (国务院办公厅关于部分节假日安排的
    通知), entered by hand when it is published. It comes before the ``chinesecalendar`` package
    for working days: a year that has any entry here counts as published, and its days without
    an entry are ordinary (Monday–Friday worked), so enter the whole notice for a year."""

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("安排"), max_length=10, choices=CalendarDayKind.choices)
    name = models.CharField(_("节日"), max_length=30, help_text=_("如：春节、国庆节"))
    source = models.CharField(
        _("依据"),
        max_length=100,
        help_text=_("国务院办公厅通知的文号，如：国办发明电〔2025〕7号"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name} {self.get_kind_display()}"

    def clean(self):
        # A make-up working day (调休上班) is always a Saturday or a Sunday.
        if self.date and self.kind == CalendarDayKind.WORKDAY and self.date.weekday() < 5:
            raise ValidationError(
                {"kind": _("调休上班日应为周六或周日；周一至周五本来就是工作日。")}
            )


class BankChangeStatus(models.TextChoices):
    PENDING = "pending", _("待复核")
    APPROVED = "approved", _("已生效")
    REJECTED = "rejected", _("已驳回")


class BankAccountChange(models.Model):
    """A proposed change of an agency's fund account (四眼原则): it applies only when a second
    superuser approves it (``agencies.services.bank_change_approve``). Rows are kept as the
    history of the account."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("经办机构"), on_delete=models.PROTECT, related_name="bank_changes"
    )
    bank_account_name = models.CharField(_("开户名称"), max_length=100)
    bank_name = models.CharField(_("开户银行"), max_length=100)
    bank_account_number = models.CharField(_("银行账号"), max_length=40)
    status = models.CharField(
        _("状态"), max_length=10, choices=BankChangeStatus.choices, default=BankChangeStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复核人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("复核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("银行账户变更")
        verbose_name_plural = _("银行账户变更")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency"],
                condition=models.Q(status="pending"),
                name="bank_change_one_pending_per_agency",
            )
        ]

    def __str__(self):
        return f"{self.agency} · {self.account_masked}"

    @property
    def account_masked(self) -> str:
        number = self.bank_account_number
        return f"****{number[-4:]}" if len(number) > 4 else number


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("待发布")
    PUBLISHED = "published", _("已发布")
    REJECTED = "rejected", _("未采纳")


class CalendarDayProposal(models.Model):
    """A day of the State Council's holiday notice as an agency's supervisor (经办主管) enters
    it; it counts only once a superuser publishes it into the calendar table (two people, the
    notice's number as the source, because every open case's due dates follow it)."""

    date = models.DateField(_("日期"))
    kind = models.CharField(_("安排"), max_length=10, choices=CalendarDayKind.choices)
    name = models.CharField(_("节日"), max_length=30)
    source = models.CharField(_("依据"), max_length=100)
    status = models.CharField(
        _("状态"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("节假日安排（待发布）")
        verbose_name_plural = _("节假日安排（待发布）")
        ordering = ["status", "date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name} {self.get_kind_display()}"
