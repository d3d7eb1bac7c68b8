"""The JSON of the case reads of the API built by plain functions: the same dicts, key for key
and byte for byte once rendered, as ``CaseListSerializer``, ``StaffCaseListSerializer`` and
``CaseDetailSerializer`` (``transfers.serializers``) give.

Why: those serializers spend most of a request in DRF's per-field machinery
(``get_attribute``, ``is_simple_callable`` with ``inspect.signature``, a nested serializer per
stage, event and document). The serializers stay the documented schema (``extend_schema``
and ``/api/schema/``); a change to one must be made here too, and
``tests/transfers/test_representations.py`` compares the two on cases in many states, in
Chinese and in English. Leaf values are formatted by DRF's own fields
(``core.representation``)."""

import datetime

from core.representation import date_string, datetime_string, decimal_string, display, text
from transfers.models import TransferCase
from transfers.serializers import PERSON_ATTENTION_MESSAGE
from transfers.workflow import MOVES, Actor, is_overdue, move_label


def case_list_item(case: TransferCase) -> dict:
    """``CaseListSerializer(case).data``."""
    return {
        "serial_no": text(case.serial_no),
        "application": text(case.application.number),
        # ChoiceField gives the stored value back (it is one of the choices).
        "insurance": case.insurance,
        "insurance_display": display(case, "insurance"),
        "category": case.category,
        "category_display": display(case, "category"),
        "status": case.status,
        "status_display": display(case, "status"),
        "from_region": text(case.from_region_id),
        "from_region_name": text(case.from_region_name),
        "to_region": text(case.to_region_id),
        "to_region_name": text(case.to_region_name),
        "from_agency": text(case.transfer_out_agency_name),
        "to_agency": text(case.transfer_in_agency_name),
        "submitted_at": datetime_string(case.submitted_at),
        "current_due_date": date_string(case.current_due_date),
        "completed_at": datetime_string(case.completed_at),
    }


def staff_case_list_item(case: TransferCase, *, today: datetime.date) -> dict:
    """``StaffCaseListSerializer(case, context={"today": today}).data``."""
    person = case.person
    return {
        **case_list_item(case),
        "person_name": text(person.name),
        "id_number_masked": text(person.id_number_masked),
        "overlapping_months": case.overlapping_months,  # JSONField: the value as stored
        "overdue": is_overdue(case, today),
        "attention_since": datetime_string(case.attention_since),
        "attention_reason": text(case.attention_reason),
    }


def case_detail(
    case: TransferCase, *, detail: dict, allowed_moves: list[str], for_agency: bool
) -> dict:
    """``CaseDetailSerializer(case, context=…).data`` with ``detail`` from
    ``transfers.selectors.case_detail`` (its events already filtered for the person)."""
    funds = detail["funds"]
    refund = detail.get("refund")
    remittance = detail["remittance"]
    return {
        **case_list_item(case),
        "attention": _attention(case, for_agency=for_agency),
        "end_reason": text(case.end_reason),
        "contact_phone": text(case.contact_phone),
        "hukou_address": text(case.hukou_address),
        "overlapping_months": case.overlapping_months,  # JSONField: the value as stored
        "approved_transfer": bool(case.approved_transfer),
        "service_target_due": detail["service_target_due"].isoformat(),
        "service_target_estimated": detail["service_target_estimated"],
        "stages": [_stage(stage) for stage in detail["stages"]],
        "events": [_event(event) for event in detail["events"]],
        "funds": None if funds is None else _funds(funds),
        "refund": None if refund is None else _refund(refund),
        "remittance": None if remittance is None else _remittance(remittance),
        "documents": [_document(document) for document in detail["documents"]],
        "allowed_moves": allowed_moves,
    }


def _attention(case: TransferCase, *, for_agency: bool) -> dict | None:
    if case.attention_since is None:
        return None
    if not for_agency:
        return {
            "since": datetime_string(case.attention_since),
            "message": str(PERSON_ATTENTION_MESSAGE),
        }
    agency = case.attention_agency
    return {
        "since": datetime_string(case.attention_since),
        "message": str(PERSON_ATTENTION_MESSAGE),
        "agency": agency.name if agency else None,
        "reason": text(case.attention_reason),
        "detail": text(case.attention_detail),
    }


def _stage(stage: dict) -> dict:
    return {
        "name": text(stage["name"]),
        "label": text(stage["label"]),
        "status": stage["status"],
        "started_at": datetime_string(stage["started_at"]),
        "due_date": date_string(stage["due_date"]),
        "due_date_estimated": stage["due_date_estimated"],
        "completed_at": datetime_string(stage["completed_at"]),
    }


def _event(event) -> dict:
    move = MOVES.get(event.action)
    return {
        "action": text(event.action),
        "label": move_label(event.action),
        "from_status": text(event.from_status),
        "to_status": text(event.to_status),
        # The role that acted (never a clerk's name: the person reads this).
        "actor": str(Actor(move.who).label if move else Actor.SYSTEM.label),
        "agency": event.agency.name if event.agency_id else None,
        "note": text(event.note),
        "created_at": datetime_string(event.created_at),
    }


def _funds(funds) -> dict:
    return {
        "months": funds.months,
        "before_1998": decimal_string(funds.before_1998, 14, 2),
        "since_1998_to_last_year": decimal_string(funds.since_1998_to_last_year, 14, 2),
        "transfer_year_principal": decimal_string(funds.transfer_year_principal, 14, 2),
        "personal_account": decimal_string(funds.personal_account, 14, 2),
        "pooled_fund": decimal_string(funds.pooled_fund, 14, 2),
        "total": decimal_string(funds.total, 14, 2),
    }


def _refund(refund) -> dict:
    return {
        "amount": decimal_string(refund.amount, 12, 2),
        "months": refund.months,
        "recorded": refund.recorded_at is not None,
    }


def _remittance(remittance) -> dict:
    return {
        "amount": decimal_string(remittance.amount, 14, 2),
        "approved_at": datetime_string(remittance.approved_at),
        "received_at": datetime_string(remittance.received_at),
        "bank_reference": text(remittance.bank_reference),
        "paid_at": datetime_string(remittance.paid_at),
    }


def _document(document) -> dict:
    return {
        "id": document.id,
        "kind": text(document.kind),
        "kind_display": display(document, "kind"),
        "number": text(document.number),
        "issued_at": datetime_string(document.issued_at),
        "url": text(document.url),
    }
