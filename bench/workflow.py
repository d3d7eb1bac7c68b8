"""Benchmark: N transfer cases through the whole flow with a real Celery worker.

    REDIS_URL=redis://127.0.0.1:6379/0 DATABASE_URL=postgres://postgres@127.0.0.1:5432/x \
        .venv/bin/python bench/workflow.py [--cases 200] [--concurrency 2]

Uses its own database (the DATABASE_URL's server, database ``transfer_portal_bench``, dropped
and created anew) and its own queue, starts ``celery -A portal worker`` on it, submits N
pension applications (one person each, Beijing Chaoyang → Nanjing), and moves all of them
through accept, acknowledge, remit and confirm-receipt with the services, in waves. Prints
cases per second for the whole flow and the median seconds from acceptance to letter_sent and
from acknowledgement to info_sheet_issued (the two Celery document steps, under the load of
the whole wave being queued at once)."""

import argparse
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
BENCH_DB = "transfer_portal_bench"


def bench_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/transfer_portal")
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        sys.exit("bench/workflow.py needs PostgreSQL: set DATABASE_URL=postgres://…")
    return urlunsplit(parts._replace(path=f"/{BENCH_DB}"))


def recreate_database(url: str) -> None:
    import psycopg2

    parts = urlsplit(url)
    admin = psycopg2.connect(
        dbname="postgres",
        user=parts.username or "postgres",
        password=parts.password or None,
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{BENCH_DB}"')
    admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes")
    parser.add_argument(
        "--profile", type=int, default=20, help="cases timed in-process for the PDF/rest split"
    )
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        sys.exit("bench/workflow.py needs a real worker: set REDIS_URL=redis://…")

    url = bench_database_url()
    recreate_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("MEDIA_ROOT", f"/tmp/{BENCH_DB}-media")
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from agencies.services import regions_load

    regions_load()
    run(args.cases, args.concurrency, url)
    split_pdf_from_the_rest(args.profile)


def run(n: int, concurrency: int, url: str) -> None:
    from django.db.models import Q

    from portal.celery import app
    from tests.transfers.factories import make_mover, make_parties
    from transfers import services
    from transfers.models import CaseEvent, TransferCase
    from transfers.workflow import CaseStatus

    queue = f"bench-{uuid.uuid4().hex[:8]}"
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue

    print(f"Preparing {n} persons …", flush=True)
    parties = make_parties()
    people = [make_mover(parties) for _ in range(n)]

    worker = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "portal",
            "worker",
            f"--concurrency={concurrency}",
            "-Q",
            queue,
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, "CELERY_TASK_DEFAULT_QUEUE": queue},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def wait_all(status: str, timeout: float = 3600) -> None:
        deadline = time.monotonic() + timeout
        while TransferCase.objects.exclude(status=status).exists():
            if worker.poll() is not None:
                sys.exit("the worker died")
            if time.monotonic() > deadline:
                sys.exit(f"timed out waiting for {status}")
            time.sleep(0.2)

    try:
        started = time.monotonic()
        cases = [
            services.transfer_submit(
                person=p,
                insurance="pension",
                category="enterprise",
                from_region="110105",
                to_region="320106",
                phone="13912345678",
                hukou_address="北京市朝阳区建国路1号",
                actor=p.user,
            )
            for p in people
        ]
        for case in cases:
            services.transfer_accept(case=case, actor=parties.in_reviewer)
        wait_all(CaseStatus.LETTER_SENT)
        for case in cases:
            services.transfer_acknowledge(case=case, actor=parties.out_reviewer)
        wait_all(CaseStatus.INFO_SHEET_ISSUED)
        for case in cases:
            services.transfer_remit(case=case, actor=parties.out_finance)
        wait_all(CaseStatus.FUNDS_REMITTED)  # the bank has paid (remitting until then)
        for case in TransferCase.objects.select_related("remittance"):
            services.transfer_confirm_receipt(
                case=case, actor=parties.in_finance, amount=case.remittance.amount
            )
        wait_all(CaseStatus.COMPLETED)
        elapsed = time.monotonic() - started
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        with app.connection_for_write() as connection:
            connection.default_channel.queue_delete(queue)

    def medians(start: str, end: str) -> float:
        times: dict[int, dict[str, float]] = {}
        for case_id, action, at in CaseEvent.objects.filter(
            Q(action=start) | Q(action=end)
        ).values_list("case_id", "action", "created_at"):
            times.setdefault(case_id, {})[action] = at.timestamp()
        return statistics.median(t[end] - t[start] for t in times.values())

    print(f"cases: {n}, worker processes: {concurrency}")
    print(f"whole flow: {elapsed:.1f} s, {n / elapsed:.2f} cases/s")
    print(f"median accept → letter_sent: {medians('accept', 'send_letter'):.2f} s")
    print(
        "median acknowledge → info_sheet_issued: "
        f"{medians('acknowledge', 'issue_info_sheet'):.2f} s"
    )


def split_pdf_from_the_rest(n: int) -> None:
    """Runs ``n`` more cases through every step in this process (tasks eager, one at a time)
    and splits the time into PDF rendering (three documents a case) and everything else
    (services, locks, amounts, events, notifications, remittance, storage)."""
    import documents.services
    from portal.celery import app
    from tests.transfers.factories import make_mover, make_parties
    from transfers import services

    app.conf.task_always_eager = True
    rendering = {"seconds": 0.0, "documents": 0}
    real_render = documents.services.render_to_pdf

    def timed_render(*args, **kwargs):
        start = time.perf_counter()
        try:
            return real_render(*args, **kwargs)
        finally:
            rendering["seconds"] += time.perf_counter() - start
            rendering["documents"] += 1

    parties = make_parties()
    people = [make_mover(parties) for _ in range(n)]
    documents.services.render_to_pdf = timed_render
    try:
        started = time.perf_counter()
        for person in people:
            case = services.transfer_submit(
                person=person,
                insurance="pension",
                category="enterprise",
                from_region="110105",
                to_region="320106",
                phone="13912345678",
                hukou_address="北京市朝阳区建国路1号",
                actor=person.user,
            )
            services.transfer_accept(case=case, actor=parties.in_reviewer)
            services.transfer_acknowledge(case=case, actor=parties.out_reviewer)
            services.transfer_remit(case=case, actor=parties.out_finance)
            services.transfer_confirm_receipt(
                case=case, actor=parties.in_finance, amount=case.funds.total
            )
        total = time.perf_counter() - started
    finally:
        documents.services.render_to_pdf = real_render
    pdf = rendering["seconds"]
    print(
        f"per case, in-process ({n} cases, {rendering['documents'] / n:.0f} documents each): "
        f"{total / n:.3f} s in all = {pdf / n:.3f} s PDF rendering + "
        f"{(total - pdf) / n:.3f} s everything else"
    )


if __name__ == "__main__":
    main()
