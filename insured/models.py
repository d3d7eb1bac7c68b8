import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Insurance, Region
from insured import idnumbers


class HukouType(models.TextChoices):
    URBAN = "urban", _("城镇")
    RURAL = "rural", _("农村")


class Sex(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class InsuredPerson(models.Model):
    """A person in the registry. The citizen ID number is also the social security number
    (Social Insurance Law art. 58); sex and birth date are read from it, not stored again."""

    id_number = models.CharField(
        _("公民身份号码"),
        max_length=18,
        unique=True,
        validators=[idnumbers.validate_id_number],
    )
    name = models.CharField(_("姓名"), max_length=50)
    hukou_region = models.ForeignKey(
        Region,
        verbose_name=_("户籍所在地"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    hukou_address = models.CharField(_("户籍地址"), max_length=200)
    hukou_type = models.CharField(
        _("户籍类型"), max_length=10, choices=HukouType.choices, default=HukouType.URBAN
    )
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="insured_person",
    )

    class Meta:
        verbose_name = _("参保人")
        verbose_name_plural = _("参保人")
        ordering = ["id"]

    def __str__(self):
        return f"{self.name}（{self.id_number_masked}）"

    @property
    def id_number_masked(self) -> str:
        return idnumbers.mask(self.id_number)

    @property
    def birth_date(self) -> datetime.date:
        return idnumbers.birth_date(self.id_number)

    @property
    def sex(self) -> str:
        return idnumbers.sex(self.id_number)

    def get_sex_display(self) -> str:
        return Sex(self.sex).label


class AccountKind(models.TextChoices):
    ORDINARY = "ordinary", _("普通账户")
    # 国办发〔2009〕66号 art. 6: men 50+ / women 40+ enrolling outside their hukou province.
    TEMPORARY = "temporary", _("临时基本养老保险缴费账户")


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "active", _("正常参保")
    INTERRUPTED = "interrupted", _("中断")
    TRANSFERRING_OUT = "transferring_out", _("中断(转外省)")
    TRANSFERRED_OUT = "transferred_out", _("已转出")
    CLOSED = "closed", _("终止")


class Enrollment(models.Model):
    """One insurance relationship (参保记录) of a person with one agency."""

    person = models.ForeignKey(
        InsuredPerson,
        verbose_name=_("参保人"),
        on_delete=models.CASCADE,
        related_name="enrollments",
    )
    insurance = models.CharField(_("险种"), max_length=10, choices=Insurance.choices)
    agency = models.ForeignKey(
        Agency, verbose_name=_("经办机构"), on_delete=models.PROTECT, related_name="enrollments"
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("参保地"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("参保的县级或地级行政区划；经办机构按统筹区服务。"),
    )
    account_kind = models.CharField(
        _("账户类型"), max_length=10, choices=AccountKind.choices, default=AccountKind.ORDINARY
    )
    start_month = models.DateField(_("参保起始年月"), help_text=_("当月第一天"))
    end_month = models.DateField(
        _("参保终止年月"), null=True, blank=True, help_text=_("当月第一天；为空表示仍在参保")
    )
    status = models.CharField(
        _("参保状态"),
        max_length=20,
        choices=EnrollmentStatus.choices,
        default=EnrollmentStatus.ACTIVE,
    )
    drawing_benefits = models.BooleanField(_("已领取待遇"), default=False)

    class Meta:
        verbose_name = _("参保记录")
        verbose_name_plural = _("参保记录")
        ordering = ["person_id", "insurance", "start_month"]
        indexes = [
            models.Index(fields=["person", "insurance", "status"], name="enrollment_person_idx"),
            models.Index(fields=["agency", "status"], name="enrollment_agency_idx"),
        ]

    def __str__(self):
        return f"{self.person.name} · {self.get_insurance_display()} · {self.agency}"

    @property
    def is_paying(self) -> bool:
        return self.status == EnrollmentStatus.ACTIVE

    def months(self) -> int:
        """Months actually paid here plus months transferred in (uses prefetched rows)."""
        return sum(y.months_paid for y in self.years.all()) + sum(
            r.months for r in self.transferred_in.all()
        )

    def personal_account_balance(self) -> Decimal:
        """Credits and interest of every year here plus personal-account sums transferred in."""
        own = sum((y.personal_account_credit + y.interest for y in self.years.all()), Decimal("0"))
        return own + sum((r.personal_account for r in self.transferred_in.all()), Decimal("0"))


class ContributionYear(models.Model):
    """One calendar year of contributions at one enrollment."""

    enrollment = models.ForeignKey(
        Enrollment, verbose_name=_("参保记录"), on_delete=models.CASCADE, related_name="years"
    )
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(1950), MaxValueValidator(2100)]
    )
    first_month = models.PositiveSmallIntegerField(
        _("缴费起始月"), default=1, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    last_month = models.PositiveSmallIntegerField(
        _("缴费截止月"), default=12, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    months_paid = models.PositiveSmallIntegerField(
        _("实际缴费月数"),
        validators=[MinValueValidator(0), MaxValueValidator(12)],
        help_text=_("欠费月数不计入"),
    )
    monthly_base = models.DecimalField(_("月缴费基数"), max_digits=12, decimal_places=2)
    employer_contribution = models.DecimalField(_("单位缴费"), max_digits=12, decimal_places=2)
    personal_contribution = models.DecimalField(_("个人缴费"), max_digits=12, decimal_places=2)
    personal_account_credit = models.DecimalField(
        _("当年记账金额"), max_digits=12, decimal_places=2
    )
    interest = models.DecimalField(_("当年记账利息"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("年度缴费记录")
        verbose_name_plural = _("年度缴费记录")
        ordering = ["enrollment_id", "year"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "year"], name="contribution_year_unique"),
            models.CheckConstraint(
                condition=models.Q(first_month__lte=models.F("last_month")),
                name="contribution_months_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.year}: {self.months_paid}"


class TransferredRights(models.Model):
    """Rights recorded at a transfer-in enrollment (记录个人权益) when a transfer completes.

    The registry knows only the reference of the transfer, not the transfer itself, so that
    ``insured`` stays independent of ``transfers``."""

    enrollment = models.ForeignKey(
        Enrollment,
        verbose_name=_("转入参保记录"),
        on_delete=models.CASCADE,
        related_name="transferred_in",
    )
    reference = models.CharField(_("申报流水号"), max_length=16, unique=True)
    from_region = models.ForeignKey(
        Region, verbose_name=_("转出地"), on_delete=models.PROTECT, related_name="+"
    )
    months = models.PositiveIntegerField(_("转入缴费月数"))
    personal_account = models.DecimalField(_("转入个人账户金额"), max_digits=14, decimal_places=2)
    pooled_fund = models.DecimalField(_("转入统筹基金金额"), max_digits=14, decimal_places=2)
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("转入权益记录")
        verbose_name_plural = _("转入权益记录")
        ordering = ["recorded_at"]

    def __str__(self):
        return self.reference


from insured.access_log import PersonAccess  # noqa: E402, F401  (the access log's table)
