# Vouch: `make run` sets up and serves the network; `make test` sets up and runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 8000

.PHONY: run worker test test-fast lint format typecheck check bench schema clean install serve serve-prod

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python bin/run --port $(PORT)

# Job workers alone (as many as you start; each claims jobs with SKIP LOCKED on PostgreSQL).
worker: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py run_jobs --no-reload

# Production: migrate + collectstatic + check --deploy once, then one Daphne worker per core and JOB_WORKERS
# job workers (docs/deploy.md).
serve-prod: $(STAMP)
	$(BIN)/python bin/serve-prod --port $(PORT)

# The browser tests run in their own pytest process: Playwright's sync API starts an event
# loop that breaks asyncio tests run after it in the same process (docs/testing.md).
test: $(STAMP)
	$(BIN)/python -m pytest -m "not browser" --ignore=tests/browser -q
	@if [ -d tests/browser ]; then $(BIN)/python -m pytest -m browser tests/browser -q; fi

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not browser" --ignore=tests/browser -q -x

# The checks CI runs before the tests (CONTRIBUTING.md): ruff's lint rules and formatting, then mypy.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Rewrite the tree as `make lint` wants it (the safe autofixes, then the formatter).
format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

bench: $(STAMP)
	$(BIN)/python -m bench

schema: $(STAMP)
	$(BIN)/python manage.py graphql_schema --schema vouch.graphql.schema.schema --out schema.graphql

clean:
	rm -rf $(VENV) staticfiles
