"""The whole workflow at a glance: the states of a transfer case and every allowed move.

Each move is carried out by exactly one service in ``transfers/services.py`` (same name), which
locks the case, checks the actor against ``who`` below, checks ``sources``, writes the new state
and one event, and enqueues the follow-up task on commit.

    submitted ──accept──▶ accepted ──send_letter*──▶ letter_sent ──acknowledge──▶ letter_received
        │  └─reject──▶ rejected                          └─return──▶ returned
        └─withdraw──▶ withdrawn
    letter_received ──issue_info_sheet*──▶ info_sheet_issued ──remit──▶ funds_remitted
    funds_remitted ──confirm_receipt──▶ completed                 (* = Celery, no person acts)
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已提交，待受理")
    ACCEPTED = "accepted", _("受理成功")
    LETTER_SENT = "letter_sent", _("联系函已发出")
    LETTER_RECEIVED = "letter_received", _("转出地已接收联系函")
    INFO_SHEET_ISSUED = "info_sheet_issued", _("信息表已出具，待划转基金")
    FUNDS_REMITTED = "funds_remitted", _("基金已划出")
    COMPLETED = "completed", _("办结")
    REJECTED = "rejected", _("不予受理")
    RETURNED = "returned", _("已退回")
    WITHDRAWN = "withdrawn", _("已撤回")


OPEN_STATUSES = frozenset(
    {
        CaseStatus.SUBMITTED,
        CaseStatus.ACCEPTED,
        CaseStatus.LETTER_SENT,
        CaseStatus.LETTER_RECEIVED,
        CaseStatus.INFO_SHEET_ISSUED,
        CaseStatus.FUNDS_REMITTED,
    }
)
ENDED_STATUSES = frozenset(set(CaseStatus) - OPEN_STATUSES)


class Actor(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    TRANSFER_IN_REVIEWER = "in_reviewer", _("转入地审核员")
    TRANSFER_OUT_REVIEWER = "out_reviewer", _("转出地审核员")
    TRANSFER_OUT_FINANCE = "out_finance", _("转出地财务人员")
    TRANSFER_IN_FINANCE = "in_finance", _("转入地财务人员")
    SYSTEM = "system", _("系统")


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    target: str
    who: str
    label: str


MOVES: dict[str, Move] = {
    "accept": Move(
        frozenset({CaseStatus.SUBMITTED}),
        CaseStatus.ACCEPTED,
        Actor.TRANSFER_IN_REVIEWER,
        _("受理"),
    ),
    "reject": Move(
        frozenset({CaseStatus.SUBMITTED}),
        CaseStatus.REJECTED,
        Actor.TRANSFER_IN_REVIEWER,
        _("不予受理"),
    ),
    "withdraw": Move(
        frozenset({CaseStatus.SUBMITTED}), CaseStatus.WITHDRAWN, Actor.APPLICANT, _("撤回申请")
    ),
    "send_letter": Move(
        frozenset({CaseStatus.ACCEPTED}), CaseStatus.LETTER_SENT, Actor.SYSTEM, _("发出联系函")
    ),
    "acknowledge": Move(
        frozenset({CaseStatus.LETTER_SENT}),
        CaseStatus.LETTER_RECEIVED,
        Actor.TRANSFER_OUT_REVIEWER,
        _("确认接收联系函"),
    ),
    "return": Move(
        frozenset({CaseStatus.LETTER_SENT}),
        CaseStatus.RETURNED,
        Actor.TRANSFER_OUT_REVIEWER,
        _("退回"),
    ),
    "issue_info_sheet": Move(
        frozenset({CaseStatus.LETTER_RECEIVED}),
        CaseStatus.INFO_SHEET_ISSUED,
        Actor.SYSTEM,
        _("出具信息表"),
    ),
    "remit": Move(
        frozenset({CaseStatus.INFO_SHEET_ISSUED}),
        CaseStatus.FUNDS_REMITTED,
        Actor.TRANSFER_OUT_FINANCE,
        _("划转基金"),
    ),
    "confirm_receipt": Move(
        frozenset({CaseStatus.FUNDS_REMITTED}),
        CaseStatus.COMPLETED,
        Actor.TRANSFER_IN_FINANCE,
        _("确认到账并记录权益"),
    ),
}


class Queue(models.TextChoices):
    """Back-office queues: the cases waiting on one agency for one kind of step."""

    REVIEW = "review", _("待受理")  # transfer-in reviewer
    LETTERS = "letters", _("待接收联系函")  # transfer-out reviewer
    REMITTANCE = "remittance", _("待划转基金")  # transfer-out finance
    RECEIPT = "receipt", _("待确认到账")  # transfer-in finance


# Which status each queue shows and on which side of the case the clerk's agency must be.
QUEUES: dict[str, tuple[str, str]] = {
    Queue.REVIEW: (CaseStatus.SUBMITTED, "in"),
    Queue.LETTERS: (CaseStatus.LETTER_SENT, "out"),
    Queue.REMITTANCE: (CaseStatus.INFO_SHEET_ISSUED, "out"),
    Queue.RECEIPT: (CaseStatus.FUNDS_REMITTED, "in"),
}
