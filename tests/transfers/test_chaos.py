"""Chaos on the real parts: PostgreSQL, Redis and a Celery worker subprocess.

- The worker is SIGKILLed at random moments while 20 cases go through every step, the bank
  fails three times for two of them and refuses one for good.
- Redis is stopped for 30 s in the middle of a run (a Redis of the test's own, so that nothing
  else on the machine loses its broker), and comes back empty.

Whatever happens, every case completes or waits in the attention queue with its reason, and
nothing is done twice: one letter and one info sheet per case with gap-free numbers, one
bank payment per case, one message per event. The beat's re-dispatcher is played by the test
(``tasks.redispatch_events``), every few seconds."""

import random
import shutil
import signal
import socket
import subprocess
import time
from collections import Counter
from contextlib import contextmanager

import pytest
from django.db.models import Count

from core.models import Delivery, Notification
from documents.models import Document, DocumentCounter
from tests.cache_helpers import clear_cache_keys
from tests.transfers.banks import calls, fail_next, refuse
from tests.transfers.celery_helpers import fresh_queue, routed_to, wait_for, worker_subprocess
from tests.transfers.factories import case_in, make_parties
from transfers import services, tasks
from transfers.models import CaseEvent, FundRemittance, LocalBankTransfer, TransferCase
from transfers.workflow import MOVES, CaseStatus

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

# The worker: unacknowledged messages come back after 3 s, a dead worker's claim lapses after
# 2 s, retries wait 1 s, 2 s, 4 s… (production: an hour, 150 s, 5 s).
FAST = {
    "CELERY_VISIBILITY_TIMEOUT": "3",
    "OUTBOX_CLAIM_LEASE_SECONDS": "2",
    "TRANSFER_TASK_RETRY_BACKOFF": "1",
    "TRANSFER_TASK_MAX_RETRIES": "5",
}


@pytest.fixture
def fast_outbox(settings):
    settings.OUTBOX_CLAIM_LEASE_SECONDS = 2
    settings.OUTBOX_REDISPATCH_AFTER_SECONDS = 8
    settings.TRANSFER_TASK_MAX_RETRIES = 5


class Workers:
    """One worker subprocess at a time, killed (SIGKILL) or replaced on demand."""

    def __init__(self, queue, env, log):
        self.queue, self.env, self.log = queue, env, log
        self.process = None
        self.kills = 0

    def ensure(self):
        if self.process is None or self.process.poll() is not None:
            self.process = worker_subprocess(self.queue, extra_env=self.env, log=self.log)

    def kill(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
            self.kills += 1
        self.process = None

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def drive(done, *, workers, timeout, chaos=None, what):
    """Keep a worker alive, let ``chaos`` strike, play beat's re-dispatcher every 3 s, until
    ``done()``."""
    deadline = time.monotonic() + timeout
    last_sweep = 0.0
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        if chaos:
            chaos()
        workers.ensure()
        if time.monotonic() - last_sweep > 3:
            tasks.redispatch_events.run()
            last_sweep = time.monotonic()
        time.sleep(0.2)


def statuses(cases) -> Counter:
    return Counter(
        TransferCase.objects.filter(pk__in=[c.pk for c in cases]).values_list("status", flat=True)
    )


def all_in(cases, *states) -> bool:
    """Every case is in one of ``states`` or waits in an attention queue."""
    rows = TransferCase.objects.filter(pk__in=[c.pk for c in cases]).values_list(
        "status", "attention_since"
    )
    return all(status in states or since is not None for status, since in rows)


def assert_nothing_twice(cases):
    serials = [c.serial_no for c in cases]
    documents = Document.objects.filter(case_reference__in=serials)
    per_case_kind = documents.values("case_reference", "kind").annotate(n=Count("id"))
    assert all(row["n"] == 1 for row in per_case_kind), "a document was issued twice"
    for counter in DocumentCounter.objects.all():
        numbers = sorted(
            Document.objects.filter(kind=counter.kind, agency=counter.agency).values_list(
                "sequence", flat=True
            )
        )
        assert numbers == list(range(1, counter.last_sequence + 1)), "numbering has a gap"
    assert (
        LocalBankTransfer.objects.values("idempotency_key")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
        == 0
    )
    # One message per (person, event): the table's follow-ups, never more.
    told = CaseEvent.objects.filter(
        case__in=cases,
        dispatched_at__isnull=False,
        attempts__gte=1,  # run by the outbox
    ).filter(action__in=[a for a, m in MOVES.items() if "notify_person" in m.follow_ups])
    keys = Counter(Notification.objects.values_list("key", flat=True))
    assert all(keys[f"case-event:{event.pk}"] == 1 for event in told)
    assert max(keys.values(), default=1) == 1
    assert Delivery.objects.values("key").annotate(n=Count("id")).filter(n__gt=1).count() == 0


def confirm_all(cases, parties):
    for case in TransferCase.objects.filter(pk__in=[c.pk for c in cases]):
        if case.status == CaseStatus.FUNDS_REMITTED:
            amount = FundRemittance.objects.get(case=case).amount
            services.transfer_confirm_receipt(case=case, actor=parties.in_finance, amount=amount)


def move_all(cases, state, service, actor):
    for case in TransferCase.objects.filter(pk__in=[c.pk for c in cases], status=state):
        service(case=case, actor=actor)


def test_worker_killed_at_random_while_20_cases_run_and_the_bank_misbehaves(
    require_postgres, require_redis, regions, tmp_path, fast_outbox, settings
):
    seed = random.randrange(10**6)
    print(f"chaos seed {seed}")  # shown when the test fails
    rng = random.Random(seed)
    parties = make_parties()
    cases = [case_in("submitted", parties) for _ in range(20)]
    flaky = cases[:2]
    refused = cases[2]
    clear_cache_keys()
    for case in flaky:
        fail_next(f"remit-{case.serial_no}", 3)
    refuse(f"remit-{refused.serial_no}")

    queue = fresh_queue()
    log = (tmp_path / "workers.log").open("w")
    env = {**FAST, "TRANSFER_BANK_BACKEND": "tests.transfers.banks.FlakyBank"}
    workers = Workers(queue, env, log)
    next_kill = [time.monotonic() + rng.uniform(1.0, 4.0)]

    def kill_at_random():
        if workers.kills < 6 and time.monotonic() > next_kill[0]:
            workers.kill()
            next_kill[0] = time.monotonic() + rng.uniform(1.5, 5.0)

    try:
        with routed_to(queue):
            move_all(cases, CaseStatus.SUBMITTED, services.transfer_accept, parties.in_reviewer)
            drive(
                lambda: all_in(cases, CaseStatus.LETTER_SENT),
                workers=workers,
                timeout=150,
                chaos=kill_at_random,
                what="every letter",
            )
            move_all(
                cases, CaseStatus.LETTER_SENT, services.transfer_acknowledge, parties.out_reviewer
            )
            drive(
                lambda: all_in(cases, CaseStatus.INFO_SHEET_ISSUED),
                workers=workers,
                timeout=150,
                chaos=kill_at_random,
                what="every info sheet",
            )
            move_all(
                cases, CaseStatus.INFO_SHEET_ISSUED, services.transfer_remit, parties.out_finance
            )
            drive(
                lambda: all_in(cases, CaseStatus.FUNDS_REMITTED),
                workers=workers,
                timeout=150,
                chaos=kill_at_random,
                what="every payment",
            )
            confirm_all(cases, parties)
            assert workers.kills >= 3, "the chaos did not happen"

            # The refused payment waits for the transfer-out agency; nothing else does.
            waiting = TransferCase.objects.filter(attention_since__isnull=False)
            assert list(waiting) == [refused]
            refused.refresh_from_db()
            assert refused.status == CaseStatus.REMITTING
            assert refused.attention_agency == parties.out_agency
            assert "银行未完成转移基金划转" in refused.attention_reason
            assert statuses(cases)[CaseStatus.COMPLETED] == 19
            for case in flaky:
                assert calls(f"remit-{case.serial_no}") >= 4  # three failures, then paid

            # The bank accepts it now; a clerk retries from the attention queue.
            refuse(f"remit-{refused.serial_no}", False)
            services.transfer_retry(case=refused, actor=parties.out_finance)
            drive(
                lambda: statuses([refused])[CaseStatus.FUNDS_REMITTED] == 1,
                workers=workers,
                timeout=60,
                what="the retried payment",
            )
            confirm_all([refused], parties)
            drive(
                lambda: (
                    not CaseEvent.objects.filter(
                        dispatched_at__isnull=True, failed_at__isnull=True
                    ).exists()
                ),
                workers=workers,
                timeout=60,
                what="the last notifications",
            )
    finally:
        workers.stop()
        log.close()

    assert statuses(cases)[CaseStatus.COMPLETED] == 20
    assert LocalBankTransfer.objects.count() == 20
    assert Document.objects.filter(case_reference__in=[c.serial_no for c in cases]).count() == 40
    assert_nothing_twice(cases)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def own_redis():
    """A Redis server of this test's own (nothing kept on disk), stoppable at will."""
    binary = shutil.which("redis-server")
    assert binary, "redis-server is not installed"
    port = _free_port()
    command = [
        binary,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
    ]

    def start():
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import redis

        client = redis.Redis(port=port, socket_connect_timeout=0.5)
        wait_for(lambda: _pings(client), timeout=10, what="redis-server to start")
        return process

    server = {"process": start()}

    def stop():
        server["process"].terminate()
        server["process"].wait(timeout=10)

    def restart():
        server["process"] = start()

    try:
        yield f"redis://127.0.0.1:{port}/0", stop, restart
    finally:
        if server["process"].poll() is None:
            server["process"].terminate()
            server["process"].wait(timeout=10)


def _pings(client) -> bool:
    import redis

    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


@contextmanager
def broker(url: str):
    """This process's Celery app publishes to ``url``; every connection pool is dropped on the
    way in and out, so that nothing keeps a connection to the other broker (or a dead one)."""
    from kombu import pools

    from portal.celery import app

    saved = app.conf.broker_url

    def reset():
        pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    reset()
    app.conf.broker_url = url
    try:
        yield
    finally:
        app.conf.broker_url = saved
        reset()


def test_redis_stopped_for_30_seconds_mid_run_loses_nothing(
    require_postgres, require_redis, regions, tmp_path, fast_outbox, settings
):
    parties = make_parties()
    cases = [case_in("submitted", parties) for _ in range(8)]
    queue = fresh_queue()
    log = (tmp_path / "workers.log").open("w")
    with own_redis() as (url, stop_redis, restart_redis), broker(url):
        settings.REDIS_URL = url
        workers = Workers(queue, {**FAST, "REDIS_URL": url}, log)
        try:
            with routed_to(queue):
                move_all(cases, CaseStatus.SUBMITTED, services.transfer_accept, parties.in_reviewer)
                drive(
                    lambda: statuses(cases)[CaseStatus.LETTER_SENT] >= 2,
                    workers=workers,
                    timeout=60,
                    what="the first letters",
                )
                stop_redis()
                outage_ends = time.monotonic() + 30
                # During the outage the agencies keep working: their moves are saved, and
                # their follow-ups wait in the outbox (the enqueue fails, quietly).
                move_all(
                    cases,
                    CaseStatus.LETTER_SENT,
                    services.transfer_acknowledge,
                    parties.out_reviewer,
                )
                acknowledged = CaseEvent.objects.filter(case__in=cases, action="acknowledge")
                assert acknowledged.exists()
                assert all(e.dispatched_at is None for e in acknowledged)
                while time.monotonic() < outage_ends:
                    time.sleep(0.5)
                restart_redis()  # empty: every message in it is gone
                drive(
                    lambda: all_in(cases, CaseStatus.INFO_SHEET_ISSUED),
                    workers=workers,
                    timeout=150,
                    # letters that arrive after the outage are acknowledged as they come
                    chaos=lambda: move_all(
                        cases,
                        CaseStatus.LETTER_SENT,
                        services.transfer_acknowledge,
                        parties.out_reviewer,
                    ),
                    what="every info sheet after the outage",
                )
                move_all(
                    cases,
                    CaseStatus.INFO_SHEET_ISSUED,
                    services.transfer_remit,
                    parties.out_finance,
                )
                drive(
                    lambda: all_in(cases, CaseStatus.FUNDS_REMITTED),
                    workers=workers,
                    timeout=90,
                    what="every payment",
                )
                confirm_all(cases, parties)
                drive(
                    lambda: (
                        not CaseEvent.objects.filter(
                            dispatched_at__isnull=True, failed_at__isnull=True
                        ).exists()
                    ),
                    workers=workers,
                    timeout=60,
                    what="the last notifications",
                )
        finally:
            workers.stop()
            log.close()
    assert statuses(cases)[CaseStatus.COMPLETED] == len(cases)
    assert not TransferCase.objects.filter(attention_since__isnull=False).exists()
    assert_nothing_twice(cases)
