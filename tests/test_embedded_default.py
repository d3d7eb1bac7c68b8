"""The embedded default of ``make run``: the whole schema migrates on SQLite and the demo data
loads, as on a fresh machine (a PostgreSQL-only migration broke this once)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


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
        result = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stderr[-3000:]
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from insured.models import InsuredPerson as P;"
            "print(P.objects.filter(id_number='370705196503100013').count())",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip().splitlines()[-1] == "1", result.stderr[-3000:]
