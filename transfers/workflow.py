"""The whole workflow at a glance: states, moves, stages, follow-ups, queues and the texts people
read. This table is the single source: services check it, the outbox dispatches its follow-ups,
and the pages, the back office and the API loop over it. Adding a move is one row here plus
one service function (``transfers.services.MOVE_SERVICES``).

    submitted ──accept──▶ accepted ──send_letter*──▶ letter_sent ──acknowledge──▶ letter_received
        │  └─reject──▶ rejected                          └─return──▶ returned
        └─withdraw──▶ withdrawn
    letter_received ──issue_info_sheet*──▶ info_sheet_issued ──remit──▶ remitting
    remitting ──record_payment*──▶ funds_remitted ──confirm_receipt──▶ completed
                                                        (* = the system, after commit)

A follow-up that fails for good puts the case in the **attention** queue of the agency
responsible for it (a flag, not a state); any clerk of that agency can retry it.
"""

import copy
import datetime
from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import StaffRole
from agencies.selectors import clerk_of
from core.errors import NotAllowed


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已提交，待受理")
    ACCEPTED = "accepted", _("受理成功")
    LETTER_SENT = "letter_sent", _("联系函已发出")
    LETTER_RECEIVED = "letter_received", _("转出地已接收联系函")
    INFO_SHEET_ISSUED = "info_sheet_issued", _("信息表已出具，待划转基金")
    REMITTING = "remitting", _("基金划转中，待银行确认")
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
        CaseStatus.REMITTING,
        CaseStatus.FUNDS_REMITTED,
    }
)
# Ended without completing: the person reads the reason; later stages never ran.
STOPPED_STATUSES = frozenset({CaseStatus.REJECTED, CaseStatus.RETURNED, CaseStatus.WITHDRAWN})


class StageName(models.TextChoices):
    """The four stages the person follows (national online flow)."""

    CERTIFICATE = "certificate", _("参保缴费凭证")
    REVIEW = "review", _("转入申请受理")  # transfer-in: accept or reject, then the letter
    TRANSFER_OUT = "transfer_out", _("转出地出具信息表并划转基金")
    TRANSFER_IN = "transfer_in", _("转入地确认到账并记录权益")


STAGE_ORDER = (
    StageName.CERTIFICATE,
    StageName.REVIEW,
    StageName.TRANSFER_OUT,
    StageName.TRANSFER_IN,
)

# The agency stage running while the case waits in each open state: every state an agency must
# act on (or the system on its behalf) has a due date, so a stuck case also turns overdue.
RUNNING_STAGE = {
    CaseStatus.SUBMITTED: StageName.REVIEW,
    CaseStatus.ACCEPTED: StageName.REVIEW,  # the review ends when the letter is out
    CaseStatus.LETTER_SENT: StageName.TRANSFER_OUT,
    CaseStatus.LETTER_RECEIVED: StageName.TRANSFER_OUT,
    CaseStatus.INFO_SHEET_ISSUED: StageName.TRANSFER_OUT,
    CaseStatus.REMITTING: StageName.TRANSFER_OUT,
    CaseStatus.FUNDS_REMITTED: StageName.TRANSFER_IN,
}
# Which side of the case is responsible for each agency stage.
STAGE_SIDE = {
    StageName.CERTIFICATE: "out",
    StageName.REVIEW: "in",
    StageName.TRANSFER_OUT: "out",
    StageName.TRANSFER_IN: "in",
}


class Actor(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    TRANSFER_IN_REVIEWER = "in_reviewer", _("转入地审核员")
    TRANSFER_OUT_REVIEWER = "out_reviewer", _("转出地审核员")
    TRANSFER_OUT_FINANCE = "out_finance", _("转出地财务人员")
    TRANSFER_IN_FINANCE = "in_finance", _("转入地财务人员")
    RESPONSIBLE_CLERK = "responsible", _("负责处理该问题的经办机构工作人员")
    SYSTEM = "system", _("系统")


# Who may do each clerk move: (side of the case whose agency acts, role there).
ACTOR_RULES: dict[str, tuple[str, str]] = {
    Actor.TRANSFER_IN_REVIEWER: ("in", StaffRole.REVIEWER),
    Actor.TRANSFER_OUT_REVIEWER: ("out", StaffRole.REVIEWER),
    Actor.TRANSFER_OUT_FINANCE: ("out", StaffRole.FINANCE),
    Actor.TRANSFER_IN_FINANCE: ("in", StaffRole.FINANCE),
}


@dataclass(frozen=True)
class Step:
    """A follow-up the outbox runs after a move commits (``transfers.services.STEPS``)."""

    label: str
    side: str  # the agency responsible when it fails for good
    failure: str  # what the clerk reads in the attention queue


STEPS: dict[str, Step] = {
    "notify_person": Step(
        _("通知申请人"), "in", _("向申请人发送通知（站内消息、短信、邮件）失败。")
    ),
    "notify_agency": Step(_("通知经办机构"), "in", _("向经办机构工作人员发送提醒失败。")),
    "issue_certificate": Step(
        _("出具参保缴费凭证"), "out", _("根据转出地参保记录生成参保缴费凭证失败。")
    ),
    "send_letter": Step(_("出具联系函"), "in", _("生成或发送联系函失败。")),
    "issue_info_sheet": Step(_("出具信息表"), "out", _("核算转移金额、生成信息表失败。")),
    "pay_remittance": Step(_("银行划转"), "out", _("银行未完成转移基金划转（未返回银行流水号）。")),
}


@dataclass(frozen=True)
class Move:
    """One row of the table: an event of a case, with the state change it makes (if any)."""

    label: str
    sources: frozenset[str]  # states it may start from (empty: any, checked by its service)
    target: str | None  # None: the state does not change
    who: str
    starts: tuple[str, ...] = ()  # stages it starts
    ends: tuple[str, ...] = ()  # stages it completes
    follow_ups: tuple[str, ...] = ()  # STEPS run after commit, in order
    tells_person: str | None = None  # the person's message; %(note)s etc. (see describe())
    log: str | None = None  # the line in the person's log of the case (None: not shown there)
    note_public: bool = False  # whether the person may read the event's note (a reason)
    params: tuple[str, ...] = ()  # what the clerk must give: "reason", "amount"
    api_name: str = ""  # URL segment of clerk moves under /api/v1/agency/transfers/<serial>/
    style: str = "default"  # the button: "danger" for moves that end the case
    confirm: bool = False  # the back office restates the case on a confirmation page first


MOVES: dict[str, Move] = {
    "submit": Move(
        _("提交申请"),
        frozenset(),
        CaseStatus.SUBMITTED,
        Actor.APPLICANT,
        starts=(StageName.CERTIFICATE, StageName.REVIEW),
        follow_ups=("notify_person", "issue_certificate"),
        tells_person=_("您的%(insurance)s转移接续申请已提交，流水号 %(serial_no)s。"),
        log=_("您提交了转入申请。"),
    ),
    # 归集 (66号 art. 8(2)): the benefit place's reviewer starts the collection of a temporary
    # account; from then on it is a transfer (letter, info sheet, remittance, receipt).
    "collect": Move(
        _("发起临时缴费账户归集"),
        frozenset({CaseStatus.SUBMITTED}),  # the case is created and collected at once
        CaseStatus.ACCEPTED,
        Actor.TRANSFER_IN_REVIEWER,
        starts=(StageName.REVIEW,),
        follow_ups=("notify_person", "send_letter"),
        tells_person=_(
            "待遇领取地经办机构正在将您的临时基本养老保险缴费账户（%(note)s）归集到您的"
            "基本养老保险关系，流水号 %(serial_no)s。"
        ),
        log=_("待遇领取地经办机构发起临时缴费账户归集。"),
        note_public=True,
    ),
    "issue_certificate": Move(
        _("出具参保缴费凭证"),
        frozenset(OPEN_STATUSES),
        None,
        Actor.SYSTEM,
        ends=(StageName.CERTIFICATE,),
        follow_ups=("notify_person",),
        tells_person=_("转出地参保缴费凭证已出具，编号 %(note)s。"),
        log=_("转出地经办机构出具了参保缴费凭证（电子凭证）。"),
    ),
    "accept": Move(
        _("受理"),
        frozenset({CaseStatus.SUBMITTED}),
        CaseStatus.ACCEPTED,
        Actor.TRANSFER_IN_REVIEWER,
        follow_ups=("notify_person", "send_letter"),
        tells_person=_("转入地经办机构已受理您的申请，正在出具联系函。"),
        params=("approval_checked",),  # required true for an approved transfer (调动)
        api_name="accept",
        log=_("转入地经办机构审核通过，受理了您的申请。"),
        confirm=True,
    ),
    "reject": Move(
        _("不予受理"),
        frozenset({CaseStatus.SUBMITTED}),
        CaseStatus.REJECTED,
        Actor.TRANSFER_IN_REVIEWER,
        ends=(StageName.REVIEW,),
        follow_ups=("notify_person",),
        tells_person=_("转入地经办机构不予受理您的申请。原因：%(note)s"),
        params=("reason",),
        api_name="reject",
        style="danger",
        log=_("转入地经办机构不予受理您的申请。"),
        note_public=True,
        confirm=True,
    ),
    "withdraw": Move(
        _("撤回申请"),
        frozenset({CaseStatus.SUBMITTED}),
        CaseStatus.WITHDRAWN,
        Actor.APPLICANT,
        ends=(StageName.REVIEW,),
        follow_ups=("notify_person",),
        tells_person=_("您已撤回申请。"),
        log=_("您撤回了申请。"),
    ),
    "send_letter": Move(
        _("发出联系函"),
        frozenset({CaseStatus.ACCEPTED}),
        CaseStatus.LETTER_SENT,
        Actor.SYSTEM,
        starts=(StageName.TRANSFER_OUT,),
        ends=(StageName.REVIEW,),
        follow_ups=("notify_person",),
        tells_person=_("联系函（%(note)s）已发往转出地经办机构。"),
        log=_("转入地经办机构向转出地经办机构发出了联系函。"),
    ),
    "acknowledge": Move(
        _("确认接收联系函"),
        frozenset({CaseStatus.LETTER_SENT}),
        CaseStatus.LETTER_RECEIVED,
        Actor.TRANSFER_OUT_REVIEWER,
        follow_ups=("notify_person", "issue_info_sheet"),
        tells_person=_("转出地经办机构已接收联系函，正在核算转移金额、出具信息表。"),
        api_name="acknowledge",
        log=_("转出地经办机构确认收到联系函，正在核算转移金额。"),
    ),
    "return": Move(
        _("退回"),
        frozenset({CaseStatus.LETTER_SENT}),
        CaseStatus.RETURNED,
        Actor.TRANSFER_OUT_REVIEWER,
        ends=(StageName.TRANSFER_OUT,),
        follow_ups=("notify_person",),
        tells_person=_("转出地经办机构退回了您的申请。原因：%(note)s"),
        params=("reason",),
        api_name="return",
        style="danger",
        log=_("转出地经办机构退回了申请。"),
        note_public=True,
        confirm=True,
    ),
    "issue_info_sheet": Move(
        _("出具信息表"),
        frozenset({CaseStatus.LETTER_RECEIVED}),
        CaseStatus.INFO_SHEET_ISSUED,
        Actor.SYSTEM,
        follow_ups=("notify_person",),
        tells_person=_("转出地已出具信息表：%(note)s，待划转基金。"),
        log=_("转出地经办机构出具了信息表。"),
    ),
    "remit": Move(
        _("划转基金"),
        frozenset({CaseStatus.INFO_SHEET_ISSUED}),
        CaseStatus.REMITTING,
        Actor.TRANSFER_OUT_FINANCE,
        follow_ups=("pay_remittance",),
        api_name="remit",
        log=_("转出地经办机构已审批划转基金，等待银行划款。"),
        confirm=True,
    ),
    "record_payment": Move(
        _("银行已划出基金"),
        frozenset({CaseStatus.REMITTING}),
        CaseStatus.FUNDS_REMITTED,
        Actor.SYSTEM,
        starts=(StageName.TRANSFER_IN,),
        ends=(StageName.TRANSFER_OUT,),
        follow_ups=("notify_person",),
        tells_person=_("转出地已划出转移基金 %(note)s，待转入地确认到账。"),
        log=_("银行已划出转移基金。"),
    ),
    "confirm_receipt": Move(
        _("确认到账并记录权益"),
        frozenset({CaseStatus.FUNDS_REMITTED}),
        CaseStatus.COMPLETED,
        Actor.TRANSFER_IN_FINANCE,
        ends=(StageName.TRANSFER_IN,),
        follow_ups=("notify_person",),
        tells_person=_("转移接续已办结：%(note)s。可在“我的参保记录”中查看。"),
        params=("amount",),
        api_name="confirm-receipt",
        log=_("转入地经办机构确认基金到账，已记录您的个人权益，办结。"),
        confirm=True,
    ),
    "retry": Move(
        _("重新执行"),
        frozenset(OPEN_STATUSES),
        None,
        Actor.RESPONSIBLE_CLERK,
        api_name="retry",
    ),
    # Events that record a fact, not a move anyone makes.
    "receipt_mismatch": Move(_("到账金额不符"), frozenset(), None, Actor.TRANSFER_IN_FINANCE),
    "overdue": Move(
        _("超过办理时限"),
        frozenset(),
        None,
        Actor.SYSTEM,
        follow_ups=("notify_agency",),
        log=_("该环节已超过办理时限，系统已督促经办机构尽快办理。"),
        note_public=True,
    ),
    "attention": Move(_("自动处理失败，转人工处理"), frozenset(), None, Actor.SYSTEM),
    "due_date_recomputed": Move(
        _("节假日安排更新，重新计算办理时限"),
        frozenset(),
        None,
        Actor.SYSTEM,
        log=_("国家节假日安排更新，办理时限已重新计算。"),
        note_public=True,
    ),
}

# The moves a clerk makes with a button or an API call, in the order the page shows them.
CLERK_MOVES = tuple(name for name, move in MOVES.items() if move.api_name)
MOVE_BY_API_NAME = {MOVES[name].api_name: name for name in CLERK_MOVES}


def move_label(action: str) -> str:
    move = MOVES.get(action)
    return str(move.label) if move else action


def status_label(value: str) -> str:
    try:
        return str(CaseStatus(value).label)
    except ValueError:
        return value or "—"


def describe(event, case) -> str:
    """What the person reads about one event of their case (in the active language)."""
    move = MOVES.get(event.action)
    template = (
        move.tells_person if move and move.tells_person else _("申请状态更新为：%(status)s。")
    )
    return str(template) % {
        "insurance": case.get_insurance_display(),
        "serial_no": case.serial_no,
        "note": event.note,
        "status": case.get_status_display(),
    }


def events_for_person(events) -> list:
    """The events the applicant may see, as on their case page: the steps with a log line
    (not e.g. a receipt mismatch between agencies), and a note only where it is theirs to read
    (a refusal's reason, a late stage); other notes are the clerks' own (unsaved copies)."""
    visible = []
    for event in events:
        move = MOVES.get(event.action)
        if move is None or move.log is None:
            continue
        if not move.note_public and event.note:
            event = copy.copy(event)
            event.note = ""
        visible.append(event)
    return visible


def person_log(events) -> list[dict]:
    """The case's log as the person reads it: each step in plain words, by agency, without
    the clerks' internal notes (only a refusal's reason and a late stage are theirs to read)."""
    rows = []
    for event in events:
        move = MOVES.get(event.action)
        if move is None or move.log is None:
            continue
        rows.append(
            {
                "at": event.created_at,
                "text": str(move.log),
                "agency": event.agency,
                "note": event.note if move.note_public else "",
            }
        )
    return rows


# ── who may do what ──────────────────────────────────────────────────────────────────────────


def side_agency_id(case, side: str) -> int:
    return case.transfer_in_agency_id if side == "in" else case.transfer_out_agency_id


def actor_error(user, case, action: str) -> NotAllowed | None:
    """Why ``user`` may not do ``action`` on ``case`` (None when they may), states aside."""
    who = MOVES[action].who
    if who == Actor.APPLICANT:
        person_user_id = case.person.user_id
        if user is None or person_user_id is None or person_user_id != user.pk:
            return NotAllowed(_("只有申请人本人可以办理此项。"))
        return None
    if who == Actor.SYSTEM:
        return NotAllowed(_("此项由系统自动办理。"))
    clerk = clerk_of(user)
    if who == Actor.RESPONSIBLE_CLERK:
        # Nothing waiting (no responsible agency) is a matter of state: 409, not 403.
        if clerk is None or (
            case.attention_agency_id is not None and clerk.agency_id != case.attention_agency_id
        ):
            return NotAllowed(_("该问题由其他经办机构负责处理。"))
        return None
    side, role = ACTOR_RULES[who]
    if clerk is None or clerk.agency_id != side_agency_id(case, side):
        return NotAllowed(_("该申请不由您所在的经办机构办理此环节。"))
    if clerk.role != role:
        return NotAllowed(_("此项须由%(who)s办理。") % {"who": Actor(who).label})
    return None


def state_allows(case, action: str) -> bool:
    move = MOVES[action]
    if action == "retry":
        return case.attention_since is not None and case.status in move.sources
    return case.status in move.sources


def may(user, case, action: str) -> bool:
    """Whether ``user`` may do ``action`` on ``case`` now (actor and state; separation of
    duties is the service's own check). What the pages, admin and API offer."""
    return state_allows(case, action) and actor_error(user, case, action) is None


def allowed_moves(user, case) -> list[str]:
    people_moves = [name for name, move in MOVES.items() if move.who == Actor.APPLICANT]
    return [name for name in (*people_moves, *CLERK_MOVES) if may(user, case, name)]


# ── queues ───────────────────────────────────────────────────────────────────────────────────


class Queue(models.TextChoices):
    """Back-office queues: the cases waiting on one agency for one kind of step."""

    REVIEW = "review", _("待受理")  # transfer-in reviewer
    LETTERS = "letters", _("待接收联系函")  # transfer-out reviewer
    REMITTANCE = "remittance", _("待划转基金")  # transfer-out finance
    RECEIPT = "receipt", _("待确认到账")  # transfer-in finance
    ATTENTION = "attention", _("需人工处理")  # any clerk of the responsible agency


# Which status each queue shows and on which side of the case the clerk's agency must be.
QUEUES: dict[str, tuple[str | None, str | None]] = {
    Queue.REVIEW: (CaseStatus.SUBMITTED, "in"),
    Queue.LETTERS: (CaseStatus.LETTER_SENT, "out"),
    Queue.REMITTANCE: (CaseStatus.INFO_SHEET_ISSUED, "out"),
    Queue.RECEIPT: (CaseStatus.FUNDS_REMITTED, "in"),
    Queue.ATTENTION: (None, None),
}


def queue_condition(queue: str, agency_id: int | None) -> Q:
    """The cases of ``queue`` waiting on the agency (any agency when None: a superuser)."""
    status, side = QUEUES[queue]
    if queue == Queue.ATTENTION:
        condition = Q(attention_since__isnull=False)
        return condition & Q(attention_agency_id=agency_id) if agency_id else condition
    condition = Q(status=status)
    return condition & Q(**{f"transfer_{side}_agency_id": agency_id}) if agency_id else condition


def overdue_condition(today: datetime.date) -> Q:
    return Q(status__in=sorted(OPEN_STATUSES), current_due_date__lt=today)


def is_overdue(case, today: datetime.date) -> bool:
    """The one overdue test: an open case whose running stage is past its due date."""
    return bool(
        case.status in OPEN_STATUSES and case.current_due_date and case.current_due_date < today
    )
