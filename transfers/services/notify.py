"""The follow-ups that tell people: the applicant about each event of their case, an agency's
clerks about an overdue stage. Texts come from the move table (``workflow.describe``), written
in Chinese and English so that each reader sees their own language."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from core.models import DeliveryChannel
from core.notifications import (
    Message,
    Outgoing,
    notify_user,
    queue_deliveries,
    queue_delivery,
    send_pending,
)
from transfers.models import CaseEvent
from transfers.workflow import describe


def case_link(case) -> str:
    return reverse("transfer-detail", args=[case.serial_no])


def _person_message(event: CaseEvent) -> Message:
    case = event.case
    texts = {}
    for language in ("zh-hans", "en"):
        with override(language):
            texts[language] = (
                _("社保转移接续申请 %(serial_no)s") % {"serial_no": case.serial_no},
                describe(event, case),
            )
    return Message(*texts["zh-hans"], *texts["en"])


def notify_person_of_event(event: CaseEvent) -> None:
    """In-app message, e-mail (if given) and SMS to the contact phone; once per event. The
    event comes as the outbox loaded it (with its case, person and user) or is read here."""
    if not _loaded_for_notice(event):
        event = CaseEvent.objects.select_related("case__person__user").get(pk=event.pk)
    case, person = event.case, event.case.person
    key = f"case-event:{event.pk}"
    message = _person_message(event)
    link = case_link(case)
    # The message and its deliveries are written together (one commit), then sent.
    with transaction.atomic():
        if person.user_id is not None:
            notify_user(user=person.user, message=message, link=link, key=key)
        queue_deliveries(
            key=key,
            outgoing=[
                Outgoing(
                    DeliveryChannel.EMAIL,
                    person.email,
                    message.title,
                    f"{person.name}：\n\n{message.body}\n\n{settings.PORTAL_BASE_URL}{link}",
                ),
                Outgoing(
                    DeliveryChannel.SMS,
                    case.contact_phone or person.phone,
                    "",
                    f"{message.title}：{message.body}",
                ),
            ],
        )
    send_pending(key_prefix=key)


def _loaded_for_notice(event: CaseEvent) -> bool:
    """Whether the event already carries its case, person and user (no query needed)."""
    if not CaseEvent.case.is_cached(event):
        return False
    case = event.case
    if not type(case).person.is_cached(case):
        return False
    person = case.person
    return person.user_id is None or type(person).user.is_cached(person)


def notify_agency_of_event(event: CaseEvent) -> None:
    """Tell every active clerk of the event's agency (an overdue stage): in-app and e-mail."""
    event = CaseEvent.objects.select_related("case", "agency").get(pk=event.pk)
    if event.agency is None:
        return
    case = event.case
    texts = {}
    for language in ("zh-hans", "en"):
        with override(language):
            texts[language] = (
                _("超时提醒：申请 %(serial_no)s") % {"serial_no": case.serial_no},
                _("申请 %(serial_no)s：%(note)s 请尽快办理。")
                % {"serial_no": case.serial_no, "note": event.note},
            )
    message = Message(*texts["zh-hans"], *texts["en"])
    link = reverse("admin:transfers_transfercase_change", args=[case.pk])
    for membership in event.agency.staff.select_related("user").filter(user__is_active=True):
        key = f"case-event:{event.pk}:user:{membership.user_id}"
        notify_user(user=membership.user, message=message, link=link, key=key)
        queue_delivery(
            channel=DeliveryChannel.EMAIL,
            recipient=membership.user.email,
            subject=message.title,
            body=message.body,
            key=key,
        )
        send_pending(key_prefix=key)
