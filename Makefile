# Enlace — everyday commands. `make run` to try it, `make test` to check it. `make help` lists all.
#
# Variables you may set: DATABASE_URL (default: SQLite in var/), HOST/PORT of `make run`,
# DEMO_PASSWORD (operators created by seed_demo), CELERY_BROKER_URL (`make worker`),
# PYTEST_WORKERS (default auto), PYTEST_ARGS (extra pytest arguments), CHROMIUM (browser tests,
# default /usr/bin/chromium; passed to the tests as ENLACE_CHROMIUM), BENCH_ARGS and BENCH_CUSTOMERS_ARGS
# (`make bench`, e.g. BENCH_CUSTOMERS_ARGS='-n 100000').

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

# A `.env` file (see .env.example) is exported to every command below.
ifneq (,$(wildcard .env))
include .env
export $(shell sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' .env)
endif

VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
BOOTSTRAP := var/uv-bootstrap
UV := $(or $(shell command -v uv 2>/dev/null),$(BOOTSTRAP)/bin/uv)

HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_PASSWORD ?= enlace-demo
PYTEST_WORKERS ?= auto
PYTEST_ARGS ?=
CHROMIUM ?= $(or $(ENLACE_CHROMIUM),/usr/bin/chromium)
WORKER_BROKER_URL := $(or $(CELERY_BROKER_URL),redis://127.0.0.1:6379/0)
WORKER_RESULT_BACKEND := $(or $(CELERY_RESULT_BACKEND),$(WORKER_BROKER_URL))

PO_FILES := $(wildcard locale/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: help install run test lint format messages compilemessages bench worker clean check-chromium

help:  ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)/  make \1\t\2/' | expand -t 24

# --- Install ----------------------------------------------------------------------------------

install: $(VENV)/.installed  ## create .venv with every dependency (uv sync --frozen, dev group included)

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	@touch $@

# uv is missing: install it into a bootstrap virtualenv (or, without python3-venv, with pip --user).
$(BOOTSTRAP)/bin/uv:
	@command -v python3 >/dev/null || { echo "python3 not found: apt-get install python3 python3-venv"; exit 1; }
	@python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		echo "note: python3 is older than 3.11; uv will fetch a newer Python for .venv"
	@echo "uv not found: bootstrapping it in $(BOOTSTRAP)"
	@if python3 -m venv $(BOOTSTRAP) >/dev/null 2>&1; then \
		$(BOOTSTRAP)/bin/python -m pip install --quiet --disable-pip-version-check uv; \
	else \
		rm -rf $(BOOTSTRAP); \
		python3 -m pip install --user --quiet uv 2>/dev/null || \
			python3 -m pip install --user --quiet --break-system-packages uv || \
			{ echo "cannot install uv: apt-get install python3-venv (or python3-pip) and retry"; exit 1; }; \
		mkdir -p $(BOOTSTRAP)/bin; \
		ln -sf "$$(python3 -m site --user-base)/bin/uv" $(BOOTSTRAP)/bin/uv; \
	fi
	@$(BOOTSTRAP)/bin/uv --version

# --- Run --------------------------------------------------------------------------------------

# E-mails the demo sends are written as files under var/mail/ (not printed); EMAIL_BACKEND overrides.
run: export DEBUG := 1
run: export EMAIL_BACKEND := $(or $(EMAIL_BACKEND),django.core.mail.backends.filebased.EmailBackend)
run: install compilemessages  ## migrate, seed a demo ISP on first run, serve on http://127.0.0.1:8000
	@echo "Preparing the database (migrations; the demo ISP on the first run)..."
	@$(MANAGE) ensure_database
	@$(MANAGE) migrate --noinput --verbosity 0
	@DEMO_PASSWORD='$(DEMO_PASSWORD)' $(MANAGE) seed_demo --if-empty --verbosity 0
	@$(MANAGE) collectstatic --noinput --verbosity 0
	@echo
	@echo "  Enlace is starting on  http://$(HOST):$(PORT)/   (another port: make run PORT=8080)"
	@echo "  Administrator login:   admin"
	@echo "  Password:              $(DEMO_PASSWORD)"
	@echo "  (other demo operators: atendimento, financeiro, tecnico, comercial — same password;"
	@echo "   created by seed_demo on the first run; press Ctrl+C to stop)"
	@echo "  Subscriber portal:     http://$(HOST):$(PORT)/portal/  (login joao.pedro, same password)"
	@echo "  E-mails sent:          written to var/mail/, not sent"
	@echo
	@$(MANAGE) runserver $(HOST):$(PORT)

worker: install  ## Celery worker + beat on CELERY_BROKER_URL (default redis://127.0.0.1:6379/0)
	CELERY_BROKER_URL='$(WORKER_BROKER_URL)' CELERY_RESULT_BACKEND='$(WORKER_RESULT_BACKEND)' $(VENV)/bin/celery -A config worker --beat --loglevel INFO \
		--scheduler django_celery_beat.schedulers:DatabaseScheduler

# --- Check ------------------------------------------------------------------------------------

test: install lint compilemessages check-chromium  ## lint, then the whole test suite in parallel
	ENLACE_CHROMIUM='$(CHROMIUM)' $(VENV)/bin/pytest -n $(PYTEST_WORKERS) -q -ra $(PYTEST_ARGS)

check-chromium:
	@test -x '$(CHROMIUM)' || { \
		echo "Chromium not found at $(CHROMIUM): the browser tests drive Debian's Chromium through Playwright."; \
		echo "Install it with:  sudo apt-get install chromium   (or set CHROMIUM=/path/to/chromium)"; \
		exit 1; }

# mypy checks the files of [tool.mypy] in pyproject.toml (services, selectors, the boleto / PIX /
# CNAB cores) with django-stubs; its cache in .mypy_cache keeps a second run to a few seconds.
lint: install  ## ruff check, ruff format --check, mypy, makemigrations --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(MANAGE) makemigrations --check --dry-run

format: install  ## fix what ruff can fix and format the code
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install  ## benchmarks on a scratch database; prints a table (docs/bench.md)
	$(PY) bench/run.py $(BENCH_ARGS)
	$(PY) bench/customers.py $(BENCH_CUSTOMERS_ARGS)
	$(PY) bench/radius.py $(BENCH_RADIUS_ARGS)
	$(PY) bench/billing.py $(BENCH_BILLING_ARGS)
	$(PY) bench/support.py $(BENCH_SUPPORT_ARGS)
	$(PY) bench/messaging.py $(BENCH_MESSAGING_ARGS)
	$(PY) bench/fiscal.py $(BENCH_FISCAL_ARGS)
	$(PY) bench/load.py $(BENCH_LOAD_ARGS)
	$(PY) bench/ixc.py $(BENCH_IXC_ARGS)

# FreeRADIUS (Debian's freeradius, freeradius-postgresql) with deploy/freeradius, in the foreground,
# against DATABASE_URL; RADIUS_ARGS adds options of `manage.py radius_server` (e.g. --debug,
# --auth-port 11812). RADIUS_LISTEN, RADIUS_AUTH_PORT, RADIUS_ACCT_PORT… are read from the
# environment (docs/radius.md). BENCH_RADIUS_ARGS: options of bench/radius.py (e.g. --quick).
.PHONY: radius
radius: install  ## FreeRADIUS in the foreground on 127.0.0.1:1812/1813 against DATABASE_URL (docs/radius.md)
	$(MANAGE) ensure_database
	$(MANAGE) migrate --noinput
	$(MANAGE) radius_server --stdout $(RADIUS_ARGS)

# --- Translations -----------------------------------------------------------------------------

messages: install  ## update locale/pt_BR/LC_MESSAGES/django.po from the code, then compile it
	$(MANAGE) makemessages -l pt_BR --ignore=.venv --ignore=var --ignore=tests --ignore=bench
	$(MANAGE) compilemessages -l pt_BR --ignore=.venv --ignore=var

# The .mo files are committed, so gettext is needed only after a .po changed.
compilemessages: $(MO_FILES)

%.mo: %.po
	@if command -v msgfmt >/dev/null; then \
		echo "msgfmt $<"; msgfmt --check-format -o $@ $<; \
	else \
		echo "warning: $< is newer than $@ but msgfmt is missing (apt-get install gettext)"; \
	fi

# --- Clean ------------------------------------------------------------------------------------

clean:  ## remove caches, collected static files, test and bench databases (keeps var/enlace.sqlite3)
	find . -path ./.venv -prune -o -type d -name __pycache__ -print0 | xargs -0 rm -rf
	rm -rf .pytest_cache .ruff_cache .mypy_cache test-results var/static $(BOOTSTRAP)
	rm -f var/test*.sqlite3* var/bench.sqlite3*
