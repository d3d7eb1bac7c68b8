"""Signing staff in with their second factor in tests (core.otp)."""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

DEMO_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def device_of(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True)


def current_code(device: TOTPDevice, *, offset_steps: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset_steps * device.step
    return f"{totp.token():06d}"


def login_verified(client, user):
    """A browser session that passed both factors (what the admin pages need)."""
    device = device_of(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def api_verified(api_client, user):
    """An API request of ``user`` after the second factor (staff); persons are unchanged."""
    if user.is_staff:
        user.otp_device = device_of(user)
        user.is_verified = lambda: True
    api_client.force_authenticate(user)
    return api_client
