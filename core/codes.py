"""One-time SMS codes (proof of control of the phone on file): issue, then check once.

Rules: 6 digits, kept only as an HMAC keyed with SECRET_KEY; valid ``ONE_TIME_CODE_TTL_SECONDS``
(10 minutes); ``ONE_TIME_CODE_MAX_TRIES`` (5) wrong tries void it; used once; a new code voids
the older ones. A subject gets at most one code per ``ONE_TIME_CODE_RESEND_SECONDS`` and
``ONE_TIME_CODE_DAILY_LIMIT`` a day, so nobody can flood a person's phone."""

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from core.models import OneTimeCode
from core.sms import send_sms

CODE_INVALID = _("验证码不正确或已失效，请重新获取。")
CODE_TOO_MANY_TRIES = _("验证码错误次数过多，已失效，请重新获取。")


def _hash(*, purpose: str, subject: str, code: str) -> str:
    return salted_hmac(
        "core.codes", f"{purpose}\x1f{subject}\x1f{code}", algorithm="sha256"
    ).hexdigest()


def code_may_issue(*, purpose: str, subject: str) -> bool:
    now = timezone.now()
    recent = OneTimeCode.objects.filter(purpose=purpose, subject=subject)
    resend = datetime.timedelta(seconds=settings.ONE_TIME_CODE_RESEND_SECONDS)
    if recent.filter(created_at__gt=now - resend).exists():
        return False
    day = recent.filter(created_at__gt=now - datetime.timedelta(days=1)).count()
    return day < settings.ONE_TIME_CODE_DAILY_LIMIT


def code_issue(*, purpose: str, subject: str, phone: str, message: str) -> bool:
    """Send a new code to ``phone`` (``message`` holds ``{code}`` and ``{minutes}``) unless the
    subject had one too recently; returns whether one was sent."""
    if not code_may_issue(purpose=purpose, subject=subject):
        return False
    code = f"{secrets.randbelow(10**6):06d}"
    ttl = settings.ONE_TIME_CODE_TTL_SECONDS
    with transaction.atomic():
        # Rows name an ID number: none is kept longer than the daily limit needs.
        OneTimeCode.objects.filter(
            created_at__lt=timezone.now() - datetime.timedelta(days=2)
        ).delete()
        OneTimeCode.objects.filter(purpose=purpose, subject=subject, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        OneTimeCode.objects.create(
            purpose=purpose,
            subject=subject,
            code_hash=_hash(purpose=purpose, subject=subject, code=code),
            expires_at=timezone.now() + datetime.timedelta(seconds=ttl),
        )
    # Sent once the code is saved: the callers (step 1 views) hold no transaction of their own.
    send_sms(phone=phone, message=str(message).format(code=code, minutes=ttl // 60))
    return True


def code_use(*, purpose: str, subject: str, code: str) -> None:
    """Consume the subject's live code if ``code`` is it; else count a wrong try and raise
    ValidationError keyed ``code``. Call it outside any transaction, before the work the code
    allows: a wrong try must stay counted although the caller then fails."""
    code = (code or "").strip()
    now = timezone.now()
    with transaction.atomic():
        live = (
            OneTimeCode.objects.select_for_update()
            .filter(purpose=purpose, subject=subject, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at")
            .first()
        )
        if live is None:
            raise ValidationError({"code": ValidationError(CODE_INVALID, code="invalid")})
        if live.tries >= settings.ONE_TIME_CODE_MAX_TRIES:
            raise ValidationError({"code": ValidationError(CODE_TOO_MANY_TRIES, code="tries")})
        expected = _hash(purpose=purpose, subject=subject, code=code)
        if constant_time_compare(expected, live.code_hash):
            live.used_at = now
            live.save(update_fields=["used_at"])
            return
        live.tries += 1
        live.save(update_fields=["tries"])
        wrong = live.tries
    # The wrong try is committed above; only now refuse.
    if wrong >= settings.ONE_TIME_CODE_MAX_TRIES:
        raise ValidationError({"code": ValidationError(CODE_TOO_MANY_TRIES, code="tries")})
    raise ValidationError({"code": ValidationError(CODE_INVALID, code="invalid")})
