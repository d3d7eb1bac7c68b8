"""The embedded default of ``make run``: the whole schema migrates on SQLite and the demo data
loads, as on a fresh machine (a PostgreSQL-only migration broke this once)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def manage(env: dict, *command: str, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def shell_prints(env: dict, script: str) -> tuple[str, str]:
    """The last line ``script`` printed in ``manage.py shell``, and the end of its stderr."""
    result = manage(env, "shell", "-c", script)
    lines = result.stdout.strip().splitlines()
    return (lines[-1] if lines else ""), result.stderr[-3000:]


def test_migrate_and_seed_on_sqlite(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")
    }
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env["MEDIA_ROOT"] = str(tmp_path / "media")
    env["DOCUMENT_SIGNING_DIR"] = str(tmp_path / "signing")
    for command in (["migrate", "--no-input"], ["seed_demo"]):
        result = manage(env, *command, timeout=600)
        assert result.returncode == 0, result.stderr[-3000:]
    printed, errors = shell_prints(
        env,
        "from insured.models import InsuredPerson as P;"
        "print(P.objects.filter(id_number='370705196503100013').count())",
    )
    assert printed == "1", errors
    # The workbench's charts on SQLite: days rolled (dates truncated in the portal's time
    # zone, JSON histograms) and the live days add up to the demo's cases of the 12 weeks (the
    # superuser's view: every agency).
    script = (
        "import datetime\n"
        "from django.utils import timezone\n"
        "from transfers import figures, workbench\n"
        "from transfers.models import TransferCase\n"
        "today = timezone.localdate()\n"
        "figures.roll(today=today)\n"
        "data = workbench.workbench(clerk=None, today=today)\n"
        "monday = today - datetime.timedelta(days=today.weekday() + 77)\n"
        "start = timezone.make_aware(datetime.datetime.combine(monday, datetime.time()))\n"
        "print(sum(n for _w, n in data['weeks']),"
        " TransferCase.objects.filter(submitted_at__gte=start).count())\n"
    )
    printed, errors = shell_prints(env, script)
    shown, counted = printed.split()
    assert shown == counted != "0", errors
    # An agency's list pages part by part (core.pagination.PartsPaginator: a UNION of limited
    # parts, which SQLite once refused: a 500 on the clerks' lists under make run). The page
    # is the list's own first page.
    script = (
        "from core.pagination import PartsPaginator\n"
        "from agencies.models import Agency\n"
        "from transfers import selectors\n"
        "from django.db.models import Count\n"
        "from transfers.models import TransferCase\n"
        "busiest = TransferCase.objects.values('transfer_in_agency').annotate(n=Count('pk'))"
        ".order_by('-n')[0]['transfer_in_agency']\n"
        "agency = Agency.objects.get(pk=busiest)\n"
        "cases = selectors.cases_for_agency(agency=agency)\n"
        "paged = PartsPaginator(cases, 2, parts=selectors.agency_parts(agency.pk),"
        " whole=selectors.cases_in_agency_list_order())\n"
        "print([c.serial_no for c in paged.page(1)] == [c.serial_no for c in cases[:2]],"
        " paged.count == cases.count() > 0)\n"
    )
    printed, errors = shell_prints(env, script)
    assert printed == "True True", errors
