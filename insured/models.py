import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Region
from core.validators import validate_plain_text
from insured import idnumbers


class HukouType(models.TextChoices):
    URBAN = "urban", _("城镇")
    RURAL = "rural", _("农村")


class DisplayMode(models.TextChoices):
    """长辈版 (适老化): large text, stronger contrast, the home page reduced to big buttons."""

    STANDARD = "standard", _("标准版")
    ELDER = "elder", _("长辈版")


class Sex(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class RetirementCategory(models.TextChoices):
    """Which comparison table of the 2024 decision on the statutory retirement age applies
    (see ``insured.retirement``). A woman's original age (50 for workers, 55 for cadres) is
    not in the ID number: a clerk records it."""

    MALE = "male", _("男职工（原60周岁）")
    FEMALE_55 = "female_55", _("女职工（原55周岁）")
    FEMALE_50 = "female_50", _("女职工（原50周岁）")


class ContributorType(models.TextChoices):
    """How a period of the employee pension was paid: through an employer, or by the person
    as a flexible worker (灵活就业人员). Months and account add up either way."""

    EMPLOYER = "employer", _("单位职工")
    FLEXIBLE = "flexible", _("个人身份参保（灵活就业）")


class InsuredPerson(models.Model):
    """A person in the registry. The citizen ID number is also the social security number
    (Social Insurance Law art. 58); sex and birth date are read from it, not stored again."""

    id_number = models.CharField(
        _("公民身份号码"),
        max_length=18,
        unique=True,
        validators=[idnumbers.validate_id_number],
    )
    name = models.CharField(_("姓名"), max_length=50, validators=[validate_plain_text])
    hukou_region = models.ForeignKey(
        Region,
        verbose_name=_("户籍所在地"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    hukou_address = models.CharField(
        _("户籍地址"), max_length=200, validators=[validate_plain_text]
    )
    hukou_type = models.CharField(
        _("户籍类型"), max_length=10, choices=HukouType.choices, default=HukouType.URBAN
    )
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    work_start = models.DateField(
        _("参加工作时间"), null=True, blank=True, help_text=_("当月第一天；信息表打印此项")
    )
    email = models.EmailField(_("电子邮箱"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="insured_person",
    )
    # Empty until the person chooses: then it follows them to every device they log in on.
    display_mode = models.CharField(
        _("页面显示模式"), max_length=10, choices=DisplayMode.choices, blank=True
    )
    # Only women's matters: for men it is derived from the ID number. Blank for a woman means
    # not yet known (原法定退休年龄50或55周岁 depends on her post, recorded by the agency).
    retirement_category = models.CharField(
        _("法定退休年龄类别"),
        max_length=10,
        choices=RetirementCategory.choices,
        blank=True,
        help_text=_(
            "女职工原法定退休年龄为50周岁或55周岁，由经办机构按其岗位记录；男职工无需填写。"
        ),
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


class EnrollmentInsurance(models.TextChoices):
    """The insurances of an enrollment: the two that transfer across provinces
    (``agencies.Insurance``) and the urban-rural resident pension (城乡居民基本养老保险), which
    does not transfer but can be bridged with the employee pension (人社部发〔2014〕17号)."""

    PENSION = "pension", _("基本养老保险")
    MEDICAL = "medical", _("基本医疗保险")
    RESIDENT_PENSION = "resident_pension", _("城乡居民基本养老保险")


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
    # 人社部发〔2014〕17号: the account was merged into the other pension scheme (城乡制度衔接);
    # the enrollment holds ¥0.00 and no months, and shows where they went.
    BRIDGED = "bridged", _("已衔接")


class MovementStatus(models.TextChoices):
    IN_TRANSIT = "in_transit", _("转移途中")
    RECEIVED = "received", _("已转入")


class Enrollment(models.Model):
    """One insurance relationship (参保记录) of a person with one agency."""

    person = models.ForeignKey(
        InsuredPerson,
        verbose_name=_("参保人"),
        on_delete=models.CASCADE,
        related_name="enrollments",
    )
    insurance = models.CharField(_("险种"), max_length=20, choices=EnrollmentInsurance.choices)
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
    account_opened = models.DateField(
        _("建立个人账户时间"),
        null=True,
        blank=True,
        help_text=_("当月第一天；可早于1998年（如1995-07）。为空时按本地首次缴费月份。"),
    )
    # 人社部规〔2016〕5号: deemed years (视同缴费年限) count where the work was done; stored in
    # months per place so that the 10-year tests (66号 art. 6) can add them up exactly.
    deemed_months = models.PositiveIntegerField(
        _("视同缴费月数"), default=0, help_text=_("视同缴费年限折算的月数，记在工作所在地")
    )
    # What the status was before a transfer marked it 中断(转外省), so that a rejected,
    # returned or withdrawn case gives it back (insured.ledger.enrollment_restore_status).
    status_before_transfer = models.CharField(
        _("转出前参保状态"), max_length=20, choices=EnrollmentStatus.choices, blank=True
    )
    # 66号 art. 8(2): a temporary account is sealed (封存) when the person moves on: its money and
    # months stay here with their history, until the benefit place collects it (归集).
    sealed_at = models.DateField(_("临时缴费账户封存日期"), null=True, blank=True)

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

    @property
    def is_resident(self) -> bool:
        return self.insurance == EnrollmentInsurance.RESIDENT_PENSION

    @property
    def moved_away(self) -> bool:
        """Its months and money are held elsewhere now (transferred out, or bridged)."""
        return self.status in (EnrollmentStatus.TRANSFERRED_OUT, EnrollmentStatus.BRIDGED)

    def months_paid_here(self) -> int:
        """Months actually paid at this place (uses prefetched periods; for the resident
        pension, the months its yearly payments cover)."""
        if self.is_resident:
            return sum(p.months for p in self.resident_payments.all())
        return sum(y.months_paid for y in self.years.all())

    def received_rights(self) -> list["RightsMovement"]:
        """Rights transferred in and recorded here (uses prefetched movements)."""
        return [r for r in self.transferred_in.all() if r.status == MovementStatus.RECEIVED]

    def recorded_refunds(self) -> list["OverlapRefund"]:
        """Overlap refunds recorded on this resident enrollment (人社部发〔2014〕17号)."""
        if not self.is_resident:
            return []
        return [r for r in self.overlap_refunds.all() if r.recorded_at is not None]

    def months(self) -> int:
        """Months held here: paid here plus transferred in and recorded; none once the
        relationship has moved on (they are carried by the movement out). A resident
        enrollment loses the overlap months refunded (they count only as employee months)."""
        if self.moved_away:
            return 0
        refunded = sum(r.months for r in self.recorded_refunds())
        return self.months_paid_here() - refunded + sum(r.months for r in self.received_rights())

    def own_account(self) -> Decimal:
        """The account paid here, before anything moved in or out: credits and interest of
        every period; for the resident pension, every yearly payment (personal contribution,
        government and collective subsidies)."""
        if self.is_resident:
            return sum((p.total for p in self.resident_payments.all()), Decimal("0"))
        return sum((y.personal_account_credit + y.interest for y in self.years.all()), Decimal("0"))

    def personal_account_balance(self) -> Decimal:
        """The account held here: credits and interest of every period (interest earned here on
        transferred-in money included) plus the sums transferred in, less overlap refunds;
        ¥0.00 once moved on."""
        if self.moved_away:
            return Decimal("0.00")
        carried = sum((r.personal_account for r in self.received_rights()), Decimal("0"))
        refunded = sum((r.amount for r in self.recorded_refunds()), Decimal("0"))
        return (self.own_account() + carried - refunded).quantize(Decimal("0.01"))


class ContributionYear(models.Model):
    """One contribution period (缴费期间) at one enrollment: months of one calendar year with
    one monthly base and one pair of rates. A year holds several periods where the base or a
    rate changed (Beijing's base year runs July–June; employer rate 20% → 16% from 2019-05).
    Written through ``insured.ledger.period_add``, which refuses overlaps and bad figures."""

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
    # Rates as fractions (0.16 = 16%); empty on rows migrated from yearly records whose rate
    # was not stored: forms then derive it from the amounts of that one period.
    employer_rate = models.DecimalField(
        _("单位缴费比例"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    personal_rate = models.DecimalField(
        _("个人缴费比例"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    employer_contribution = models.DecimalField(_("单位缴费"), max_digits=12, decimal_places=2)
    personal_contribution = models.DecimalField(_("个人缴费"), max_digits=12, decimal_places=2)
    personal_account_credit = models.DecimalField(
        _("当年记账金额"), max_digits=12, decimal_places=2
    )
    interest = models.DecimalField(_("当年记账利息"), max_digits=12, decimal_places=2)
    contributor_type = models.CharField(
        _("参保身份"),
        max_length=10,
        choices=ContributorType.choices,
        default=ContributorType.EMPLOYER,
        help_text=_("灵活就业人员以个人身份缴费的期间，表单打印“个人身份参保”"),
    )

    class Meta:
        verbose_name = _("缴费期间")
        verbose_name_plural = _("缴费期间")
        ordering = ["enrollment_id", "year", "first_month"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "year", "first_month"], name="contribution_period_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(first_month__lte=models.F("last_month")),
                name="contribution_months_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.year}-{self.first_month:02d}..{self.last_month:02d}: {self.months_paid}"

    @property
    def is_flexible(self) -> bool:
        return self.contributor_type == ContributorType.FLEXIBLE

    @property
    def first(self) -> datetime.date:
        return datetime.date(self.year, self.first_month, 1)

    @property
    def last(self) -> datetime.date:
        return datetime.date(self.year, self.last_month, 1)


class RightsMovement(models.Model):
    """One entry of the ledger of rights: what a transfer took from one enrollment to another.

    Written when the transfer-out agency issues the info sheet (``in_transit``: the months and
    money have left the old place) and marked ``received`` when the transfer-in agency records
    the rights (记录个人权益). Once received, the rights are part of the receiving enrollment's
    history: a later transfer from there moves them on by the same rules (66号 art. 4), so
    the parts of the account (① ② ③) and the pooled-fund basis (real wages from 1998-01) are
    kept, not only the totals. The registry knows the case only by its serial number."""

    to_enrollment = models.ForeignKey(
        Enrollment,
        verbose_name=_("转入参保记录"),
        on_delete=models.CASCADE,
        related_name="transferred_in",
    )
    from_enrollment = models.ForeignKey(
        Enrollment,
        verbose_name=_("转出参保记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transferred_out",
    )
    reference = models.CharField(_("申报流水号"), max_length=16, unique=True)
    from_region = models.ForeignKey(
        Region, verbose_name=_("转出地"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=MovementStatus.choices, default=MovementStatus.RECEIVED
    )
    transfer_date = models.DateField(_("转移日期"), null=True, blank=True)
    months = models.PositiveIntegerField(_("转入缴费月数"))
    before_1998 = models.DecimalField(
        _("①1998年前个人缴费本息"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    since_1998_to_last_year = models.DecimalField(
        _("②1998年至上年末个人账户储存额"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    transfer_year_principal = models.DecimalField(
        _("③转移当年记账本金"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    personal_account = models.DecimalField(_("转入个人账户金额"), max_digits=14, decimal_places=2)
    pooled_fund = models.DecimalField(_("转入统筹基金金额"), max_digits=14, decimal_places=2)
    # 66号 art. 4 (2): the next transfer moves 12% of these wages again, with the wages paid
    # at the receiving place: the basis travels with the person, not the rounded 12%.
    wages_since_1998 = models.DecimalField(
        _("1998年起实际缴费工资总额"), max_digits=16, decimal_places=2, default=Decimal("0.00")
    )
    sent_at = models.DateTimeField(_("转出时间"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("记录时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("权益转移记录")
        verbose_name_plural = _("权益转移记录")
        ordering = ["transfer_date", "id"]

    def __str__(self):
        return self.reference


class ResidentPayment(models.Model):
    """One year of the urban-rural resident pension (城乡居民基本养老保险): the grade chosen
    (缴费档次, yuan a year), the person's contribution, the government subsidy (政府补贴) and the
    collective subsidy (集体补助), all credited to the resident personal account, and the months
    of that year the enrollment covered (a part year at the start or the end)."""

    enrollment = models.ForeignKey(
        Enrollment,
        verbose_name=_("参保记录"),
        on_delete=models.CASCADE,
        related_name="resident_payments",
    )
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(1950), MaxValueValidator(2100)]
    )
    first_month = models.PositiveSmallIntegerField(
        _("起始月"), default=1, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    last_month = models.PositiveSmallIntegerField(
        _("截止月"), default=12, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    grade = models.DecimalField(_("缴费档次（元/年）"), max_digits=10, decimal_places=2)
    personal_contribution = models.DecimalField(_("个人缴费"), max_digits=10, decimal_places=2)
    government_subsidy = models.DecimalField(_("政府补贴"), max_digits=10, decimal_places=2)
    collective_subsidy = models.DecimalField(
        _("集体补助"), max_digits=10, decimal_places=2, default=Decimal("0.00")
    )

    class Meta:
        verbose_name = _("城乡居民养老保险年度缴费")
        verbose_name_plural = _("城乡居民养老保险年度缴费")
        ordering = ["enrollment_id", "year"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "year"], name="resident_payment_year"),
            models.CheckConstraint(
                condition=models.Q(first_month__lte=models.F("last_month")),
                name="resident_payment_months_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.year}: ¥{self.total}"

    @property
    def months(self) -> int:
        return self.last_month - self.first_month + 1

    @property
    def total(self) -> Decimal:
        return self.personal_contribution + self.government_subsidy + self.collective_subsidy


class OverlapRefund(models.Model):
    """人社部发〔2014〕17号: months paid in both pension schemes count only as employee months;
    the resident personal contributions and collective subsidies of those months are refunded
    to the person (the government subsidies stay in the account). Computed when the bridging
    case's info sheet is issued; ``recorded_at`` set when the bridging is recorded (办结), from
    then on the resident account and months no longer hold it."""

    enrollment = models.ForeignKey(
        Enrollment,
        verbose_name=_("城乡居民养老保险参保记录"),
        on_delete=models.PROTECT,
        related_name="overlap_refunds",
    )
    reference = models.CharField(_("申报流水号"), max_length=16, unique=True)
    amount = models.DecimalField(_("退还金额"), max_digits=12, decimal_places=2)
    months = models.PositiveIntegerField(_("重复缴费月数"))
    first_month = models.DateField(_("重复缴费起始年月"), null=True, blank=True)
    last_month = models.DateField(_("重复缴费截止年月"), null=True, blank=True)
    resident_account = models.DecimalField(
        _("城乡居民养老保险个人账户储存额"), max_digits=14, decimal_places=2
    )
    computed_at = models.DateTimeField(_("核算时间"), auto_now_add=True)
    recorded_at = models.DateTimeField(_("记录时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("重复缴费退还")
        verbose_name_plural = _("重复缴费退还")
        ordering = ["computed_at", "id"]

    def __str__(self):
        return f"{self.reference} ¥{self.amount}"


class EnrollmentEvent(models.Model):
    """Immutable log of an enrollment's status changes (who, when, from, to, which case)."""

    enrollment = models.ForeignKey(
        Enrollment, verbose_name=_("参保记录"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=20, choices=EnrollmentStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=20, choices=EnrollmentStatus.choices)
    reference = models.CharField(_("申报流水号"), max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("参保状态变更")
        verbose_name_plural = _("参保状态变更")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.enrollment_id} {self.from_status} → {self.to_status}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("enrollment events are immutable")
        super().save(*args, **kwargs)


from insured.access_log import PersonAccess  # noqa: E402, F401  (the access log's table)
