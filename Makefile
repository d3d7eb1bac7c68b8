# The two commands: `make run` (serve the portal) and `make test` (run the whole suite).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# The demo clerks' TOTP secret (second factor of the back office): add it to an authenticator
# app, or compute codes with `oathtool --totp -b SECRET`. Demo only; never in production.
DEMO_OTP_SECRET ?= JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP

# WeasyPrint needs Pango; CJK fonts for the forms; libharfbuzz-subset0 makes font subsetting
# fast (without it one CJK page takes over 10 s). gettext compiles the English translation.
SYSTEM_PACKAGES := fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 \
	libharfbuzz0b gettext python3-venv
# Browser tests drive Debian's chromium; PDF tests use poppler (pdffonts, pdftoppm).
TEST_SYSTEM_PACKAGES := chromium poppler-utils

.PHONY: run test install system-packages test-system-packages migrate seed worker beat lint \
	format messages compile-messages bench clean

run: install compile-messages migrate seed
	@echo "Serving on http://$(HOST):$(PORT)/  (demo accounts: see README.md)"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install test-system-packages compile-messages
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest $(PYTEST_ARGS)

system-packages:
	@./scripts/ensure-system-packages $(SYSTEM_PACKAGES)

test-system-packages:
	@./scripts/ensure-system-packages $(TEST_SYSTEM_PACKAGES)

install: system-packages $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $@

compile-messages: install
	$(PY) manage.py compilemessages -v0 --ignore=.venv

messages: install
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=bench --ignore=tests

migrate: install
	$(PY) manage.py migrate --noinput

seed: install
	$(PY) manage.py seed_demo --otp-secret $(DEMO_OTP_SECRET)

worker: install
	$(VENV)/bin/celery -A portal worker --loglevel=INFO --concurrency=2

beat: install
	$(VENV)/bin/celery -A portal beat --loglevel=INFO

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install
	$(PY) bench/documents.py
	$(PY) bench/workflow.py

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles
