"""The bank border: paying a remittance from the transfer-out fund to the transfer-in fund.

A real bank adapter plugs in through ``TRANSFER_BANK_BACKEND``. Whatever the bank, the call is
made with the remittance's idempotency key, so a repeat (a retried task, a redelivered
message) is answered with the first payment's reference instead of paying twice. The local
implementation keeps its own ledger (``LocalBankTransfer``) with that key unique."""

import uuid
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string


class BankError(Exception):
    """A transient failure talking to the bank: the caller retries with the same key."""


class Bank(Protocol):
    def pay(self, *, key: str, amount: Decimal, from_account: str, to_account: str) -> str:
        """Pay once per ``key``; return the bank's reference (the same one on a repeat)."""
        ...


class LocalBank:
    """A working bank for development and tests: a ledger table keyed by the idempotency key."""

    def pay(self, *, key: str, amount: Decimal, from_account: str, to_account: str) -> str:
        from transfers.models import LocalBankTransfer

        existing = LocalBankTransfer.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return existing.reference
        try:
            with transaction.atomic():
                entry = LocalBankTransfer.objects.create(
                    idempotency_key=key,
                    amount=amount,
                    from_account=from_account,
                    to_account=to_account,
                    reference="LB" + uuid.uuid4().hex[:20].upper(),
                )
        except IntegrityError:
            # Two tries raced; the ledger's unique key let exactly one in.
            entry = LocalBankTransfer.objects.get(idempotency_key=key)
        return entry.reference


def get_bank() -> Bank:
    return import_string(settings.TRANSFER_BANK_BACKEND)()
