# Test Bed Exchange — the two commands: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.12 2>/dev/null || echo python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help install install-dev run serve serve-prod test e2e lint format assets migrate seed clean backup restore

help:
	@echo "make run      set up (virtualenv, install, migrate, demo data) and serve http://127.0.0.1:8000"
	@echo "make serve-prod  the Procfile (gunicorn, Celery worker, beat) on this machine with PostgreSQL and Redis"
	@echo "              (make run PORT=8001 serves on another port)"
	@echo "make test     run the whole test suite (DATABASE_URL picks the database; SQLite by default)"
	@echo "make e2e      run only the browser journeys (Chromium at /usr/bin/chromium)"
	@echo "make lint     ruff check and format check, and the import floors (lint-imports)"
	@echo "make backup   dump the database and media into backups/<time>/"
	@echo "make restore BACKUP=backups/<time>  put a backup back (replaces current data)"
	@echo "make assets   rebuild the GOV.UK Frontend CSS/JS (needs Node.js; output is committed)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/python manage.py migrate --no-input

seed: migrate
	$(BIN)/python manage.py seed_demo

run: seed
	@echo "Serving on http://127.0.0.1:$(PORT) (Ctrl+C to stop)"
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Production-like, on this machine: the Procfile's web (gunicorn), worker (Celery) and beat,
# DEBUG off, with PostgreSQL and Redis on 127.0.0.1 (override any variable below). Plain HTTP
# on 127.0.0.1, so no HTTPS redirect; a SECRET_KEY is made once and kept in .serve-prod-secret.
SERVE_PROD_ENV = DEBUG=0 SECURE_SSL_REDIRECT=0 \
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/tbx} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/1} \
	SECRET_KEY=$${SECRET_KEY:-$$(cat .serve-prod-secret)} \
	SITE_URL=$${SITE_URL:-http://127.0.0.1:$${PORT:-8000}}
serve-prod: install
	@pg_isready -h 127.0.0.1 -q || (echo "PostgreSQL is not answering on 127.0.0.1:5432" && exit 1)
	@redis-cli -h 127.0.0.1 ping >/dev/null || (echo "Redis is not answering on 127.0.0.1:6379" && exit 1)
	@test -s .serve-prod-secret || $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > .serve-prod-secret
	@createdb -h 127.0.0.1 -U postgres tbx 2>/dev/null || true
	$(SERVE_PROD_ENV) $(BIN)/python manage.py migrate --no-input
	$(SERVE_PROD_ENV) $(BIN)/python manage.py collectstatic --no-input -v 0
	@echo "Serving on http://127.0.0.1:$${PORT:-8000} (web, worker, beat; Ctrl+C stops all three)"
	exec env $(SERVE_PROD_ENV) $(BIN)/python -m config.procfile

# The whole suite. The browser journeys (tests/e2e) run against their own live server on SQLite
# whatever DATABASE_URL says, so with DATABASE_URL set (CI's PostgreSQL pass) they are left to
# the SQLite pass instead of running twice.
test: install-dev
	$(BIN)/pytest -m "not e2e$${DATABASE_URL:+ and not faults}"
	@if [ -z "$$DATABASE_URL" ]; then $(MAKE) --no-print-directory e2e; \
	else echo "Browser journeys: run by the SQLite pass (make e2e), not again here."; fi

# Browser journeys in Debian's Chromium (apt-get install chromium), timed.
e2e: install-dev
	@started=$$(date +%s); status=0; $(BIN)/pytest -m e2e tests/e2e || status=$$?; \
	echo "Browser journeys took $$(( $$(date +%s) - started ))s."; exit $$status

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

backup: install
	$(BIN)/python manage.py backup --to backups

restore: install
	@test -n "$(BACKUP)" || (echo "Usage: make restore BACKUP=backups/<folder>" && exit 2)
	$(BIN)/python manage.py restore "$(BACKUP)" --yes

assets:
	bash frontend/build.sh

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache

# Benchmarks (bench/README.md): PostgreSQL at 127.0.0.1, wrk, WeasyPrint in its own venv.
.PHONY: bench
bench: install bench/.venv-weasy/bin/weasyprint
	$(BIN)/python bench/run.py

bench-%: install bench/.venv-weasy/bin/weasyprint
	$(BIN)/python bench/run.py $*

bench/.venv-weasy/bin/weasyprint:
	$(PYTHON) -m venv bench/.venv-weasy
	bench/.venv-weasy/bin/pip install --quiet weasyprint
