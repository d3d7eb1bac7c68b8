from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One in-app message for one user (我的消息). Written only by tasks, after commit."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    # The same message in English: the reader sees the language they read in, at reading time.
    title_en = models.CharField(_("标题（英文）"), max_length=200, blank=True)
    body_en = models.TextField(_("内容（英文）"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    # What the message is about (e.g. "case-event:42"): a task that runs twice finds its
    # notification already there and sends nothing again.
    key = models.CharField(_("消息键"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        # Created by the portal app before the restack; the table keeps its name.
        db_table = "portal_notification"
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], condition=~Q(key=""), name="notification_once_per_key"
            )
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="notification_user_idx")]

    def __str__(self):
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def title_for_reader(self) -> str:
        return self.title_en if get_language() == "en" and self.title_en else self.title

    @property
    def body_for_reader(self) -> str:
        return self.body_en if get_language() == "en" and self.body_en else self.body


class DeliveryChannel(models.TextChoices):
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class Delivery(models.Model):
    """One e-mail or SMS to send: an outbox entry of its own. It is claimed (pending →
    sending) by a conditional update before the gateway is called, so no crash or repeat can
    send it twice; one left "sending" by a crash is marked failed (result unknown) for a
    person to look at, never re-sent blindly."""

    key = models.CharField(_("发送键"), max_length=120, unique=True)
    channel = models.CharField(_("渠道"), max_length=10, choices=DeliveryChannel.choices)
    recipient = models.CharField(_("接收方"), max_length=254)
    subject = models.CharField(_("标题"), max_length=200, blank=True)
    body = models.TextField(_("内容"))
    status = models.CharField(
        _("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近一次错误"), blank=True)
    claimed_at = models.DateTimeField(_("开始发送时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("消息发送")
        verbose_name_plural = _("消息发送")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["status", "claimed_at"],
                condition=~Q(status="sent"),
                name="delivery_unsent_idx",
            )
        ]

    def __str__(self):
        return f"{self.get_channel_display()} {self.key}"


class AuthToken(models.Model):
    """One API login (``POST /api/v1/auth/token/``): a random key the client keeps, stored here
    only as its SHA-256, valid until ``expires_at``; deleted on logout and password change."""

    digest = models.CharField(_("摘要"), max_length=64, unique=True)
    # The key's first characters, to tell a user's tokens apart in the admin and the logs.
    prefix = models.CharField(_("前缀"), max_length=8)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="auth_tokens",
    )
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"), db_index=True)
    # A staff token is issued only after the second factor (core.otp): the agency API checks it.
    otp_verified = models.BooleanField(_("已通过动态验证码"), default=False)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self):
        return f"{self.prefix}…"


class CodePurpose(models.TextChoices):
    REGISTER = "register", _("注册")
    RESET = "reset", _("找回密码")


class OneTimeCode(models.Model):
    """A 6-digit code sent by SMS to prove control of the phone on file. Stored as a keyed
    hash; valid for ``ONE_TIME_CODE_TTL_SECONDS``, ``ONE_TIME_CODE_MAX_TRIES`` wrong tries,
    used once. Issuing a new code for the same subject and purpose voids the older ones."""

    purpose = models.CharField(_("用途"), max_length=10, choices=CodePurpose.choices)
    # What the code proves control for: the ID number (the future username).
    subject = models.CharField(_("对象"), max_length=150)
    code_hash = models.CharField(_("验证码摘要"), max_length=64)
    created_at = models.DateTimeField(_("发送时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"))
    tries = models.PositiveSmallIntegerField(_("错误次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        indexes = [
            models.Index(fields=["purpose", "subject", "-created_at"], name="code_lookup_idx")
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} {self.subject}"
