import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from documents.kinds import DocumentKind


def new_verification_token() -> str:
    """192 random bits, URL-safe: printed under the QR code, never guessable."""
    return secrets.token_urlsafe(24)


# Crockford's base32 without I, L, O, U: no two letters a reader can confuse on paper.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12  # 60 bits; the look-up is throttled


def new_verification_code() -> str:
    """The short 验证码 printed on every page, typed by a paper holder on /verify/."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_verification_code(text: str) -> str:
    """What a person typed → the stored form: case, spaces and dashes ignored, O→0, I/L→1."""
    cleaned = "".join(ch for ch in text.upper() if ch not in " -－—\u3000\t")
    return cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))


def format_verification_code(code: str) -> str:
    """ABCD-EFGH-JKMN, as printed."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


class DocumentStatus(models.TextChoices):
    ISSUING = "issuing", _("出具中")
    ISSUED = "issued", _("有效")
    SUPERSEDED = "superseded", _("已被替代")
    REVOKED = "revoked", _("已撤销")
    VOIDED = "voided", _("作废")


def pdf_upload_to(instance: "Document", filename: str) -> str:
    # The path is random, not the number: MEDIA_ROOT is private, but a path should reveal
    # nothing and collide with nothing even if it leaks into a log.
    return f"documents/{instance.year}/{secrets.token_hex(16)}.pdf"


class DocumentCounter(models.Model):
    """The last number used per agency, kind and year. Issuing locks this row
    (``select_for_update``) in the same transaction that writes the document, so numbers are
    gap-free: a transaction that fails rolls its number back with it."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("经办机构"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("文书种类"), max_length=32, choices=DocumentKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    last_sequence = models.PositiveIntegerField(_("已用最大序号"), default=0)

    class Meta:
        verbose_name = _("文书编号计数器")
        verbose_name_plural = _("文书编号计数器")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "kind", "year"], name="document_counter_unique"
            )
        ]

    def __str__(self):
        return f"{self.agency} · {self.get_kind_display()} · {self.year}: {self.last_sequence}"


STORED_STATUSES = (DocumentStatus.ISSUED, DocumentStatus.SUPERSEDED, DocumentStatus.REVOKED)


class DocumentQuerySet(models.QuerySet):
    def stored(self) -> "DocumentQuerySet":
        """Documents that exist as a PDF (in force or not): not a voided number, nor one still
        being rendered. What lists, links and "already issued?" checks should read."""
        return self.filter(status__in=STORED_STATUSES)


class Document(models.Model):
    """An issued official document. Written once by ``documents.services.document_issue`` and
    never changed: re-printing serves the stored bytes, whose sha256 is recorded here."""

    kind = models.CharField(_("文书种类"), max_length=32, choices=DocumentKind.choices)
    number = models.CharField(_("编号"), max_length=40)
    year = models.PositiveSmallIntegerField(_("年度"))
    sequence = models.PositiveIntegerField(_("序号"))
    # By app label, not an import: documents knows its holder only as a key (the stack).
    holder = models.ForeignKey(
        "insured.InsuredPerson",
        verbose_name=_("持有人"),
        on_delete=models.PROTECT,
        related_name="documents",
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("出具机构"),
        on_delete=models.PROTECT,
        related_name="issued_documents",
    )
    counterpart_agency = models.ForeignKey(
        Agency,
        verbose_name=_("对方机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="received_documents",
        help_text=_("转移业务的另一方经办机构，其经办人员也可查阅本文书。"),
    )
    # The transfer's serial number (申报流水号); documents knows it only as a reference, so
    # that it does not depend on ``transfers``. Blank for documents a person issues alone.
    case_reference = models.CharField(_("申报流水号"), max_length=16, blank=True, db_index=True)
    # What a person-issued document is about, e.g. "enrollment:42" for a certificate, so that
    # printing the same certificate again re-serves it instead of taking another number.
    subject_key = models.CharField(_("文书对象"), max_length=64, blank=True)
    pdf = models.FileField(_("PDF 文件"), upload_to=pdf_upload_to, max_length=200, blank=True)
    # Of the signed bytes, as stored and served.
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True, blank=True)
    size = models.PositiveIntegerField(_("文件大小（字节）"), default=0)
    verification_token = models.CharField(
        _("二维码令牌"), max_length=64, unique=True, default=new_verification_token, editable=False
    )
    # Printed on every page since the short codes were introduced; documents issued before
    # print their token as 验证码 and have none (the verify form accepts both).
    verification_code = models.CharField(
        _("验证码"), max_length=16, unique=True, null=True, blank=True, editable=False
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=DocumentStatus.choices, default=DocumentStatus.ISSUED
    )
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)
    status_reason = models.CharField(_("状态变更原因"), max_length=500, blank=True)
    # What a reader compares with the paper: [{"label": msgid, "value": text}], public.
    key_figures = models.JSONField(_("关键数据"), default=list, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("出具人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("出具时间"))
    # A certificate whose records changed after it was issued is re-issued under a new number;
    # the old one stays verifiable and says which document replaced it.
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("已被替代为"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("出具文书")
        verbose_name_plural = _("出具文书")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "kind", "year", "sequence"], name="document_number_unique"
            ),
            # A retried Celery task for the same case finds the document instead of numbering
            # a second one.
            # A voided number (its render failed) does not count: the retry takes a new one.
            models.UniqueConstraint(
                fields=["kind", "case_reference"],
                condition=~models.Q(case_reference="") & ~models.Q(status="voided"),
                name="document_one_per_case_and_kind",
            ),
            models.UniqueConstraint(
                fields=["kind", "subject_key"],
                condition=~models.Q(subject_key="") & ~models.Q(status="voided"),
                name="document_one_per_subject_and_kind",
            ),
        ]
        indexes = [models.Index(fields=["holder", "kind"], name="document_holder_kind_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"

    @property
    def url(self) -> str:
        """The API URL serving the stored PDF (holder and party agencies only)."""
        return reverse("document-pdf", args=[self.pk])

    @property
    def verify_path(self) -> str:
        return reverse("document-verify", args=[self.verification_token])

    @property
    def verify_url(self) -> str:
        """The public verification page, absolute: it is printed in the QR code."""
        return f"{settings.PORTAL_BASE_URL}{self.verify_path}"

    @property
    def printed_code(self) -> str:
        """The 验证码 as printed on the paper."""
        if self.verification_code:
            return format_verification_code(self.verification_code)
        return self.verification_token

    @property
    def is_valid(self) -> bool:
        return self.status == DocumentStatus.ISSUED

    @property
    def filename(self) -> str:
        return f"{self.get_kind_display()}-{self.number}.pdf"

    @property
    def holder_name_masked(self) -> str:
        return mask_name(self.holder.name)

    def party_agency_ids(self) -> set[int]:
        return {self.agency_id} | ({self.counterpart_agency_id} - {None})


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***: enough to recognise one's own document, no more."""
    if len(name) <= 1:
        return name
    return name[0] + "*" * (len(name) - 1)
