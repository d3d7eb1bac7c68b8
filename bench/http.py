"""Benchmark: the portal's pages and API under load, against the framework's floor, in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/transfer_portal_scale \
        .venv/bin/python bench/http.py [--duration 8] [--connections 20] [--workers 2] \
        [--threads 1] [--label 10k]

Starts gunicorn twice with the same settings — the portal (production settings: DEBUG=0,
PostgreSQL) and ``bench/baseline_app.py`` (a trivial Django view rendering a 20-item
template, no database, no middleware) — then drives each endpoint with ``wrk`` (Debian
package ``wrk``) for ``--duration`` seconds at ``--connections`` concurrent connections, and
prints requests per second, p50, p95 and p99 per endpoint and the ratio of each to the
trivial view measured in the same run. The database must already hold the demo accounts
(``manage.py seed_demo``) and, for the scale figures, the cases of ``bench/scale.py``.
"""

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, and this file's name would hide
# the standard library's ``http`` package from urllib: take the folder off, put the project on.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402

LUA = """
done = function(summary, latency, requests)
  io.write(string.format(
    "JSON{\\"requests\\": %d, \\"seconds\\": %f, \\"errors\\": %d, \\"non2xx\\": %d,"
    .. " \\"p50\\": %f, \\"p95\\": %f, \\"p99\\": %f}\\n",
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status,
    latency:percentile(50) / 1e3, latency:percentile(95) / 1e3, latency:percentile(99) / 1e3))
end
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(app: str, port: int, env: dict, args) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv/bin/gunicorn"),
        app,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            return process
        except urllib.error.HTTPError:
            return process  # up, answering (a redirect or 404 is fine)
        except OSError:
            time.sleep(0.3)
    process.kill()
    sys.exit(f"gunicorn {app} did not start")


def wrk(url: str, headers: dict, args) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA)
    command = ["wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s", "-s", script.name]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=args.duration + 60
    ).stdout
    os.unlink(script.name)
    line = next(line for line in output.splitlines() if line.startswith("JSON"))
    result = json.loads(line[4:])
    result["rps"] = result["requests"] / result["seconds"]
    return result


def credentials(env: dict) -> dict:
    """Session cookies and API tokens for 张三 and a Nanjing reviewer, made in this process."""
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from transfers.models import TransferCase

    user_model = get_user_model()
    person = user_model.objects.get(username="110105199003071239")
    clerk = user_model.objects.get(username="nj-review")

    def session(user) -> str:
        client = Client()
        client.force_login(user)
        session = client.session
        try:  # a clerk's session must carry a verified second factor (django-otp), if enabled
            from django_otp import DEVICE_ID_SESSION_KEY
            from django_otp.plugins.otp_totp.models import TOTPDevice

            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is not None:
                session[DEVICE_ID_SESSION_KEY] = device.persistent_id
                session.save()
        except ImportError:
            pass
        return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"

    def token(user) -> str:
        try:
            from core.tokens import token_issue  # expiring tokens, when present

            return token_issue(user=user, otp_verified=user.is_staff)[0]
        except ImportError:
            from rest_framework.authtoken.models import Token

            return Token.objects.get_or_create(user=user)[0].key

    case = TransferCase.objects.filter(person__user=person).order_by("-id").first()
    return {
        "person_cookie": session(person),
        "clerk_cookie": session(clerk),
        "person_token": token(person),
        "clerk_token": token(clerk),
        "serial": case.serial_no if case else "",
        "case_pk": case.pk if case else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--label", default="", help="printed with the figures (e.g. 10k, 1M)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    database = os.environ.get("DATABASE_URL", "")
    if not database.startswith("postgres"):
        sys.exit("set DATABASE_URL=postgres://… (a database filled by seed_demo / bench/scale.py)")
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "bench-http-only-not-secret-0123456789abcdef",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
    }
    static_root = tempfile.mkdtemp(prefix="bench-static-")
    env["STATIC_ROOT"] = static_root
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    auth = credentials(env)
    portal_port, baseline_port = free_port(), free_port()
    portal = start_gunicorn("portal.wsgi:application", portal_port, env, args)
    baseline = start_gunicorn("bench.baseline_app:application", baseline_port, env, args)
    person_session = {"Cookie": auth["person_cookie"]}
    clerk_session = {"Cookie": auth["clerk_cookie"]}
    person_api = {"Authorization": f"Token {auth['person_token']}"}
    clerk_api = {"Authorization": f"Token {auth['clerk_token']}"}
    endpoints = [
        ("trivial view (baseline)", f"http://127.0.0.1:{baseline_port}/", {}),
        ("/ (home)", "/", {}),
        ("/me/records/", "/me/records/", person_session),
        ("/transfers/", "/transfers/", person_session),
        ("/transfers/<serial>/", f"/transfers/{auth['serial']}/", person_session),
        ("/api/v1/me/", "/api/v1/me/", person_api),
        ("/api/v1/transfers/<serial>/", f"/api/v1/transfers/{auth['serial']}/", person_api),
        ("/api/v1/agency/transfers/", "/api/v1/agency/transfers/", clerk_api),
        (
            "/api/v1/agency/transfers/?queue=review",
            "/api/v1/agency/transfers/?queue=review",
            clerk_api,
        ),
        ("/admin/transfers/transfercase/", "/admin/transfers/transfercase/", clerk_session),
        (
            "admin dashboard",
            "/admin/transfers/transfercase/dashboard/",
            clerk_session,
        ),
    ]
    if not auth["serial"]:
        print("张三 has no case: the case endpoints are skipped (run bench/scale.py first)")
        endpoints = [e for e in endpoints if "<serial>" not in e[0]]
    results = []
    try:
        for name, url, headers in endpoints:
            if url.startswith("/"):
                url = f"http://127.0.0.1:{portal_port}{url}"
            results.append((name, wrk(url, headers, args)))
    finally:
        portal.terminate()
        baseline.terminate()
        portal.wait(timeout=30)
        baseline.wait(timeout=30)
        shutil.rmtree(static_root, ignore_errors=True)
    floor = results[0][1]["rps"]
    print(
        f"\n{time.strftime('%Y-%m-%d')} {args.label} gunicorn {args.workers} workers × "
        f"{args.threads} threads, wrk -t2 -c{args.connections} -d{args.duration}s, "
        f"{os.cpu_count()} cores"
    )
    print("| endpoint | req/s | × trivial | p50 ms | p95 ms | p99 ms | non-2xx |")
    print("|---|---|---|---|---|---|---|")
    for name, result in results:
        print(
            f"| {name} | {result['rps']:,.0f} | {result['rps'] / floor:.0%} | "
            f"{result['p50']:.1f} | {result['p95']:.1f} | {result['p99']:.1f} | "
            f"{result['non2xx']} |"
        )


if __name__ == "__main__":
    main()
