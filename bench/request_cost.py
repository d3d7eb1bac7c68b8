"""Benchmark: what one request of each page and API call costs in-process, load aside.

    DATABASE_URL=postgres://…/portal_bench REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/request_cost.py [--root DIR] [-n 200] [--profile REGEX]

Runs the portal's production settings (DEBUG=0) in this process through Django's test client
(no HTTP server, no load generator) on the demo database of ``bench/http.py`` and prints, per
endpoint, the median CPU time of this thread and the median wall time of ``-n`` warm
requests, the number of SQL queries and of Redis commands. CPU time hardly moves with the
machine's load, so on a shared machine it compares two checkouts (``--root`` another one,
e.g. the commit before a change) where ``bench/http.py`` cannot. ``--profile`` prints cProfile's
top functions for the matching endpoints.
"""

import sys
from pathlib import Path

# This file's folder holds bench/http.py, which would hide the standard library's ``http``.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

import argparse  # noqa: E402
import cProfile  # noqa: E402
import os  # noqa: E402
import pstats  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

PERSONS = {"张三": "110105199003071239", "王五": "420106198405150030"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=str(HERE.parent), help="the checkout to measure")
    parser.add_argument("-n", type=int, default=200, help="requests per endpoint")
    parser.add_argument("--only", default="", help="only the endpoints whose name matches")
    parser.add_argument("--profile", default="", help="cProfile the endpoints that match")
    args = parser.parse_args()
    root = Path(args.root).resolve()
    sys.path.insert(0, str(root))
    os.chdir(root)
    os.environ.update(
        DEBUG="0",
        SECRET_KEY="bench-request-cost-only-not-secret-0123456789",
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        DJANGO_SETTINGS_MODULE="portal.settings",
        LOG_LEVEL="WARNING",
        STATIC_ROOT=tempfile.mkdtemp(prefix="bench-static-"),
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("collectstatic", "--noinput", "-v0")
    for name, client, path, extra in endpoints():
        if args.only and not re.search(args.only, name):
            continue
        measure(name, client, path, extra, args)


def endpoints() -> list:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from core.tokens import token_issue
    from transfers.models import TransferCase

    user_model = get_user_model()
    found = []
    for name, username in PERSONS.items():
        user = user_model.objects.get(username=username)
        browser = Client()
        # The login form, as a person signs in (the backend it stores is the one in use).
        browser.post("/login/", {"username": username, "password": "Demo-2026!"})
        key = token_issue(user=user)[0]
        auth = {"HTTP_AUTHORIZATION": f"Token {key}"}
        serial = TransferCase.objects.filter(person__user=user).order_by("-id").first().serial_no
        found += [
            (f"{name} /", browser, "/", {}),
            (f"{name} /me/records/", browser, "/me/records/", {}),
            (f"{name} /transfers/", browser, "/transfers/", {}),
            (f"{name} /transfers/<serial>/", browser, f"/transfers/{serial}/", {}),
            (f"{name} /api/v1/me/", Client(), "/api/v1/me/", auth),
            (f"{name} /api/v1/transfers/", Client(), "/api/v1/transfers/", auth),
            (f"{name} /api/v1/transfers/<serial>/", Client(), f"/api/v1/transfers/{serial}/", auth),
        ]
    clerk = user_model.objects.get(username="nj-review")
    office = Client()
    office.force_login(clerk)
    session = office.session
    device = TOTPDevice.objects.get(user=clerk, confirmed=True)
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id  # as the second-factor form does
    session.save()
    clerk_auth = {"HTTP_AUTHORIZATION": f"Token {token_issue(user=clerk, otp_verified=True)[0]}"}
    queue = "/api/v1/agency/transfers/?queue=review"
    found += [
        ("/ (home, anonymous)", Client(), "/", {}),
        (f"nj-review {queue}", Client(), queue, clerk_auth),
        ("nj-review /admin/transfers/transfercase/", office, "/admin/transfers/transfercase/", {}),
        ("nj-review /admin/ (dashboard)", office, "/admin/", {}),
    ]
    return found


def measure(name, client, path, extra, args) -> None:
    import redis
    from django.db import connection

    for _ in range(5):  # warm: per-process caches, the first request's imports
        response = client.get(path, **extra)
        if response.status_code != 200:
            sys.exit(f"{name}: GET {path} answered {response.status_code}")
    sent, queries = [], []
    original = redis.Redis.execute_command

    def counting(self, *command, **kwargs):
        sent.append(command[0] if command else "?")
        return original(self, *command, **kwargs)

    def wrapper(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    redis.Redis.execute_command = counting
    try:
        with connection.execute_wrapper(wrapper):
            client.get(path, **extra)
    finally:
        redis.Redis.execute_command = original
    profile = cProfile.Profile() if args.profile and re.search(args.profile, name) else None
    cpu, wall = [], []
    for _ in range(args.n):
        started, started_cpu = time.perf_counter(), time.thread_time()
        if profile:
            profile.enable()
        client.get(path, **extra)
        if profile:
            profile.disable()
        cpu.append((time.thread_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    print(
        f"| {name} | {statistics.median(cpu):.1f} | {statistics.median(wall):.1f} | "
        f"{len(queries)} | {len(sent)} |",
        flush=True,
    )
    if profile:
        stats = pstats.Stats(profile)
        stats.sort_stats(os.environ.get("BENCH_PROFILE_SORT", "cumulative")).print_stats(40)


if __name__ == "__main__":
    print("| endpoint | CPU ms | wall ms | queries | Redis commands |")
    print("|---|---|---|---|---|")
    main()
