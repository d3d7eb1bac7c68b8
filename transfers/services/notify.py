"""The follow-ups that tell people: the applicant about each event of their case, an agency's
clerks about an overdue stage. Texts come from the move table (``workflow.describe``), written
in Chinese and English so that each reader sees their own language."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from core.models import DeliveryChannel
from core.notifications import Message, notify_user, queue_delivery, send_pending
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
    """In-app message, e-mail (if given) and SMS to the contact phone; once per event."""
    event = CaseEvent.objects.select_related("case__person__user").get(pk=event.pk)
    case, person = event.case, event.case.person
    key = f"case-event:{event.pk}"
    message = _person_message(event)
    link = case_link(case)
    if person.user_id is not None:
        notify_user(user=person.user, message=message, link=link, key=key)
    queue_delivery(
        channel=DeliveryChannel.EMAIL,
        recipient=person.email,
        subject=message.title,
        body=f"{person.name}：\n\n{message.body}\n\n{settings.PORTAL_BASE_URL}{link}",
        key=key,
    )
    queue_delivery(
        channel=DeliveryChannel.SMS,
        recipient=case.contact_phone or person.phone,
        subject="",
        body=f"{message.title}：{message.body}",
        key=key,
    )
    send_pending(key_prefix=key)


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
