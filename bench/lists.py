"""Time the lists in-process against a filled database (bench/scale.py): agency-wide lists of
the back office and the API, the queues, the workbench and the person's lists.

    .venv/bin/python bench/lists.py --database-url postgres://postgres@127.0.0.1:5432/portal_scale \
        [--requests 30] [--only admin]

Each list: warm-up requests, then N requests with Django's test client (DEBUG off, a verified
staff session for clerks); prints p50 and p95 in ms, the queries per request and the slowest
query's time (ms). Read-only except the login sessions it creates."""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The script directory holds bench/http.py, which would shadow the standard library.
sys.path[0] = str(ROOT)

LISTS = [
    # (label, user, url)
    ("admin list, nj-review", "nj-review", "/admin/transfers/transfercase/"),
    ("admin list, bj-finance", "bj-finance", "/admin/transfers/transfercase/"),
    ("admin list, nj-review, page 5", "nj-review", "/admin/transfers/transfercase/?p=5"),
    (
        "admin list, nj-review, queue review",
        "nj-review",
        "/admin/transfers/transfercase/?queue=review",
    ),
    (
        "admin list, bj-finance, queue remittance",
        "bj-finance",
        "/admin/transfers/transfercase/?queue=remittance",
    ),
    (
        "admin list, nj-review, attention",
        "nj-review",
        "/admin/transfers/transfercase/?queue=attention",
    ),
    ("admin list, nj-review, overdue", "nj-review", "/admin/transfers/transfercase/?overdue=yes"),
    (
        "admin list, nj-review, status completed",
        "nj-review",
        "/admin/transfers/transfercase/?status__exact=completed",
    ),
    ("API agency list, nj-review", "nj-review", "/api/v1/agency/transfers/"),
    ("API agency list, bj-finance", "bj-finance", "/api/v1/agency/transfers/"),
    ("API agency list, nj-review, page 5", "nj-review", "/api/v1/agency/transfers/?page=5"),
    (
        "API agency list, nj-review, queue review",
        "nj-review",
        "/api/v1/agency/transfers/?queue=review",
    ),
    (
        "API agency list, nj-review, attention",
        "nj-review",
        "/api/v1/agency/transfers/?queue=attention",
    ),
    ("workbench /admin/, nj-review", "nj-review", "/admin/"),
    ("workbench /admin/, bj-finance", "bj-finance", "/admin/"),
    ("person list /transfers/, bulk person", "@bulk", "/transfers/"),
    ("person API /api/v1/transfers/, bulk person", "@bulk", "/api/v1/transfers/"),
    ("person records /me/records/, bulk person", "@bulk", "/me/records/"),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--only", default="", help="only the lists whose label contains this")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        sys.exit("bench/lists.py needs PostgreSQL: set DATABASE_URL or --database-url")
    os.environ["DATABASE_URL"] = args.database_url
    # Production settings (as bench/http.py), with what an in-process run needs.
    os.environ.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": "bench-lists-only-not-secret-0123456789abcdef",
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",  # lists send none
            "STATIC_ROOT": str(ROOT / "var" / "bench-static"),
        }
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)  # the manifest pages need
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from transfers.models import TransferCase

    User = get_user_model()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM transfers_transfercase")
        n_cases = cursor.fetchone()[0]
    # A bulk person with cases: the last case's person (bench/scale.py gives each ~5).
    bulk = TransferCase.objects.order_by("-pk").values_list("person__user__username", flat=True)[0]
    clients = {}

    def client_for(username: str) -> Client:
        if username not in clients:
            user = User.objects.get(username=bulk if username == "@bulk" else username)
            client = Client()
            client.force_login(user)
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is not None:
                session = client.session
                session[DEVICE_ID_SESSION_KEY] = device.persistent_id
                session.save()
            clients[username] = client
        return clients[username]

    print(
        f"database {connection.settings_dict['NAME']}: {n_cases:,} cases; "
        f"{args.requests} requests per list after {args.warmup} warm-up; "
        f"load {os.getloadavg()[0]:.2f}"
    )
    print("| list | status | p50 ms | p95 ms | queries | slowest query ms |")
    print("|---|---|---|---|---|---|")
    for label, username, url in LISTS:
        if args.only and args.only not in label:
            continue
        client = client_for(username)
        for _ in range(args.warmup):
            response = client.get(url)
        times, slowest = [], 0.0
        for _ in range(args.requests):
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - start) * 1000)
            slowest = max([slowest] + [float(q["time"]) * 1000 for q in captured.captured_queries])
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        print(
            f"| {label} | {response.status_code} | {statistics.median(times):.1f} | "
            f"{p95:.1f} | {len(captured.captured_queries)} | {slowest:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
