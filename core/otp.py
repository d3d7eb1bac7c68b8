"""Second factor for staff accounts (django-otp): TOTP on the clerk's phone, plus ten static
backup codes printed once at enrolment.

``verify_staff_otp(user, code)`` is the one check every entry point uses: the back-office
login step here, and the staff API token view (the lead wires ``POST /api/v1/auth/token/`` to
it: a staff account's token is issued only when it returns True). Five wrong codes in a row
lock every device of the account for fifteen minutes (``OTP_LOCK_FAILURES``,
``OTP_LOCK_MINUTES``), counted on django-otp's own throttling fields; django-otp's exponential
back-off is off (throttle factor 0) so that the rule reads as one sentence."""

import base64
import binascii
import datetime
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

BACKUP_CODES = 10


def lock_failures() -> int:
    return getattr(settings, "OTP_LOCK_FAILURES", 5)


def lock_duration() -> datetime.timedelta:
    return datetime.timedelta(minutes=getattr(settings, "OTP_LOCK_MINUTES", 15))


def needs_otp(user) -> bool:
    """Staff and superusers need a second factor; insured persons do not."""
    return bool(user is not None and user.is_active and (user.is_staff or user.is_superuser))


def confirmed_devices(user) -> list[Device]:
    return list(devices_for_user(user, confirmed=True))


def has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def locked_until(user) -> datetime.datetime | None:
    """When the account's second factor opens again after too many wrong codes (None: open)."""
    now = timezone.now()
    for device in confirmed_devices(user):
        count = getattr(device, "throttling_failure_count", 0)
        since = getattr(device, "throttling_failure_timestamp", None)
        if count >= lock_failures() and since is not None and since + lock_duration() > now:
            return since + lock_duration()
    return None


def match_staff_otp(user, code: str) -> Device | None:
    """The device that accepts ``code`` (a 6-digit TOTP code or a backup code), else None.

    A wrong code counts as one failure on each device; a locked account accepts nothing."""
    code = (code or "").strip().replace(" ", "")
    if not code or locked_until(user) is not None:
        return None
    devices = confirmed_devices(user)
    matched = None
    for device in devices:
        if device.verify_token(code):
            matched = device
            break
    if matched is not None:
        for device in devices:
            if hasattr(device, "throttle_reset") and device.pk != matched.pk:
                device.throttle_reset()
    return matched


def verify_staff_otp(user, code: str) -> bool:
    """Whether ``code`` is a valid second factor for ``user`` now (the staff token view's
    check: issue a staff token only when this is True, answer ``otp_required`` otherwise)."""
    return match_staff_otp(user, code) is not None


def request_is_verified(request) -> bool:
    """Whether an API request of a staff account passed the second factor.

    A session counts when django-otp's middleware verified it (``user.is_verified()``). A
    token counts when the token object says so: the lead's expiring-token model sets
    ``otp_verified = True`` on tokens issued after ``verify_staff_otp`` (hook, see README)."""
    is_verified = getattr(request.user, "is_verified", None)
    if callable(is_verified) and is_verified():
        return True
    return bool(getattr(getattr(request, "auth", None), "otp_verified", False))


# ── enrolment ───────────────────────────────────────────────────────────────────────────────


def pending_totp(user) -> TOTPDevice:
    """The unconfirmed device being enrolled (a new secret on first visit)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="TOTP", confirmed=False)


def secret_base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


@transaction.atomic
def confirm_enrolment(user, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm ``device`` with its first code; returns the new backup codes (None: wrong code)."""
    if not device.verify_token((code or "").strip()):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return new_backup_codes(user)


def new_backup_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="backup", confirmed=True)
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes


class InvalidSecret(ValueError):
    pass


def check_secret(secret_b32: str) -> bytes:
    """The key of a base32 secret (at least 80 bits), or InvalidSecret."""
    cleaned = secret_b32.strip().replace(" ", "").upper()
    try:
        key = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except (binascii.Error, ValueError):
        raise InvalidSecret(secret_b32) from None
    if len(key) < 10:
        raise InvalidSecret(secret_b32)
    return key


def set_fixed_totp(user, secret_b32: str) -> TOTPDevice:
    """Give ``user`` one confirmed TOTP device with this base32 secret (demo and tests)."""
    key = check_secret(secret_b32)
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name="TOTP", key=key.hex(), confirmed=True)
