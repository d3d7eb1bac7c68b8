"""Telling people what happened: the in-app message (我的消息), e-mail and SMS.

Called by the outbox after a change is committed. Everything is keyed by what the message is
about (e.g. ``case-event:42``): the in-app message is created once per user and key, and each
e-mail or SMS is a ``Delivery`` row, created once and claimed before it is sent, so that a
repeat or a crash never sends it twice."""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F, Q
from django.utils import timezone

from core.models import Delivery, DeliveryChannel, DeliveryStatus, Notification
from core.sms import send_sms

logger = logging.getLogger(__name__)

# A delivery claimed longer ago than this was interrupted (the send itself takes seconds).
STALE_SENDING = datetime.timedelta(minutes=10)


@dataclass(frozen=True)
class Message:
    """One message in Chinese, with its English version for readers who chose English."""

    title: str
    body: str
    title_en: str = ""
    body_en: str = ""


def notify_user(*, user, message: Message, link: str, key: str) -> bool:
    """The in-app message for ``user``; False when it was already there."""
    if Notification.objects.filter(user=user, key=key).exists():
        return False
    # INSERT … ON CONFLICT DO NOTHING: a concurrent run of the same key is simply a no-op
    # (one statement, no savepoint: this runs for every event of every case).
    Notification.objects.bulk_create(
        [
            Notification(
                user=user,
                title=message.title,
                body=message.body,
                title_en=message.title_en,
                body_en=message.body_en,
                link=link,
                key=key,
            )
        ],
        ignore_conflicts=bool(key),
    )
    return True


def queue_delivery(*, channel: str, recipient: str, subject: str, body: str, key: str) -> None:
    """Create the delivery once (the key is unique); nothing if there is no recipient."""
    if recipient:
        # INSERT … ON CONFLICT DO NOTHING on the unique key: one statement, created once.
        Delivery.objects.bulk_create(
            [
                Delivery(
                    key=f"{key}:{channel}",
                    channel=channel,
                    recipient=recipient,
                    subject=subject[:200],
                    body=body,
                )
            ],
            ignore_conflicts=True,
        )


def send_pending(*, key_prefix: str) -> None:
    """Send every pending delivery of ``key_prefix``. Each is claimed first (pending →
    sending); a failure puts it back to pending and re-raises, so the caller's retry sends
    only what is still unsent."""
    pending = Delivery.objects.filter(
        key__startswith=f"{key_prefix}:", status=DeliveryStatus.PENDING
    ).only("pk", "channel", "recipient", "subject", "body")
    for delivery in list(pending):
        pk = delivery.pk
        claimed = Delivery.objects.filter(pk=pk, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.SENDING,
            claimed_at=timezone.now(),
            attempts=F("attempts") + 1,
        )
        if not claimed:
            continue
        try:
            if delivery.channel == DeliveryChannel.EMAIL:
                send_mail(
                    delivery.subject,
                    delivery.body,
                    settings.DEFAULT_FROM_EMAIL,
                    [delivery.recipient],
                )
            else:
                send_sms(phone=delivery.recipient, message=delivery.body)
        except Exception as exc:
            Delivery.objects.filter(pk=pk).update(
                status=DeliveryStatus.PENDING, claimed_at=None, last_error=repr(exc)[:2000]
            )
            raise
        Delivery.objects.filter(pk=pk).update(status=DeliveryStatus.SENT, sent_at=timezone.now())


def fail_interrupted_deliveries(*, now: datetime.datetime | None = None) -> int:
    """Deliveries left "sending" by a crash: whether the gateway got them is unknown, so they
    are marked failed for a person to check instead of being sent again. Returns how many."""
    now = now or timezone.now()
    return Delivery.objects.filter(
        Q(status=DeliveryStatus.SENDING), claimed_at__lt=now - STALE_SENDING
    ).update(status=DeliveryStatus.FAILED, last_error="interrupted while sending: result unknown")
