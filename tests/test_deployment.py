"""The production configuration promises of the README: check --deploy is clean with production
values, a wrong value fails at start-up naming the variable, and docker-compose has its five
services built from our Dockerfile."""

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k" * 20 + "-production-like-secret-key-0123456789-abcdefghij",
    "ALLOWED_HOSTS": "portal.example.cn",
    "PORTAL_BASE_URL": "https://portal.example.cn",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


# Depends on the date and on the calendar table, not on the configuration: from 1 November
# (and whenever the current year is unpublished) it warns that due dates will be estimates
# until the State Council's schedule is entered. Tested in tests/transfers/test_calendar_table.py.
DATE_DEPENDENT_WARNINGS = {"transfers.W001"}


def test_check_deploy_is_clean_with_production_values():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    issues = set(re.findall(r"\(([a-z_.]+\.[EWCI]\d{3})\)", result.stdout + result.stderr))
    assert issues <= DATE_DEPENDENT_WARNINGS, result.stdout + result.stderr
    if not issues:
        assert result.returncode == 0, result.stdout + result.stderr
        assert "no issues" in result.stdout
    else:
        assert "Traceback" not in result.stderr, result.stderr


def test_missing_secret_key_in_production_fails_naming_the_variable():
    env = {**PRODUCTION, "SECRET_KEY": ""}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_malformed_boolean_fails_naming_the_variable():
    result = manage("check", env={"DEBUG": "perhaps"})
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_compose_runs_postgres_redis_web_worker_and_beat_from_our_image():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "migrate", "web", "worker", "beat"}
    for name in ("migrate", "web", "worker", "beat"):
        assert services[name]["build"] == "."
        env = services[name]["environment"]
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["DEBUG"] == "0"
    assert "celery" in services["worker"]["command"] and "worker" in services["worker"]["command"]
    assert "beat" in services["beat"]["command"]
    assert (ROOT / "Dockerfile").exists()


def test_compose_scales_workers_and_web_with_one_beat_and_one_migration():
    """``docker compose up --scale worker=N``: a worker has no fixed name or port; web does not
    migrate (replicas would race), a one-shot ``migrate`` does before the others start; beat has
    a fixed name, so a second beat cannot be started; files live on shared volumes."""
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert "container_name" not in services["worker"] and "ports" not in services["worker"]
    assert "container_name" not in services["web"]
    assert "migrate" not in services["web"]["command"]
    assert "migrate" in services["migrate"]["command"]
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully"
        volumes = services[name]["volumes"]
        assert "media:/data/media" in volumes
        assert any(volume.startswith("signing:/data/signing") for volume in volumes)
    assert services["beat"]["container_name"]


def test_openapi_schema_is_valid_and_generates_without_warnings(tmp_path):
    out = tmp_path / "schema.yml"
    result = manage("spectacular", "--validate", "--fail-on-warn", "--file", str(out), env={})
    assert result.returncode == 0, result.stdout + result.stderr
    schema = yaml.safe_load(out.read_text())
    for path in ("/api/v1/auth/token/", "/api/v1/regions/", "/api/v1/agencies/", "/api/v1/me/"):
        assert path in schema["paths"]


def test_gunicorn_caps_request_lines_and_headers_in_the_image_and_in_compose():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    dockerfile = (ROOT / "Dockerfile").read_text()
    for command in (compose["services"]["web"]["command"], dockerfile):
        assert "--limit-request-line" in command
        assert "--limit-request-field_size" in command
        assert "--limit-request-fields" in command


def test_production_without_a_real_email_backend_fails_naming_the_variable():
    for backend in ("", "django.core.mail.backends.console.EmailBackend"):
        result = manage("check", env={**PRODUCTION, "EMAIL_BACKEND": backend})
        assert result.returncode != 0
        assert "EMAIL_BACKEND" in result.stderr
