"""Bank adapters for tests, configured through ``TRANSFER_BANK_BACKEND`` like a real one.

They keep their counters in Django's cache (Redis when REDIS_URL is set), so that a worker
subprocess and the test see the same numbers."""

from django.core.cache import cache

from transfers.bank import BankError, LocalBank

FAILURES_LEFT = "test-bank:failures-left:{key}"
REFUSE = "test-bank:refuse:{key}"
CALLS = "test-bank:calls:{key}"


def forget_all() -> None:
    """Remove every counter of the test banks, and only those: a cache.clear() would also
    flush the Celery queues of any worker on the same Redis database."""
    if hasattr(cache, "delete_pattern"):
        cache.delete_pattern("test-bank:*")
    else:
        cache.clear()


def fail_next(key: str, times: int) -> None:
    """The next ``times`` payments of remittance ``key`` fail with a transient BankError."""
    cache.set(FAILURES_LEFT.format(key=key), times, timeout=3600)


def calls(key: str) -> int:
    return cache.get(CALLS.format(key=key), 0)


def refuse(key: str, refused: bool = True) -> None:
    """Payments of remittance ``key`` are refused for good (not a BankError) until lifted."""
    if refused:
        cache.set(REFUSE.format(key=key), True, timeout=3600)
    else:
        cache.delete(REFUSE.format(key=key))


class FlakyBank(LocalBank):
    """Fails transiently as told by ``fail_next``, refuses as told by ``refuse``, and
    otherwise pays like the local bank."""

    def pay(self, *, key, amount, from_account, to_account):
        try:
            cache.incr(CALLS.format(key=key))
        except ValueError:
            cache.set(CALLS.format(key=key), 1, timeout=3600)
        if cache.get(REFUSE.format(key=key)):
            raise PermissionError(f"payment {key} refused by the bank (test)")
        left = cache.get(FAILURES_LEFT.format(key=key), 0)
        if left > 0:
            cache.set(FAILURES_LEFT.format(key=key), left - 1, timeout=3600)
            raise BankError("bank gateway timed out (test)")
        return super().pay(key=key, amount=amount, from_account=from_account, to_account=to_account)


class RefusingBank:
    """A bank adapter whose answer is a hard "no" (not a BankError): a permanent failure."""

    def pay(self, *, key, amount, from_account, to_account):
        raise PermissionError("account 6222*** is frozen (test)")
