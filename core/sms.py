"""SMS adapter. The SMS gateway is an external border: production plugs a real backend in
through ``SMS_BACKEND``; the local backend writes the message to the log (masked number)."""

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("core.sms")


class SmsBackend(Protocol):
    def send(self, *, phone: str, message: str) -> None: ...


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 11 else "****"


class LogSmsBackend:
    def send(self, *, phone: str, message: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(phone), message)


class MemorySmsBackend:
    """Keeps sent messages in memory, for tests."""

    outbox: list[tuple[str, str]] = []

    def send(self, *, phone: str, message: str) -> None:
        self.outbox.append((phone, message))


def get_sms_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()


def send_sms(*, phone: str, message: str) -> None:
    if phone:
        get_sms_backend().send(phone=phone, message=message)
