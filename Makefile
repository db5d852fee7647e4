# Two commands: `make run` (a working app on http://127.0.0.1:8000) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TEST_SETTINGS := influencer.settings.test
# Postgres for the second test run. CI always runs it; locally set POSTGRES_URL to enable.
ifeq ($(CI),true)
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test
endif

.PHONY: install run test lint check test-sqlite test-postgres test-e2e chromium bench chaos clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Open http://127.0.0.1:8000 (Ctrl-C stops web, worker and the fake ScrapeCreators server)"
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho -f Procfile.dev start

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	@# `python -m`: the project's `sysconfig` app must shadow the standard module in mypy too.
	$(BIN)/python -m mypy

check: install
	DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS) $(BIN)/python manage.py check
	DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS) $(BIN)/python manage.py makemigrations --check --dry-run

test-sqlite: install
	@# A run cut short (Ctrl-C) can leave WAL files behind that break the next one.
	rm -f .test-db.sqlite3*
	$(BIN)/pytest -m "not e2e" -n 2

test-postgres: install
	@if [ -n "$(POSTGRES_URL)" ]; then \
	  echo "== pytest on Postgres"; DATABASE_URL=$(POSTGRES_URL) $(BIN)/pytest -m "not e2e" -n 2; \
	else echo "== Postgres run skipped: set POSTGRES_URL=postgres://user@host:5432/db to run it"; fi

test-e2e: install chromium
	$(BIN)/pytest -m e2e tests/e2e

test: lint check test-sqlite test-postgres test-e2e

# Every benchmark (~30 min on 2 CPUs; needs Postgres at BENCH_POSTGRES, default
# postgres://postgres@127.0.0.1:5432/, and Redis at BENCH_REDIS_URL, default
# redis://127.0.0.1:6379/14); writes docs/benchmarks.md and bench/results/latest.json.
bench: install
	$(BIN)/python bench/run_all.py

# The long resilience run (~5 min): SIGKILLed workers and 20% upstream faults. The short one
# (tests/chaos) is part of `make test`. CHAOS_SEED=n replays a schedule.
chaos: install
	CHAOS_LONG=1 $(BIN)/pytest -s tests/chaos

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
