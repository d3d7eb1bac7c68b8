from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from agencies import names
from agencies.models import Agency, Insurance, Region
from core.validators import validate_plain_multiline_text, validate_plain_text
from insured.models import Enrollment, InsuredPerson
from transfers.workflow import OPEN_STATUSES, CaseStatus, StageName


class Category(models.TextChoices):
    """The kinds of transfer-in of Beijing's 转入 forms, with their official labels (the medical
    form calls the spouse category 随军配偶: ``transfers.forms.category_label``)."""

    ENTERPRISE = "enterprise", _("外省企业保险转入")
    INSTITUTION = "institution", _("外省机关事业保险转入")
    VETERAN = "veteran", _("退役军人保险转入")
    MILITARY_SPOUSE = "military_spouse", _("未就业随军配偶保险转入")
    EMPLOYEE = "employee", _("普通职工")
    # 人社部发〔2014〕17号 城乡养老保险制度衔接 (insurance "pension"; transfers.services.bridging).
    RESIDENT_TO_EMPLOYEE = "resident_to_employee", _("城乡居民养老保险转入职工养老保险")
    EMPLOYEE_TO_RESIDENT = "employee_to_resident", _("职工养老保险转入城乡居民养老保险")


# Beijing's medical form labels the spouse category 随军配偶; the pension form 未就业随军配偶保险转入.
CATEGORY_LABELS = {
    (Insurance.MEDICAL, Category.MILITARY_SPOUSE): _("随军配偶"),
}


def category_label(insurance: str, category: str) -> str:
    return str(CATEGORY_LABELS.get((insurance, category)) or Category(category).label)


# The categories this portal handles online: the transfer-out party is a civilian agency
# whose records the portal reads.
CATEGORIES_BY_INSURANCE = {
    Insurance.PENSION: (Category.ENTERPRISE, Category.INSTITUTION),
    Insurance.MEDICAL: (Category.EMPLOYEE,),
}

# 城乡制度衔接: a pension case between the two schemes, inside one pooling area or province.
BRIDGING_CATEGORIES = (Category.RESIDENT_TO_EMPLOYEE, Category.EMPLOYEE_TO_RESIDENT)

# The categories of the forms that are handled at the transfer-in agency's counter only: their
# money comes from the military's fund office, which is no party on this portal (the
# application would carry the 军人退役基本养老保险关系转移接续信息表 and a clerk would enter its
# months and amounts). Refused with the counter's address instead of "no transfer-out record".
COUNTER_ONLY_CATEGORIES = {
    Insurance.PENSION: (Category.VETERAN, Category.MILITARY_SPOUSE),
    Insurance.MEDICAL: (Category.MILITARY_SPOUSE,),
}


class CaseKind(models.TextChoices):
    TRANSFER = "transfer", _("转移接续")
    # 66号 art. 8(2): at retirement the benefit place collects (归集) a temporary account into
    # the relationship it holds; its clerk starts the case, the rest is the transfer's flow.
    COLLECTION = "collection", _("临时缴费账户归集")


def attachment_path(instance, filename):
    # Private media with an unguessable name; the original name is not kept in the path.
    import uuid

    # The extension is the kind the parsers detected (transfers.attachments), never the upload's.
    extension = filename.rsplit(".", 1)[-1] if "." in filename else ""
    extension = extension if extension in {"pdf", "jpg", "png"} else "bin"
    return f"attachments/{instance.submitted_at:%Y/%m}/{uuid.uuid4().hex}.{extension}"


class TransferApplication(models.Model):
    """One application (转入申请) of one insurance, naming one or more transfer-out places: one
    case per place, processed in parallel (issue 9 item 9). Its number is the serial number of
    its first case, so a one-place application and its case share one number.

    ``is_open`` is kept by the services (``transfers.services.base.apply_move``): true while any
    of its cases is open. The partial unique index makes "one open application per person and
    insurance" a database rule, so two concurrent submissions cannot both open one."""

    number = models.CharField(_("申请编号"), max_length=16, unique=True)
    person = models.ForeignKey(
        InsuredPerson,
        verbose_name=_("参保人"),
        on_delete=models.PROTECT,
        related_name="transfer_applications",
    )
    insurance = models.CharField(_("险种"), max_length=10, choices=Insurance.choices)
    kind = models.CharField(
        _("类型"), max_length=12, choices=CaseKind.choices, default=CaseKind.TRANSFER
    )
    is_open = models.BooleanField(_("办理中"), default=True)
    submitted_at = models.DateTimeField(_("申报时间"))

    class Meta:
        verbose_name = _("转入申请")
        verbose_name_plural = _("转入申请")
        ordering = ["-submitted_at"]
        constraints = [
            # 同一险种只能有一笔在途申请 (its cases, one per transfer-out place, may be open together).
            models.UniqueConstraint(
                fields=["person", "insurance"],
                condition=Q(is_open=True, kind="transfer"),
                name="one_open_application_per_insurance",
            ),
        ]

    def __str__(self):
        return self.number


class TransferCase(models.Model):
    """One insurance of one person moving from a transfer-out to a transfer-in agency."""

    serial_no = models.CharField(_("申报流水号"), max_length=16, unique=True)
    application = models.ForeignKey(
        TransferApplication,
        verbose_name=_("转入申请"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    person = models.ForeignKey(
        InsuredPerson, verbose_name=_("参保人"), on_delete=models.PROTECT, related_name="transfers"
    )
    insurance = models.CharField(_("险种"), max_length=10, choices=Insurance.choices)
    kind = models.CharField(
        _("类型"), max_length=12, choices=CaseKind.choices, default=CaseKind.TRANSFER
    )
    category = models.CharField(_("转入类别"), max_length=20, choices=Category.choices)
    from_region = models.ForeignKey(
        Region, verbose_name=_("转出地"), on_delete=models.PROTECT, related_name="+"
    )
    to_region = models.ForeignKey(
        Region, verbose_name=_("转入地"), on_delete=models.PROTECT, related_name="+"
    )
    transfer_out_agency = models.ForeignKey(
        Agency, verbose_name=_("转出地经办机构"), on_delete=models.PROTECT, related_name="+"
    )
    transfer_in_agency = models.ForeignKey(
        Agency, verbose_name=_("转入地经办机构"), on_delete=models.PROTECT, related_name="+"
    )
    from_enrollment = models.ForeignKey(
        Enrollment, verbose_name=_("转出参保记录"), on_delete=models.PROTECT, related_name="+"
    )
    to_enrollment = models.ForeignKey(
        Enrollment, verbose_name=_("转入参保记录"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("办理状态"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.SUBMITTED
    )
    contact_phone = models.CharField(_("联系电话"), max_length=20)
    hukou_address = models.CharField(
        _("户籍地址"), max_length=200, validators=[validate_plain_text]
    )
    attachment = models.FileField(_("附件"), upload_to=attachment_path, blank=True)
    attachment_name = models.CharField(_("附件原文件名"), max_length=200, blank=True)
    # 66号 art. 8(2): a transfer approved by a personnel department (调动) moves the relationship
    # whatever the age; the attachment carries the approval, the transfer-in reviewer checks it.
    approved_transfer = models.BooleanField(
        _("经批准调动"),
        default=False,
        help_text=_("附件为组织人事部门的调动批准材料；受理时审核员须确认已核验。"),
    )
    overlapping_months = models.JSONField(
        _("重复缴费月份"),
        default=list,
        blank=True,
        help_text=_("两地同时缴费的月份（YYYY-MM），提示经办人员处理，不影响受理。"),
    )
    end_reason = models.TextField(
        _("不予受理或退回原因"), blank=True, validators=[validate_plain_multiline_text]
    )
    # Due date of the stage now running: stored so that queues sort overdue-first on an index.
    current_due_date = models.DateField(_("当前环节办理时限"), null=True, blank=True)
    # 需人工处理: an automatic step failed for good. A flag, not a state: the case keeps its
    # status and waits in the responsible agency's attention queue until a clerk retries.
    attention_since = models.DateTimeField(_("转人工处理时间"), null=True, blank=True)
    attention_agency = models.ForeignKey(
        Agency,
        verbose_name=_("负责处理的经办机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    attention_reason = models.TextField(_("需人工处理的原因"), blank=True)
    attention_detail = models.TextField(_("技术信息"), blank=True)
    attention_event = models.ForeignKey(
        "CaseEvent",
        verbose_name=_("未完成的后续处理"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("申报时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("转移接续申请")
        verbose_name_plural = _("转移接续申请")
        ordering = ["-submitted_at"]
        constraints = [
            # One case per transfer-out agency in one application. One open application per
            # insurance is TransferApplication's constraint.
            models.UniqueConstraint(
                fields=["application", "transfer_out_agency"],
                name="one_case_per_place_in_application",
            ),
        ]
        indexes = [
            # Back-office queues: one agency, one status, overdue (earliest due) first.
            models.Index(
                fields=["transfer_in_agency", "status", "current_due_date"],
                name="case_in_queue_idx",
            ),
            models.Index(
                fields=["transfer_out_agency", "status", "current_due_date"],
                name="case_out_queue_idx",
            ),
            # An agency's whole list, one index per party side in each list's order (the
            # back office: overdue first, then newest; the API: overdue first, then oldest).
            # ``core.pagination.PartsPaginator`` reads each side up to the page's end.
            *[
                models.Index(
                    F(f"transfer_{side}_agency"),
                    F("current_due_date").asc(nulls_last=True),
                    *order,
                    name=f"case_{side}_{name}_idx",
                )
                for side in ("in", "out")
                for name, order in (
                    ("admin", (F("submitted_at").desc(), F("id").desc())),
                    ("api", (F("submitted_at").asc(), F("id").asc())),
                )
            ],
            models.Index(fields=["person", "-submitted_at"], name="case_person_idx"),
            # The workbench's live days (transfers.figures): the cases submitted since yesterday.
            models.Index(fields=["submitted_at"], name="case_submitted_idx"),
            # The attention queue: few rows, so a partial index keeps it cheap at any size.
            models.Index(
                fields=["attention_agency", "current_due_date"],
                condition=Q(attention_since__isnull=False),
                name="case_attention_idx",
            ),
        ]

    def __str__(self):
        return self.serial_no

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_bridging(self) -> bool:
        return self.category in BRIDGING_CATEGORIES

    # Names from the per-process cache (agencies.names): lists and pages need no joins.
    @property
    def from_region_name(self) -> str:
        return names.region_full_name(self.from_region_id)

    @property
    def to_region_name(self) -> str:
        return names.region_full_name(self.to_region_id)

    @property
    def transfer_out_agency_name(self) -> str:
        return names.agency_name(self.transfer_out_agency_id)

    @property
    def transfer_in_agency_name(self) -> str:
        return names.agency_name(self.transfer_in_agency_id)


class DailySerial(models.Model):
    """The last serial number used on a day; its row lock makes numbers gap-free."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("流水号计数")
        verbose_name_plural = _("流水号计数")

    def __str__(self):
        return f"{self.day}: {self.last}"


class Stage(models.Model):
    case = models.ForeignKey(TransferCase, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("环节"), max_length=20, choices=StageName.choices)
    started_at = models.DateTimeField(_("开始时间"))
    due_date = models.DateField(_("办理时限"), null=True, blank=True)
    # Counted with a day that no official holiday schedule knows yet (transfers.calendar):
    # shown as 预计, recomputed when the calendar table changes.
    due_date_estimated = models.BooleanField(_("办理时限为预计"), default=False)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    overdue_marked_at = models.DateTimeField(_("标记超时时间"), null=True, blank=True)
    # The agency whose side the stage is (workflow.STAGE_SIDE), set from the case by
    # ``services.base.start_stage``: the workbench reads an agency's stages of a day by this and its index
    # instead of joining every case of the agency.
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("办理机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")
        ordering = ["case_id", "started_at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "name"], name="stage_once_per_case")]
        indexes = [
            models.Index(
                fields=["due_date"],
                condition=Q(completed_at__isnull=True, overdue_marked_at__isnull=True),
                name="stage_open_due_idx",
            ),
            # The workbench's live days: the stages completed since yesterday.
            models.Index(
                fields=["completed_at"],
                condition=Q(completed_at__isnull=False),
                name="stage_completed_idx",
            ),
            models.Index(
                fields=["agency", "completed_at"],
                condition=Q(completed_at__isnull=False),
                name="stage_agency_completed_idx",
            ),
        ]

    def __str__(self):
        return f"{self.case_id} {self.name}"


class CaseEvent(models.Model):
    """Immutable audit log: who moved the case from which state to which, when and why.

    The event is also the outbox entry of its move's follow-ups (``workflow.MOVES``): written
    in the move's transaction, dispatched after commit by ``transfers.services.outbox``. Only
    the dispatch bookkeeping below ever changes, through conditional ``update()`` calls."""

    case = models.ForeignKey(TransferCase, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=30)
    from_status = models.CharField(_("原状态"), max_length=20, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("经办机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    # Outbox: None until every follow-up ran (events without follow-ups are born dispatched).
    dispatched_at = models.DateTimeField(_("后续处理完成时间"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("后续处理开始时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近一次错误"), blank=True)
    # Set when the retries ran out (the case is then in the attention queue); cleared by retry.
    failed_at = models.DateTimeField(_("后续处理失败时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["created_at", "id"]
        indexes = [
            # The re-dispatcher's scan: only the few undispatched events are in it.
            models.Index(
                fields=["created_at"],
                condition=Q(dispatched_at__isnull=True, failed_at__isnull=True),
                name="event_undispatched_idx",
            ),
            # The workbench's live days: one agency's moves since yesterday.
            models.Index(fields=["agency", "created_at"], name="event_agency_time_idx"),
        ]

    def __str__(self):
        return f"{self.case_id} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("case events are immutable")
        super().save(*args, **kwargs)


class TransferFunds(models.Model):
    """The amounts computed from the transfer-out records when the info sheet is issued."""

    case = models.OneToOneField(TransferCase, on_delete=models.CASCADE, related_name="funds")
    months = models.PositiveIntegerField(_("转移缴费月数"))
    before_1998 = models.DecimalField(_("①1998年前个人缴费本息"), max_digits=14, decimal_places=2)
    since_1998_to_last_year = models.DecimalField(
        _("②1998年至上年末个人账户储存额"), max_digits=14, decimal_places=2
    )
    transfer_year_principal = models.DecimalField(
        _("③转移当年记账本金"), max_digits=14, decimal_places=2
    )
    personal_account = models.DecimalField(
        _("④个人账户基金转移额"), max_digits=14, decimal_places=2
    )
    pooled_fund = models.DecimalField(_("⑤统筹基金转移额"), max_digits=14, decimal_places=2)
    total = models.DecimalField(_("⑥转移基金总额"), max_digits=14, decimal_places=2)
    computed_at = models.DateTimeField(_("计算时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("转移基金")
        verbose_name_plural = _("转移基金")

    def __str__(self):
        return f"{self.case_id} ¥{self.total}"


class FundRemittance(models.Model):
    """The one remittance of a case: the unique case and key make a repeat pay nothing."""

    case = models.OneToOneField(TransferCase, on_delete=models.PROTECT, related_name="remittance")
    idempotency_key = models.CharField(_("划转唯一键"), max_length=40, unique=True)
    amount = models.DecimalField(_("划转金额"), max_digits=14, decimal_places=2)
    from_account = models.CharField(_("付款账户"), max_length=200)
    to_account = models.CharField(_("收款账户"), max_length=200)
    bank_reference = models.CharField(_("银行流水号"), max_length=64, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("审批时间"), auto_now_add=True)
    # Set only once the bank returned its reference: until then the money has not moved.
    paid_at = models.DateTimeField(_("银行划出时间"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("到账确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_at = models.DateTimeField(_("到账时间"), null=True, blank=True)
    # The case's two agencies, set by ``transfer_remit``: the workbench reads an
    # agency's money of a day by these and their indexes instead of joining its every case.
    payer_agency = models.ForeignKey(
        Agency,
        verbose_name=_("划出机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    payee_agency = models.ForeignKey(
        Agency,
        verbose_name=_("接收机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("基金划转")
        verbose_name_plural = _("基金划转")
        indexes = [
            # The workbench's live days: money paid out and confirmed since yesterday, of every
            # agency (rolling) and of one.
            models.Index(fields=["paid_at"], name="remittance_paid_idx"),
            models.Index(fields=["received_at"], name="remittance_received_idx"),
            models.Index(fields=["payer_agency", "paid_at"], name="remittance_payer_paid_idx"),
            models.Index(
                fields=["payee_agency", "received_at"], name="remittance_payee_received_idx"
            ),
        ]

    def __str__(self):
        return f"{self.case_id} ¥{self.amount}"


class LocalBankTransfer(models.Model):
    """The ledger of the local bank adapter (``transfers.bank.LocalBank``).

    It stands in for the bank's own books: the unique idempotency key is what makes the "bank"
    itself refuse a second payment for the same remittance, whatever the caller does."""

    idempotency_key = models.CharField(_("划转唯一键"), max_length=40, unique=True)
    amount = models.DecimalField(_("金额"), max_digits=14, decimal_places=2)
    from_account = models.CharField(_("付款账户"), max_length=200)
    to_account = models.CharField(_("收款账户"), max_length=200)
    reference = models.CharField(_("银行流水号"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("记账时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("本地银行划转记录")
        verbose_name_plural = _("本地银行划转记录")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.reference} ¥{self.amount}"


class DailyFigures(models.Model):
    """The workbench's figures of one closed day, for one agency (or, agency None, for every
    agency together), so that its 12-week and 12-month charts read a few hundred rows whatever
    the number of cases (``transfers.figures``).

    A day is rolled once it is over: every time a figure counts (submitted, completed, paid,
    received, a clerk's move) is set to "now" when it happens, so a closed day never changes.
    The row with agency None exists for every rolled day: it marks the day as rolled."""

    day = models.DateField(_("日期"))
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("经办机构"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    received = models.PositiveIntegerField(_("受理申请件数"), default=0)
    remitted = models.DecimalField(_("划出金额"), max_digits=16, decimal_places=2, default=0)
    confirmed = models.DecimalField(_("到账金额"), max_digits=16, decimal_places=2, default=0)
    # {stage: {working days: stages}}: a histogram, so that medians over any window are exact.
    durations = models.JSONField(_("环节办理用时分布"), default=dict, blank=True)
    # {username: moves}
    moves = models.JSONField(_("经办人员办理件次"), default=dict, blank=True)

    class Meta:
        verbose_name = _("每日经办统计")
        verbose_name_plural = _("每日经办统计")
        ordering = ["day", "agency_id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "day"], name="figures_once_per_agency_day"),
            models.UniqueConstraint(
                fields=["day"], condition=Q(agency__isnull=True), name="figures_once_per_day"
            ),
        ]

    def __str__(self):
        return f"{self.day} {self.agency_id or '*'}"
