"""Celery tasks of the transfer pipeline (the order is in ``transfers/pipeline.py``).

Each task takes ids, loads, and calls one service that first checks whether its work is
already done, so running a task twice changes nothing the second time. Transient failures
(database connection, SMTP, bank) are retried with exponential backoff up to
``TRANSFER_TASK_MAX_RETRIES``; domain errors are not retried. ``acks_late``,
``reject_on_worker_lost``, prefetch 1 and the time limits are set once in settings and
repeated here for the pipeline so that they hold whatever the deployment's defaults."""

import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _
from django.utils.translation import override

from transfers.bank import BankError

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (OperationalError, InterfaceError, smtplib.SMTPException, BankError)

PIPELINE_TASK_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 5,  # 5 s, 10 s, 20 s … with jitter
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": settings.TRANSFER_TASK_MAX_RETRIES,
}


@shared_task(**PIPELINE_TASK_OPTIONS)
def issue_certificate(case_id: int) -> int | None:
    from transfers.services import transfer_issue_certificate

    document = transfer_issue_certificate(case_id=case_id)
    return document.pk if document else None


@shared_task(**PIPELINE_TASK_OPTIONS)
def send_letter(case_id: int) -> int | None:
    from transfers.services import transfer_send_letter

    document = transfer_send_letter(case_id=case_id)
    return document.pk if document else None


@shared_task(**PIPELINE_TASK_OPTIONS)
def issue_info_sheet(case_id: int) -> int | None:
    from transfers.services import transfer_issue_info_sheet

    document = transfer_issue_info_sheet(case_id=case_id)
    return document.pk if document else None


@shared_task(**PIPELINE_TASK_OPTIONS)
def pay_remittance(case_id: int) -> str | None:
    from transfers.services import transfer_pay_remittance

    return transfer_pay_remittance(case_id=case_id)


def event_message(event) -> str:
    """What the person reads about one event of their case."""
    case = event.case
    messages = {
        "submit": _("您的%(insurance)s转移接续申请已提交，流水号 %(serial_no)s。"),
        "issue_certificate": _("转出地参保缴费凭证已出具，编号 %(note)s。"),
        "accept": _("转入地经办机构已受理您的申请，正在出具联系函。"),
        "reject": _("转入地经办机构不予受理您的申请。原因：%(note)s"),
        "withdraw": _("您已撤回申请。"),
        "send_letter": _("联系函（%(note)s）已发往转出地经办机构。"),
        "acknowledge": _("转出地经办机构已接收联系函，正在核算转移金额、出具信息表。"),
        "return": _("转出地经办机构退回了您的申请。原因：%(note)s"),
        "issue_info_sheet": _("转出地已出具信息表：%(note)s，待划转基金。"),
        "remit": _("转出地已划出转移基金 %(note)s，待转入地确认到账。"),
        "confirm_receipt": _("转移接续已办结：%(note)s。可在“我的参保记录”中查看。"),
    }
    template = messages.get(event.action, _("申请状态更新为：%(status)s。"))
    return template % {
        "insurance": case.get_insurance_display(),
        "serial_no": case.serial_no,
        "note": event.note,
        "status": case.get_status_display(),
    }


@shared_task(**PIPELINE_TASK_OPTIONS)
def notify_case_event(event_id: int) -> bool:
    """Tell the applicant about one event; once per event (keyed by it)."""
    from transfers.models import CaseEvent
    from transfers.notifications import notify_person

    event = CaseEvent.objects.select_related("case__person__user").filter(pk=event_id).first()
    if event is None:
        return False
    with override(settings.LANGUAGE_CODE):
        return notify_person(event.case, event_message(event), key=f"case-event:{event.pk}")


@shared_task(**PIPELINE_TASK_OPTIONS)
def notify_overdue_stage(stage_id: int) -> int:
    """Tell the clerks of the agency responsible for an overdue stage; once per stage."""
    from agencies.models import Agency
    from transfers.models import Stage, StageName
    from transfers.notifications import notify_agency

    stage = Stage.objects.select_related("case").filter(pk=stage_id).first()
    if stage is None:
        return 0
    case = stage.case
    agency_id = (
        case.transfer_out_agency_id
        if stage.name == StageName.TRANSFER_OUT
        else case.transfer_in_agency_id
    )
    agency = Agency.objects.get(pk=agency_id)
    with override(settings.LANGUAGE_CODE):
        title = _("超时提醒：申请 %(serial_no)s") % {"serial_no": case.serial_no}
        body = _("申请 %(serial_no)s 的“%(stage)s”环节已超过办理时限（%(due)s），请尽快办理。") % {
            "serial_no": case.serial_no,
            "stage": stage.get_name_display(),
            "due": stage.due_date,
        }
        return notify_agency(agency, title=title, body=body, key=f"overdue-stage:{stage.pk}")


@shared_task(**PIPELINE_TASK_OPTIONS)
def mark_overdue_stages_task() -> int:
    """Daily (beat): mark overdue stages and notify the agencies."""
    from transfers.services import mark_overdue_stages

    return mark_overdue_stages()
