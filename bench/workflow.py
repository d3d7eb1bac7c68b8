"""Benchmark: N transfer cases through the whole flow with a real Celery worker, and the
PDF-bound limit measured in the same run, with production settings (``DEBUG=0``, collected static
files; each e-mail notice built whole and dropped at the border: ``bench/mail.py``).

    REDIS_URL=redis://127.0.0.1:6379/0 DATABASE_URL=postgres://postgres@127.0.0.1:5432/x \
        .venv/bin/python bench/workflow.py [--cases 200] [--concurrency 2] [--waves]

Uses its own database (beside DATABASE_URL's: ``x_bench``, dropped and created anew), its own
signing CA and media directory and its own queue, starts ``celery -A portal worker`` on it,
submits N pension applications (one person each, Beijing Chaoyang → Nanjing), and moves them
through accept, acknowledge, remit and confirm-receipt with the services: clerks take each
case as soon as it reaches their queue (``--waves``: all cases a step at a time, the old
bench). Prints cases per second for the whole flow, the CPU the worker processes used, how
many database backends waited for a lock (``pg_stat_activity`` sampled every 0.2 s), the
median seconds of the two Celery document steps; then runs ``--profile`` more cases eagerly
in-process (warm) to time the PDF work of a case (render + sign of its three documents, in
CPU seconds) and prints the PDF-bound limit (cores / PDF CPU a case) and the pipeline's ratio
to it; and the same from the PDF work the worker processes did during the flow itself
(``bench/worker_probe.py``), which a shared machine's drifting speed cannot skew."""

import sys
from pathlib import Path

# bench/ itself is not a package directory to import from: bench/http.py would shadow the
# standard library's http (Django imports http.cookies).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from urllib.parse import urlsplit, urlunsplit  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/transfer_portal")
# The bench's own database beside the given one: transfer_portal → transfer_portal_bench.
BENCH_DB = f"{urlsplit(DATABASE_URL).path.lstrip('/') or 'transfer_portal'}_bench"


def bench_database_url() -> str:
    parts = urlsplit(DATABASE_URL)
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
    parser.add_argument(
        "--waves",
        action="store_true",
        help="move all cases a step at a time (the old bench) instead of clerks working queues",
    )
    parser.add_argument(
        "--cores", type=int, default=os.cpu_count() or 1, help="cores the PDF-bound limit uses"
    )
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        sys.exit("bench/workflow.py needs a real worker: set REDIS_URL=redis://…")

    url = bench_database_url()
    recreate_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("MEDIA_ROOT", f"/tmp/{BENCH_DB}-media")
    os.environ.setdefault("DOCUMENT_SIGNING_DIR", f"/tmp/{BENCH_DB}-signing")
    os.environ["LOG_LEVEL"] = "WARNING"
    # Production settings, as bench/http.py serves them: DEBUG on would log every query
    # (Django's debug cursor) in the worker and here, work production never does.
    os.environ.update(
        DEBUG="0",
        SECRET_KEY=os.environ.get("SECRET_KEY") or "bench-workflow-only-not-secret-0123456789",
        SECURE_SSL_REDIRECT="0",
        STATIC_ROOT=tempfile.mkdtemp(prefix="bench-static-"),
        # Each notice is built into its whole message and dropped at the border (bench/mail.py).
        EMAIL_BACKEND="bench.mail.EmailBackend",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    from agencies.services import regions_load

    regions_load()
    from documents.signing import ensure_ca

    ensure_ca()
    pipeline_rate, worker_cpu_per_case, pdf_in_flow = run(
        args.cases, args.concurrency, url, args.waves
    )
    pdf_per_case = split_pdf_from_the_rest(args.profile)
    limit = args.cores / pdf_per_case
    print(
        f"PDF-bound limit: {args.cores} cores / {pdf_per_case:.3f} s of PDF CPU a case "
        f"= {limit:.2f} cases/s"
    )
    print(
        f"pipeline: {pipeline_rate:.2f} cases/s = {100 * pipeline_rate / limit:.0f} % "
        "of the PDF-bound limit"
    )
    if pdf_in_flow:
        # The same limit from the flow's own PDF work, measured in the workers in the same
        # minutes: on a shared machine whose speed drifts, the ratio that compares runs.
        limit_in_flow = args.cores / pdf_in_flow
        print(
            f"PDF-bound limit from the flow's own PDF work: {args.cores} cores / "
            f"{pdf_in_flow:.3f} s = {limit_in_flow:.2f} cases/s; pipeline = "
            f"{100 * pipeline_rate / limit_in_flow:.0f} % of it"
        )
        print(
            f"the worker's CPU a case ({worker_cpu_per_case:.3f} s) is "
            f"{pdf_in_flow / worker_cpu_per_case:.0%} PDF work: the ratio the pipeline would "
            "reach with every core given to the worker"
        )


def postgres_cpu() -> float:
    """CPU seconds used so far by the PostgreSQL server's processes on this machine (all
    databases: the bench's is the only busy one), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(") ", 1)
            if not stat.with_name("comm").read_text().startswith("postgres"):
                continue
        except OSError:  # the process ended meanwhile
            continue
        values = fields[1].split()
        total += (int(values[11]) + int(values[12])) / ticks  # utime, stime
    return total


def cpu_busy() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    fields = [float(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


class LockSampler(threading.Thread):
    """Samples ``pg_stat_activity`` of the bench database every 0.2 s: how many backends are
    running a query, how many wait for a lock, and on which statements they wait."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url = url
        self.stop = threading.Event()
        self.samples = 0
        self.active = 0
        self.waiting = 0
        self.waits: dict[str, int] = {}

    def run(self) -> None:
        import psycopg2

        connection = psycopg2.connect(self.url)
        connection.autocommit = True
        with connection.cursor() as cursor:
            while not self.stop.wait(0.2):
                cursor.execute(
                    "SELECT wait_event_type, left(regexp_replace(query, '\\s+', ' ', 'g'), 90)"
                    " FROM pg_stat_activity WHERE datname = current_database()"
                    " AND pid <> pg_backend_pid() AND state = 'active'"
                )
                rows = cursor.fetchall()
                self.samples += 1
                self.active += len(rows)
                for wait_type, query in rows:
                    if wait_type == "Lock":
                        self.waiting += 1
                        self.waits[query] = self.waits.get(query, 0) + 1
        connection.close()

    def report(self) -> None:
        samples = max(self.samples, 1)
        print(
            f"database, sampled every 0.2 s: {self.active / samples:.2f} queries running, "
            f"{self.waiting / samples:.2f} waiting for a lock (mean)"
        )
        for query, count in sorted(self.waits.items(), key=lambda item: -item[1])[:3]:
            print(f"  lock wait in {count / samples:.2f} of samples: {query}")


def clerks_work_their_queues(parties, worker) -> None:
    """Each clerk takes the cases waiting for them as they arrive, oldest first, the way the
    queues of the back office are worked: the next move of a case follows as soon as the
    worker has done its step, instead of waiting for the whole wave."""
    from transfers import services
    from transfers.models import TransferCase
    from transfers.workflow import CaseStatus

    moves = {
        CaseStatus.SUBMITTED: lambda c: services.transfer_accept(case=c, actor=parties.in_reviewer),
        CaseStatus.LETTER_SENT: lambda c: services.transfer_acknowledge(
            case=c, actor=parties.out_reviewer
        ),
        CaseStatus.INFO_SHEET_ISSUED: lambda c: services.transfer_remit(
            case=c, actor=parties.out_finance
        ),
        CaseStatus.FUNDS_REMITTED: lambda c: services.transfer_confirm_receipt(
            case=c, actor=parties.in_finance, amount=c.remittance.amount
        ),
    }
    while TransferCase.objects.exclude(status=CaseStatus.COMPLETED).exists():
        if worker.poll() is not None:
            sys.exit("the worker died")
        waiting = list(
            TransferCase.objects.filter(status__in=list(moves))
            .select_related("remittance")
            .order_by("updated_at")
        )
        for case in waiting:
            moves[case.status](case)
        if not waiting:
            time.sleep(0.2)


def run(n: int, concurrency: int, url: str, waves: bool) -> tuple[float, float, float]:
    from django.db.models import Q

    from portal.celery import app
    from tests.transfers.factories import make_mover, make_parties
    from transfers import services
    from transfers.models import CaseEvent, TransferCase
    from transfers.workflow import CaseStatus

    queue = f"bench-{uuid.uuid4().hex[:8]}"
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue

    import redis

    store = redis.Redis.from_url(os.environ["REDIS_URL"])
    pdf_cpu_key = f"bench:pdf-cpu:{queue}"
    store.delete(pdf_cpu_key)
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
            "--include",
            "bench.worker_probe",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": url,
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            "BENCH_PDF_CPU_KEY": pdf_cpu_key,
        },
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

    sampler = LockSampler(url)
    try:
        time.sleep(3)  # the worker boots
        sampler.start()
        busy_before, total_before = cpu_busy()
        children_before = os.times()
        postgres_before = postgres_cpu()
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
        if waves:
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
        else:
            clerks_work_their_queues(parties, worker)
        wait_all(CaseStatus.COMPLETED)
        elapsed = time.monotonic() - started
        busy_after, total_after = cpu_busy()
        postgres_used = postgres_cpu() - postgres_before
    finally:
        sampler.stop.set()
        worker.terminate()
        worker.wait(timeout=60)
        with app.connection_for_write() as connection:
            connection.default_channel.queue_delete(queue)
    children = os.times()
    worker_cpu = (children.children_user + children.children_system) - (
        children_before.children_user + children_before.children_system
    )

    def medians(start: str, end: str) -> float:
        times: dict[int, dict[str, float]] = {}
        for case_id, action, at in CaseEvent.objects.filter(
            Q(action=start) | Q(action=end)
        ).values_list("case_id", "action", "created_at"):
            times.setdefault(case_id, {})[action] = at.timestamp()
        return statistics.median(t[end] - t[start] for t in times.values())

    print(
        f"cases: {n}, worker processes: {concurrency}, "
        f"clerks: {'in waves' if waves else 'working their queues'}"
    )
    print(f"whole flow: {elapsed:.1f} s, {n / elapsed:.2f} cases/s")
    machine = 100 * (busy_after - busy_before) / (total_after - total_before)
    print(
        f"CPU during the flow: machine {machine:.0f} % busy (all processes, shared machine); "
        f"the worker processes used {worker_cpu:.1f} s = {worker_cpu / elapsed:.2f} cores, "
        f"{worker_cpu / n:.3f} s a case"
    )
    own = (children.user + children.system) - (children_before.user + children_before.system)
    print(
        f"the rest of the machine's CPU a case: this process (applicants and clerks: submit, "
        f"accept, acknowledge, remit, confirm; polling) {own / n:.3f} s, "
        f"PostgreSQL {postgres_used / n:.3f} s"
    )
    sampler.report()
    print(f"median accept → letter_sent: {medians('accept', 'send_letter'):.2f} s")
    print(
        "median acknowledge → info_sheet_issued: "
        f"{medians('acknowledge', 'issue_info_sheet'):.2f} s"
    )
    pdf_in_flow = float(store.get(pdf_cpu_key) or 0) / n
    store.delete(pdf_cpu_key)
    print(
        f"the PDF work in the worker processes during the flow: {pdf_in_flow:.3f} s of CPU a "
        f"case; the rest of their work {worker_cpu / n - pdf_in_flow:.3f} s a case"
    )
    return n / elapsed, worker_cpu / n, pdf_in_flow


def split_pdf_from_the_rest(n: int) -> float:
    """Runs ``n`` more cases through every step in this process (tasks eager, one at a time,
    after one warm-up case) and splits the time into the PDF work (render and sign of the
    case's three documents) and everything else (services, locks, amounts, events,
    notifications, remittance, storage). Returns the PDF seconds per case."""
    import documents.services
    from portal.celery import app
    from tests.transfers.factories import make_mover, make_parties
    from transfers import services

    app.conf.task_always_eager = True
    rendering = {"seconds": 0.0, "cpu": 0.0, "documents": 0}
    real_render = documents.services._render

    def timed_render(*args, **kwargs):
        start, cpu = time.perf_counter(), time.process_time()
        try:
            return real_render(*args, **kwargs)
        finally:
            rendering["seconds"] += time.perf_counter() - start
            rendering["cpu"] += time.process_time() - cpu
            rendering["documents"] += 1

    def one_case(person, parties):
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

    parties = make_parties()
    people = [make_mover(parties) for _ in range(n + 1)]
    one_case(people.pop(), parties)  # warm: fonts, templates, keys loaded
    documents.services._render = timed_render
    try:
        started = time.perf_counter()
        for person in people:
            one_case(person, parties)
        total = time.perf_counter() - started
    finally:
        documents.services._render = real_render
    pdf = rendering["seconds"]
    print(
        f"per case, in-process, warm ({n} cases, {rendering['documents'] / n:.0f} documents "
        f"each): {total / n:.3f} s in all = {pdf / n:.3f} s PDF (render + sign) + "
        f"{(total - pdf) / n:.3f} s everything else; the PDF work is "
        f"{rendering['cpu'] / n:.3f} s of CPU a case"
    )
    # CPU seconds, not wall time: on a shared machine the wall time of a render includes
    # waiting for a core, which would lower the limit and flatter the ratio.
    return rendering["cpu"] / n


if __name__ == "__main__":
    main()
