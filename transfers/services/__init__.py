"""Every write of a transfer case, split along the move table (``transfers.workflow``):

- ``submission``: eligibility, serial numbers, opening a case;
- ``moves``: the moves people make (applicant and clerks);
- ``steps``: the system's steps, run by tasks after commit;
- ``deadlines``: overdue stages; due dates recomputed when the calendar table changes.

Each move, inside one transaction: lock the case row, check the actor (agency and role), check
the current state, write the new state with ``update_fields``, write one immutable
``CaseEvent`` (also the outbox entry of its follow-ups).

Errors: ``EligibilityError`` (400) at submission, ``NotAllowed`` (403) for the wrong actor,
``TransitionNotAllowed`` (409) for a move the current state does not allow.
"""

from transfers.services.base import AmountMismatch, EligibilityError
from transfers.services.deadlines import (
    due_dates_recompute,
    mark_overdue_stages,
    working_day_calendar_delete,
    working_day_calendar_save,
)
from transfers.services.moves import (
    transfer_accept,
    transfer_acknowledge,
    transfer_confirm_receipt,
    transfer_reject,
    transfer_remit,
    transfer_return,
    transfer_withdraw,
)
from transfers.services.steps import (
    transfer_issue_certificate,
    transfer_issue_info_sheet,
    transfer_pay_remittance,
    transfer_send_letter,
)
from transfers.services.submission import check_eligibility, next_serial_no, transfer_submit

__all__ = [
    "AmountMismatch",
    "EligibilityError",
    "check_eligibility",
    "due_dates_recompute",
    "mark_overdue_stages",
    "next_serial_no",
    "transfer_accept",
    "transfer_acknowledge",
    "transfer_confirm_receipt",
    "transfer_issue_certificate",
    "transfer_issue_info_sheet",
    "transfer_pay_remittance",
    "transfer_reject",
    "transfer_remit",
    "transfer_return",
    "transfer_send_letter",
    "transfer_submit",
    "transfer_withdraw",
    "working_day_calendar_delete",
    "working_day_calendar_save",
]
