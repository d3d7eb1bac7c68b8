"""Telling people what happened: the in-app message list, email and SMS.

Called only from Celery tasks (hence only after the change is committed). Each message has a
key (the event it is about); a task run twice finds the message there and sends nothing again.
Email goes through Django's email backend, SMS through ``core.sms`` (the local backend logs)."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from agencies.models import Agency
from core.models import Notification
from core.sms import send_sms
from transfers.models import TransferCase

logger = logging.getLogger(__name__)


def case_link(case: TransferCase) -> str:
    """The person's progress page of the case (falls back to the API detail)."""
    for name in ("transfers:case-detail", "transfer-detail", "transfers:detail"):
        try:
            return reverse(name, args=[case.serial_no])
        except NoReverseMatch:
            continue
    return f"/api/v1/transfers/{case.serial_no}/"


def _create_once(*, user, title: str, body: str, link: str, key: str) -> bool:
    """Create the in-app message; False when one with this key is already there."""
    if key and Notification.objects.filter(user=user, key=key).exists():
        return False
    try:
        with transaction.atomic():
            Notification.objects.create(user=user, title=title, body=body, link=link, key=key)
    except IntegrityError:  # a concurrent run of the same task won
        return False
    return True


def notify_person(case: TransferCase, message: str, *, key: str = "") -> bool:
    """Tell the applicant: in-app message, email if they gave one, SMS to the contact phone.

    Returns False when the message with ``key`` was already delivered (nothing sent again)."""
    person = case.person
    title = _("社保转移接续申请 %(serial_no)s") % {"serial_no": case.serial_no}
    link = case_link(case)
    # The in-app message and the sends share one transaction: if email fails, the message is
    # rolled back too and the task's retry sends both (at worst an email twice, never none).
    with transaction.atomic():
        if person.user_id is not None and not _create_once(
            user=person.user, title=title, body=message, link=link, key=key
        ):
            return False
        if person.email:
            send_mail(
                title,
                f"{person.name}：\n\n{message}\n\n{settings.PORTAL_BASE_URL}{link}",
                settings.DEFAULT_FROM_EMAIL,
                [person.email],
            )
        send_sms(phone=case.contact_phone or person.phone, message=f"{title}：{message}")
    return True


def notify_agency(agency: Agency, *, title: str, body: str, key: str, link: str = "") -> int:
    """Tell every clerk of ``agency``: in-app message and email. Returns how many were new."""
    sent = 0
    staff = agency.staff.select_related("user").filter(user__is_active=True)
    for membership in staff:
        user = membership.user
        with transaction.atomic():
            if not _create_once(user=user, title=title, body=body, link=link, key=key):
                continue
            if user.email:
                send_mail(title, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        sent += 1
    return sent
