# Two commands do all the set-up on a fresh machine:
#   make warehouse   create .venv, install, build warehouse/tech_hubs.duckdb
#   make test        create .venv, install, run every check (ruff, pytest, dbt build + tests)
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: warehouse test lint unit e2e dbt-test validate clean help

help:
	@echo "make warehouse  - set up .venv and build warehouse/tech_hubs.duckdb"
	@echo "make test       - set up .venv and run every check"
	@echo "make validate   - check the seeds against the articles, load nothing"
	@echo "make clean      - remove built databases and dbt artefacts (keeps .venv)"

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; set PYTHON=/path/to/python3.11" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

warehouse: $(STAMP)
	$(BIN)/techhubs refresh

validate: $(STAMP)
	$(BIN)/techhubs validate

lint: $(STAMP)
	$(BIN)/ruff check etl tests migrations
	$(BIN)/ruff format --check etl tests migrations

unit: $(STAMP)
	$(BIN)/pytest -m "not e2e"

e2e: $(STAMP)
	$(BIN)/pytest -m e2e

test: $(STAMP) lint
	$(BIN)/pytest

clean:
	rm -rf warehouse/*.duckdb warehouse/*.wal warehouse/.build warehouse/.published target logs
