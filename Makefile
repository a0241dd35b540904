# kent360 — two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432
export KENT360_PORT ?= 8000

.PHONY: run setup test test-sqlite test-postgres lint check demo migrate clean vendor bench

run: setup ## install, migrate, load the demo and serve on http://127.0.0.1:$(KENT360_PORT)
	$(BIN)/kent360 migrate --noinput -v0
	$(BIN)/kent360 demo
	$(BIN)/kent360 run --port $(KENT360_PORT)

setup: $(STAMP) ## create .venv and install pinned dependencies

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -x $(BIN)/pip || $(PYTHON) -m venv --clear $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

migrate: setup
	$(BIN)/kent360 migrate --noinput

demo: setup
	$(BIN)/kent360 demo

lint: setup ## ruff, mypy, migrations up to date, Django checks
	$(BIN)/ruff check kent360 tests $(wildcard benchmarks)
	$(BIN)/mypy kent360
	$(BIN)/python scripts/check_translations.py
	KENT360_VAR_DIR=$$(mktemp -d) $(BIN)/kent360 makemigrations --check --dry-run
	KENT360_VAR_DIR=$$(mktemp -d) $(BIN)/kent360 check --fail-level WARNING

test: setup lint test-sqlite test-postgres ## the whole suite on SQLite and on PostgreSQL

test-sqlite: setup
	KENT360_VAR_DIR=$$(mktemp -d) $(BIN)/python -m pytest -q -p no:cacheprovider

test-postgres: setup
	KENT360_VAR_DIR=$$(mktemp -d) DATABASE_URL=$(PG_URL)/kent360_$$$$_$$RANDOM \
	  $(BIN)/python -m pytest -q -p no:cacheprovider

bench: setup
	$(BIN)/python benchmarks/api_load.py

vendor: ## refresh vendored front-end libraries from the npm registry
	bash scripts/vendor.sh

clean:
	rm -rf $(VENV) var
