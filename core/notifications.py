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
from django.db import transaction
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


def notify_user(*, user, message: Message, link: str, key: str) -> None:
    """The in-app message for ``user``, once per key (nothing if it is already there)."""
    # INSERT … ON CONFLICT DO NOTHING on (user, key): a repeat or a concurrent run of the same
    # key is a no-op, in one statement (this runs for every event of every case).
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


@dataclass(frozen=True)
class Outgoing:
    """One e-mail or SMS to queue: ``recipient`` empty means there is no one to send it to."""

    channel: str
    recipient: str
    subject: str
    body: str


def queue_deliveries(*, key: str, outgoing: list[Outgoing]) -> None:
    """Create each delivery once (``<key>:<channel>`` is unique); none without a recipient."""
    # One INSERT … ON CONFLICT DO NOTHING for all of them.
    Delivery.objects.bulk_create(
        [
            Delivery(
                key=f"{key}:{item.channel}",
                channel=item.channel,
                recipient=item.recipient,
                subject=item.subject[:200],
                body=item.body,
            )
            for item in outgoing
            if item.recipient
        ],
        ignore_conflicts=True,
    )


def queue_delivery(*, channel: str, recipient: str, subject: str, body: str, key: str) -> None:
    """One delivery: ``queue_deliveries`` with a single item."""
    queue_deliveries(key=key, outgoing=[Outgoing(channel, recipient, subject, body)])


def _claim_pending(key_prefix: str) -> list[Delivery]:
    """Claim every pending delivery of ``key_prefix`` (pending → sending) in one short
    transaction; rows another sender holds are skipped, never waited for or taken twice."""
    with transaction.atomic():
        claimed = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(key__startswith=f"{key_prefix}:", status=DeliveryStatus.PENDING)
            .only("pk", "channel", "recipient", "subject", "body")
            .order_by("pk")
        )
        if claimed:
            Delivery.objects.filter(pk__in=[d.pk for d in claimed]).update(
                status=DeliveryStatus.SENDING,
                claimed_at=timezone.now(),
                attempts=F("attempts") + 1,
            )
    return claimed


def _send(delivery: Delivery) -> None:
    if delivery.channel == DeliveryChannel.EMAIL:
        send_mail(
            delivery.subject, delivery.body, settings.DEFAULT_FROM_EMAIL, [delivery.recipient]
        )
    else:
        send_sms(phone=delivery.recipient, message=delivery.body)


def send_pending(*, key_prefix: str) -> None:
    """Send every pending delivery of ``key_prefix``. They are claimed first (pending →
    sending) and marked sent once sent. When one fails, those already sent are marked sent,
    the failed one and those not yet tried go back to pending, and the error is raised again,
    so the caller's retry sends only what is still unsent. A crash between sending and
    marking leaves them "sending", which ``fail_interrupted_deliveries`` marks failed, never
    sent twice."""
    sent: list[int] = []

    def mark_sent() -> None:
        if sent:
            Delivery.objects.filter(pk__in=sent).update(
                status=DeliveryStatus.SENT, sent_at=timezone.now()
            )

    claimed = _claim_pending(key_prefix)
    for position, delivery in enumerate(claimed):
        try:
            _send(delivery)
        except Exception as exc:
            mark_sent()
            Delivery.objects.filter(pk=delivery.pk).update(
                status=DeliveryStatus.PENDING, claimed_at=None, last_error=repr(exc)[:2000]
            )
            untried = [d.pk for d in claimed[position + 1 :]]
            if untried:
                Delivery.objects.filter(pk__in=untried).update(
                    status=DeliveryStatus.PENDING, claimed_at=None, attempts=F("attempts") - 1
                )
            raise
        sent.append(delivery.pk)
    mark_sent()


def fail_interrupted_deliveries(*, now: datetime.datetime | None = None) -> int:
    """Deliveries left "sending" by a crash: whether the gateway got them is unknown, so they
    are marked failed for a person to check instead of being sent again. Returns how many."""
    now = now or timezone.now()
    return Delivery.objects.filter(
        Q(status=DeliveryStatus.SENDING), claimed_at__lt=now - STALE_SENDING
    ).update(status=DeliveryStatus.FAILED, last_error="interrupted while sending: result unknown")
