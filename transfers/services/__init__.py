"""Every write of a transfer case, split along the move table (``transfers.workflow``):

- ``submission``: eligibility, serial numbers, opening a case;
- ``moves``: the moves people make (applicant and clerks), and retry from the attention queue;
- ``steps``: the system's steps, the follow-ups the outbox runs after commit;
- ``outbox``: dispatching an event's follow-ups, retries, the attention queue;
- ``notify``: telling the applicant and the agencies;
- ``deadlines``: overdue stages; due dates recomputed when the calendar table changes.

Each move, inside one transaction: lock the case row, check the actor (agency and role), check
the current state, write the new state with ``update_fields``, write one immutable
``CaseEvent`` (also the outbox entry of its follow-ups).

Errors: ``EligibilityError`` (400) at submission, ``NotAllowed`` (403) for the wrong actor,
``TransitionNotAllowed`` (409) for a move the current state does not allow.
"""

from transfers.services.base import AmountChanged, AmountMismatch, EligibilityError
from transfers.services.collection import (
    collection_start,
    temporary_accounts_elsewhere,
    temporary_accounts_of,
)
from transfers.services.deadlines import (
    due_dates_recompute,
    mark_overdue_stages,
    working_day_calendar_decide,
    working_day_calendar_delete,
    working_day_calendar_save,
)
from transfers.services.moves import (
    transfer_accept,
    transfer_acknowledge,
    transfer_confirm_receipt,
    transfer_reject,
    transfer_remit,
    transfer_retry,
    transfer_return,
    transfer_withdraw,
)
from transfers.services.steps import (
    transfer_issue_certificate,
    transfer_issue_info_sheet,
    transfer_pay_remittance,
    transfer_record_payment,
    transfer_send_letter,
)
from transfers.services.submission import (
    application_submit,
    check_eligibility,
    next_serial_no,
    transfer_submit,
)
from transfers.workflow import CLERK_MOVES

# The service of each move a person makes (``workflow.MOVES``): the admin, the API and the
# pages call moves through this map, with the parameters the table names.
MOVE_SERVICES = {
    "withdraw": transfer_withdraw,
    "accept": transfer_accept,
    "reject": transfer_reject,
    "acknowledge": transfer_acknowledge,
    "return": transfer_return,
    "remit": transfer_remit,
    "confirm_receipt": transfer_confirm_receipt,
    "retry": transfer_retry,
}
assert set(CLERK_MOVES) <= set(MOVE_SERVICES), "every clerk move needs its service"

__all__ = [
    "MOVE_SERVICES",
    "AmountChanged",
    "AmountMismatch",
    "EligibilityError",
    "application_submit",
    "check_eligibility",
    "collection_start",
    "due_dates_recompute",
    "mark_overdue_stages",
    "next_serial_no",
    "temporary_accounts_elsewhere",
    "temporary_accounts_of",
    "transfer_accept",
    "transfer_acknowledge",
    "transfer_confirm_receipt",
    "transfer_issue_certificate",
    "transfer_issue_info_sheet",
    "transfer_pay_remittance",
    "transfer_record_payment",
    "transfer_reject",
    "transfer_remit",
    "transfer_retry",
    "transfer_return",
    "transfer_send_letter",
    "transfer_submit",
    "transfer_withdraw",
    "working_day_calendar_decide",
    "working_day_calendar_delete",
    "working_day_calendar_save",
]
