"""Benchmark: the portal's pages and API under load, against the framework's floor, in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/http.py [--duration 8] [--connections 20] [--workers 2] \
        [--threads 1] [--label 10k] [--only REGEX] [--compare /tmp/before --compare-label before]

Starts gunicorn twice with the same settings — the portal (production settings: DEBUG=0,
PostgreSQL, Redis cache) and ``bench/baseline_app.py`` (a trivial Django view rendering a
20-item template, no database, no middleware) — signs in as the demo accounts through the real
entry points (the login form; for the clerk also the back office's second-factor form with the
TOTP code of the demo secret; ``POST /api/v1/auth/token/`` for API tokens), then drives each
endpoint with ``wrk`` (Debian package ``wrk``) for ``--duration`` seconds at ``--connections``
concurrent connections. It prints requests per second, p50, p95 and p99 per endpoint and the
ratio to the trivial view measured in the same run (at the start and again at the end: the
ratio uses their mean), and the number of responses that were not 200 (a redirect to the login
page would be a benchmark bug: every endpoint is first checked once to answer 200).

Two more rows are the signed-in floors (``bench/floor_wsgi.py``, served by the portal's own
gunicorn): an empty page behind the whole middleware stack and ``login_required``, and an empty
API call behind the API's token authentication: no page or call that needs the signed-in
person can be cheaper than these.

Three rows more are cache-hit bounds (also ``bench/floor_wsgi.py``): the records page, the case
page and the case API as a cache of whole responses keyed by a per-person version could serve
them at best (a keyed read, a Redis GET, the stored bytes). That design is not built; the rows
measure what it would buy.

``--compare DIR`` serves a second checkout of the portal beside this one (e.g.
``git worktree add /tmp/before <commit>``, with ``.venv`` linked and ``compilemessages`` run) and
measures every endpoint on both, in alternating order: on a shared machine whose load changes
from minute to minute, that is the only before/after comparison worth printing.

The database must hold the demo accounts (``manage.py seed_demo --otp-secret <DEMO_OTP_SECRET>``
as ``make seed`` does) and, for the scale figures, the cases of ``bench/scale.py``. A person with
no case yet gets one through the API (``POST /api/v1/transfers/``) so that the case page and the
case API have something to show.
"""

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, and this file's name would hide
# the standard library's ``http`` package: take the folder off, put the project on.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import base64  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.parse  # noqa: E402
from http.cookies import SimpleCookie  # noqa: E402

from django_otp.oath import TOTP  # noqa: E402  (plain functions: no Django set-up needed)

DEMO_PASSWORD = "Demo-2026!"
DEMO_OTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PERSONS = {"张三": "110105199003071239", "王五": "420106198405150030"}
CLERK = "nj-review"
# What 张三 applies for when he has no case yet (the demo's own story: Beijing → Nanjing).
ZHANG_SAN_APPLICATION = {
    "insurance": "pension",
    "category": "enterprise",
    "from_region": "110105",
    "to_region": "320106",
    "phone": "13800000000",
    "hukou_address": "北京市朝阳区建国路1号",
}

# Per thread: count the responses that are not 200 and remember the first such status; the
# done() hook (its own Lua state) adds the threads' counts up.
LUA = """
local threads = {}
setup = function(thread) table.insert(threads, thread) end
init = function(args) not200 = 0; first_status = 0 end
response = function(status, headers, body)
  if status ~= 200 then
    not200 = not200 + 1
    if first_status == 0 then first_status = status end
  end
end
done = function(summary, latency, requests)
  local bad, first = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("not200")
    if thread:get("first_status") ~= 0 then first = thread:get("first_status") end
  end
  io.write(string.format(
    "JSON{\\"requests\\": %d, \\"seconds\\": %f, \\"errors\\": %d, \\"not200\\": %d,"
    .. " \\"first_status\\": %d, \\"p50\\": %f, \\"p95\\": %f, \\"p99\\": %f}\\n",
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    bad, first,
    latency:percentile(50) / 1e3, latency:percentile(95) / 1e3, latency:percentile(99) / 1e3))
end
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Browser:
    """A client that keeps its cookies and follows no redirect (a 302 is an answer here).
    Cookies are kept by hand: production cookies are ``Secure`` and this is plain HTTP."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, *, form=None, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None and not isinstance(body, bytes):
            body = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return response.status, response.headers, content.decode("utf-8", "replace")
        finally:
            connection.close()

    def form_token(self, path: str) -> str:
        status, _, page = self.request("GET", path)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not match:
            sys.exit(f"GET {path} answered {status} without a form: cannot sign in")
        return match.group(1)

    def post_form(self, path: str, fields: dict):
        return self.request(
            "POST", path, form={"csrfmiddlewaretoken": self.form_token(path), **fields}
        )

    def session_cookie(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())


class Authenticator:
    """The demo secret's TOTP codes, each used once: django-otp refuses a code of a time step
    it has seen, and five wrong codes lock the account, so never guess: wait for a new step."""

    def __init__(self, secret: str):
        self.key = base64.b32decode(secret + "=" * (-len(secret) % 8))
        self.last_step = -1

    def code(self) -> str:
        totp = TOTP(self.key)
        while totp.t() <= self.last_step:
            time.sleep(0.5)
            totp = TOTP(self.key)
        self.last_step = totp.t()
        return f"{totp.token():06d}"


def person_login(port: int, username: str, password: str) -> str:
    browser = Browser(port)
    status, _headers, _ = browser.post_form("/login/", {"username": username, "password": password})
    if status != 302:
        sys.exit(f"login of {username} answered {status} (password? run seed_demo)")
    return browser.session_cookie()


def clerk_login(port: int, username: str, password: str, authenticator: Authenticator) -> str:
    """The password form, then the back office's second-factor form with the TOTP code."""
    browser = Browser(port)
    status, _headers, _ = browser.post_form("/login/", {"username": username, "password": password})
    if status != 302:
        sys.exit(f"login of {username} answered {status}")
    for _attempt in range(2):
        status, _headers, _ = browser.post_form(
            "/admin/otp/", {"code": authenticator.code(), "next": "/admin/"}
        )
        if status == 302:
            return browser.session_cookie()
    sys.exit(f"the second factor of {username} was refused ({status}): is it the demo secret?")


def api_token(port: int, username: str, password: str, authenticator=None) -> str:
    for _attempt in range(2):
        body = {"username": username, "password": password}
        if authenticator is not None:
            body["otp"] = authenticator.code()
        status, _, answer = Browser(port).request("POST", "/api/v1/auth/token/", body=body)
        if status == 200:
            return json.loads(answer)["token"]
        if authenticator is None:
            break
    sys.exit(f"POST /api/v1/auth/token/ for {username} answered {status}: {answer[:300]}")


def first_case(port: int, token: str, username: str) -> str:
    """The person's newest case (applied for through the API when there is none)."""
    auth = {"Authorization": f"Token {token}"}
    browser = Browser(port)
    status, _, answer = browser.request("GET", "/api/v1/transfers/", headers=auth)
    cases = json.loads(answer)["results"] if status == 200 else []
    if cases:
        return cases[0]["serial_no"]
    if username != PERSONS["张三"]:
        sys.exit(f"{username} has no case (seed_demo gives 王五 two)")
    status, _, answer = browser.request(
        "POST", "/api/v1/transfers/", body=ZHANG_SAN_APPLICATION, headers=auth
    )
    if status != 201:
        sys.exit(f"张三's application answered {status}: {answer[:300]}")
    return json.loads(answer)["serial_no"]


def start_gunicorn(app: str, port: int, env: dict, args, root: Path = ROOT) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv/bin/gunicorn"),
        app,
        "--chdir",
        str(root),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--worker-class",
        args.worker_class,
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=root, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            Browser(port).request("GET", "/")
            return process
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
    try:
        output = subprocess.run(
            [*command, url], capture_output=True, text=True, check=True, timeout=args.duration + 60
        ).stdout
    finally:
        os.unlink(script.name)
    line = next(line for line in output.splitlines() if line.startswith("JSON"))
    result = json.loads(line[4:])
    result["rps"] = result["requests"] / result["seconds"]
    return result


def portal_env(args) -> dict:
    database = os.environ.get("DATABASE_URL", "")
    if not database.startswith("postgres"):
        sys.exit("set DATABASE_URL=postgres://… (a database filled by seed_demo / bench/scale.py)")
    if not os.environ.get("REDIS_URL"):
        sys.exit("set REDIS_URL=redis://… (production caches in Redis)")
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "bench-http-only-not-secret-0123456789abcdef",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on the loopback (TLS ends at the proxy)
        # Production refuses a non-delivering backend; GET requests send no mail anyway.
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "LOG_LEVEL": "WARNING",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=8, help="seconds per endpoint")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--worker-class", default="sync", help="sync or gthread")
    parser.add_argument("--label", default="", help="printed with the figures (e.g. 10k, 1M)")
    parser.add_argument("--only", default="", help="only the endpoints whose name matches")
    parser.add_argument("--password", default=DEMO_PASSWORD)
    parser.add_argument("--otp-secret", default=DEMO_OTP_SECRET)
    parser.add_argument(
        "--compare",
        default="",
        help="another checkout of the portal (e.g. `git worktree add /tmp/before <commit>`):"
        " every endpoint is measured on both, alternately, in the same run",
    )
    parser.add_argument("--compare-label", default="compared checkout")
    args = parser.parse_args()
    if args.threads > 1 and args.worker_class == "sync":
        args.worker_class = "gthread"  # as gunicorn itself does with --threads
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    env = portal_env(args)
    roots = [ROOT] + ([Path(args.compare).resolve()] if args.compare else [])
    labels = [args.label or "this checkout"] + ([args.compare_label] if args.compare else [])
    static_roots = [tempfile.mkdtemp(prefix="bench-static-") for _ in roots]
    for root, static_root in zip(roots, static_roots, strict=True):
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=root,
            env={**env, "STATIC_ROOT": static_root},
            check=True,
        )
    baseline_port = free_port()
    processes = []
    try:
        processes.append(start_gunicorn("bench.baseline_app:application", baseline_port, env, args))
        portals = []  # (port, endpoints) of each checkout
        authenticator = Authenticator(args.otp_secret)
        for root, static_root in zip(roots, static_roots, strict=True):
            port = free_port()
            processes.append(
                start_gunicorn(
                    FLOOR_APP if has_floors(root) else "portal.wsgi:application",
                    port,
                    {**env, "STATIC_ROOT": static_root},
                    args,
                    root=root,
                )
            )
            endpoints = sign_in_and_list(port, args, authenticator)
            # An older checkout, compared, serves fewer bench-only rows or none.
            served = bench_rows_of(root)
            endpoints = [
                e for e in endpoints if all(row in served or row not in e[0] for row in BENCH_ROWS)
            ]
            if args.only:
                endpoints = [e for e in endpoints if re.search(args.only, e[0])]
            check_answers(endpoints, port)
            portals.append((port, endpoints))
        check_answers([(BASELINE, "/", {})], baseline_port)
        baseline_url = f"http://127.0.0.1:{baseline_port}/"
        floors = [wrk(baseline_url, {}, args)]
        results = [[] for _ in portals]
        for index, (name, _path, _headers) in enumerate(portals[0][1]):
            # With a second checkout, each endpoint is measured on both, in alternating order,
            # so that a change of the machine's load falls on both alike (an older checkout may
            # lack a bench-only row: it is measured on this one only).
            order = list(range(len(portals)))
            if index % 2:
                order.reverse()
            for which in order:
                port, endpoints = portals[which]
                for path, headers in [(p, h) for n, p, h in endpoints if n == name]:
                    result = wrk(f"http://127.0.0.1:{port}{path}", headers, args)
                    results[which].append((name, result))
        floors.append(wrk(baseline_url, {}, args))
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        for static_root in static_roots:
            shutil.rmtree(static_root, ignore_errors=True)
    for label, rows in zip(labels, results, strict=True):
        report(label, floors, rows, args)


BASELINE = "trivial view (baseline)"
FLOOR_APP = "bench.floor_wsgi:application"


def has_floors(root: Path) -> bool:
    return (root / "bench/floor_wsgi.py").exists()


# The bench-only rows, by the word in their names and in bench/floor_wsgi.py's URLs.
BENCH_ROWS = ("floor", "cache-hit")


def bench_rows_of(root: Path) -> set[str]:
    """The bench-only rows ``root``'s ``bench/floor_wsgi.py`` serves."""
    app = root / "bench/floor_wsgi.py"
    text = app.read_text() if app.exists() else ""
    return {row for row in BENCH_ROWS if f'"bench/{row}' in text}


def sign_in_and_list(portal_port: int, args, authenticator) -> list[tuple[str, str, dict]]:
    """Sessions and tokens through the real entry points; the endpoints with their headers."""
    endpoints = [("/ (home, anonymous)", "/", {})]
    for name, username in PERSONS.items():
        cookie = {"Cookie": person_login(portal_port, username, args.password)}
        token = api_token(portal_port, username, args.password)
        bearer = {"Authorization": f"Token {token}"}
        serial = first_case(portal_port, token, username)
        if name == next(iter(PERSONS)):
            endpoints += [
                (f"{name} signed-in floor: empty page", "/bench/floor/page/", cookie),
                (f"{name} signed-in floor: empty API call", "/bench/floor/api/", bearer),
                (f"{name} cache-hit bound: /me/records/", "/bench/cache-hit/me/records/", cookie),
                (
                    f"{name} cache-hit bound: /transfers/<serial>/",
                    f"/bench/cache-hit/transfers/{serial}/",
                    cookie,
                ),
                (
                    f"{name} cache-hit bound: /api/v1/transfers/<serial>/",
                    f"/bench/cache-hit-api/api/v1/transfers/{serial}/",
                    bearer,
                ),
            ]
        endpoints += [
            (f"{name} /", "/", cookie),
            (f"{name} /me/records/", "/me/records/", cookie),
            (f"{name} /transfers/", "/transfers/", cookie),
            (f"{name} /transfers/<serial>/", f"/transfers/{serial}/", cookie),
            (f"{name} /api/v1/me/", "/api/v1/me/", bearer),
            (f"{name} /api/v1/transfers/", "/api/v1/transfers/", bearer),
            (f"{name} /api/v1/transfers/<serial>/", f"/api/v1/transfers/{serial}/", bearer),
        ]
    clerk_cookie = {"Cookie": clerk_login(portal_port, CLERK, args.password, authenticator)}
    clerk_bearer = {
        "Authorization": f"Token {api_token(portal_port, CLERK, args.password, authenticator)}"
    }
    endpoints += [
        (
            f"{CLERK} /api/v1/agency/transfers/?queue=review",
            "/api/v1/agency/transfers/?queue=review",
            clerk_bearer,
        ),
        (f"{CLERK} /api/v1/agency/transfers/", "/api/v1/agency/transfers/", clerk_bearer),
        (f"{CLERK} /admin/transfers/transfercase/", "/admin/transfers/transfercase/", clerk_cookie),
        (f"{CLERK} /admin/ (dashboard)", "/admin/", clerk_cookie),
    ]
    return endpoints


def check_answers(endpoints, port: int) -> None:
    """One request each before any load: every endpoint must answer 200 as signed in."""
    for name, path, headers in endpoints:
        status, answer_headers, _ = Browser(port).request("GET", path, headers=headers)
        if status != 200:
            sys.exit(f"{name}: GET {path} answered {status} {answer_headers.get('Location', '')}")


def report(label: str, floors: list[dict], results, args) -> None:
    floor = sum(result["rps"] for result in floors) / len(floors)
    load = os.getloadavg()
    floor_figures = " and ".join(f"{result['rps']:,.0f}" for result in floors)
    print(
        f"\n{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} {label} — gunicorn "
        f"{args.workers} workers × {args.threads} threads ({args.worker_class}), "
        f"wrk -t2 -c{args.connections} -d{args.duration}s, {os.cpu_count()} cores, "
        f"load average at the end {load[0]:.2f}; trivial view "
        f"{floor_figures} req/s (start and end)"
    )
    print("| endpoint | req/s | × trivial | p50 ms | p95 ms | p99 ms | not 200 |")
    print("|---|---|---|---|---|---|---|")
    rows = [(BASELINE, floors[0]), *results, (BASELINE + " again", floors[-1])]
    for name, result in rows:
        errors = result["not200"] + result["errors"]
        note = f" (first {result['first_status']})" if result["first_status"] else ""
        print(
            f"| {name} | {result['rps']:,.0f} | {result['rps'] / floor:.0%} | "
            f"{result['p50']:.1f} | {result['p95']:.1f} | {result['p99']:.1f} | {errors}{note} |"
        )


if __name__ == "__main__":
    main()
