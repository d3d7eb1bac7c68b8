"""The Celery pipeline at a glance: what runs after each move, in this order, after commit.

    move (service)          follow-up task         what it does (its service)
    ─────────────────────   ────────────────────   ───────────────────────────────────────────
    submit                  issue_certificate      stage 1: the electronic certificate from the
                                                   transfer-out records (transfer_issue_certificate)
    accept                  send_letter            stage 3: render and deliver the contact letter,
                                                   accepted → letter_sent (transfer_send_letter)
    acknowledge             issue_info_sheet       stage 4: amounts, info sheet, old enrollment
                                                   transferred out, letter_received →
                                                   info_sheet_issued (transfer_issue_info_sheet)
    remit                   pay_remittance         the bank pays once, by the remittance's key
    every event in NOTIFY   notify_case_event      in-app message, email, SMS to the person
    (beat, daily)           mark_overdue_stages    overdue stages marked, agencies told

Services call ``after_commit(event)`` once per event; nothing else enqueues pipeline work.
Tasks take ids, so the task reads the committed state, never a stale object.
"""

from transfers.models import CaseEvent

FOLLOW_UPS: dict[str, tuple[str, ...]] = {
    "submit": ("issue_certificate",),
    "accept": ("send_letter",),
    "acknowledge": ("issue_info_sheet",),
    "remit": ("pay_remittance",),
}

# The events the applicant is told about: every change of state, and the certificate.
NOTIFY = frozenset(
    {
        "submit",
        "issue_certificate",
        "accept",
        "reject",
        "withdraw",
        "send_letter",
        "acknowledge",
        "return",
        "issue_info_sheet",
        "remit",
        "confirm_receipt",
    }
)


def after_commit(event: CaseEvent) -> None:
    """Enqueue the person's notification and the move's follow-up tasks, on commit only."""
    from transfers import tasks  # tasks import services, which import this module

    if event.action in NOTIFY:
        tasks.notify_case_event.delay_on_commit(event.pk)
    for name in FOLLOW_UPS.get(event.action, ()):
        getattr(tasks, name).delay_on_commit(event.case_id)
