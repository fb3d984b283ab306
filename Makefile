# Two commands set everything up on a fresh clone: `make run` and `make test`.
# Each install step is stamped, so running either again reinstalls nothing unless a lock changed.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# The suite runs on every core (pytest-xdist); PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= $(shell nproc 2> /dev/null || echo 1)

FRONTEND := build/static/.built

.PHONY: run test lint format lock migrate demo clean frontend bench serve-prod loadtest audit screenshots

# The background worker (django-tasks' db_worker, which makes large board reports' PDFs) runs
# beside the server on the same database and is stopped when the server stops. It does not
# reload on code changes, so that stopping it lets a PDF being made finish or fail cleanly.
run: $(VENV)/.installed-base $(FRONTEND)
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo
	$(MANAGE) db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2> /dev/null' EXIT INT TERM HUP; \
	$(MANAGE) runserver $(HOST):$(PORT)

test: $(VENV)/.installed-test $(FRONTEND)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) -m mypy
	$(PY) manage.py makemigrations --check --dry-run --settings=norfolk_connect.settings.test
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# Performance figures (a benchmark, not a test): pages served by gunicorn at two sizes, the
# report PDF, Excel at 10,000 funding lines; written to docs/performance.md with the machine.
bench: $(VENV)/.installed-test $(FRONTEND)
	@command -v wrk > /dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk > /dev/null 2>&1; } || true
	$(PY) -m benchmarks.run

# Load and fault tests (docs/load-and-fault-tests.md): two gunicorn instances on a private
# PostgreSQL cluster, facilitators editing and chief executives reading, one instance killed
# and PostgreSQL restarted mid-run; fails on any server error, lost update or partial write.
# LOAD_SECONDS sets the length of the load (150 by default).
loadtest: $(VENV)/.installed-base $(FRONTEND)
	$(PY) -m benchmarks.loadtest

# Screenshots of every page in every role at 1366 and 320 pixels wide, into screenshots/ (git
# ignores it), on a temporary copy of the demo; it says which pages do not reflow at 320 (WCAG
# 1.4.10) and exits 1 if any. SCREENSHOTS_ARGS="--user facilitator --page dashboard" narrows it.
screenshots: $(VENV)/.installed-test $(FRONTEND)
	$(PY) -m tools.screenshots $(SCREENSHOTS_ARGS)

# Serve as in production (docs/deployment.md): gunicorn behind a TLS-terminating proxy, static
# files by WhiteNoise. Needs DJANGO_SECRET_KEY, DATABASE_URL and DJANGO_ALLOWED_HOSTS.
PROD := DJANGO_SETTINGS_MODULE=norfolk_connect.settings.production
serve-prod: $(VENV)/.installed-base $(FRONTEND)
	$(PROD) $(MANAGE) check --deploy
	$(PROD) $(MANAGE) collectstatic --noinput --verbosity 0
	$(PROD) $(MANAGE) migrate --noinput
	$(PROD) $(VENV)/bin/gunicorn norfolk_connect.wsgi \
		--workers $${WEB_CONCURRENCY:-2} \
		--bind $(HOST):$(PORT) \
		--forwarded-allow-ips "$${FORWARDED_ALLOW_IPS:-127.0.0.1}" \
		--timeout $${GUNICORN_TIMEOUT:-120} \
		--access-logfile -

lint: $(VENV)/.installed-test
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) -m mypy

format: $(VENV)/.installed-test
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-base: requirements/base.txt | $(VENV)/bin/python
	$(PIP) install -r requirements/base.txt
	rm -f $(VENV)/.installed-test
	touch $@

$(VENV)/.installed-test: requirements/test.txt | $(VENV)/bin/python
	$(PIP) install -r requirements/test.txt
	touch $@ $(VENV)/.installed-base

# The front end: npm packages (GOV.UK Frontend, htmx, Sass; axe-core and oidc-provider for the
# tests: the accessibility checks, and the OpenID Connect provider the single sign-on tests run)
# and the Sass build.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(FRONTEND): node_modules/.installed frontend/build.mjs frontend/app.scss
	npm run --silent build
	touch $@

frontend: $(FRONTEND)

# Check the pinned Python (requirements/*.txt) and npm (package-lock.json) dependencies against
# the advisory databases (.ci/audit says how). They are asked over the network: where they
# cannot be reached the audit fails saying so; it never passes having checked nothing.
# AUDIT_ARGS=--skip-unreachable reports an unreachable database as skipped (CI does).
AUDIT_VENV := $(VENV)/audit
audit: $(AUDIT_VENV)/.installed
	PIP_AUDIT=$(AUDIT_VENV)/bin/pip-audit $(AUDIT_VENV)/bin/python .ci/audit $(AUDIT_ARGS)

# pip-audit in a venv of its own, so that its dependencies never move the project's pins.
$(AUDIT_VENV)/.installed:
	$(PYTHON) -m venv $(AUDIT_VENV)
	$(AUDIT_VENV)/bin/python -m pip --disable-pip-version-check -q install "pip-audit>=2.9"
	touch $@

# Re-pin the dependencies after changing pyproject.toml (needs pip-tools in the venv).
lock: | $(VENV)/bin/python
	$(PIP) install pip-tools
	$(VENV)/bin/pip-compile -q --upgrade --strip-extras --no-emit-index-url --no-emit-find-links --no-header -o requirements/base.txt pyproject.toml
	$(VENV)/bin/pip-compile -q --upgrade --strip-extras --no-emit-index-url --no-emit-find-links --no-header --extra test -o requirements/test.txt pyproject.toml

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .mypy_cache node_modules build
