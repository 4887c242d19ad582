# Two commands do all the set-up on a fresh machine:
#   make warehouse   create .venv, install, build warehouse/tech_hubs.duckdb
#   make test        create .venv, install, run every check (ruff, pytest, dbt build + tests)
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

DUCKDB11 := .venv-duckdb11/bin/python

.PHONY: warehouse test lint unit e2e validate duckdb11 clients browser fonts report export docs bench bench-refresh spark-check superset-check evidence evidence-deps evidence-client clean help

help:
	@echo "make warehouse  - set up .venv and build warehouse/tech_hubs.duckdb"
	@echo "make test       - set up .venv and run every check"
	@echo "make validate   - check the seeds against the articles, load nothing"
	@echo "make spark-check - build the models on Spark and compare with DuckDB"
	@echo "make superset-check - run Apache Superset on the warehouse through its REST API"
	@echo "make evidence  - build the Evidence site on the published file (bi/evidence/build/)"
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
	$(BIN)/ruff check etl tests migrations scripts
	$(BIN)/ruff format --check etl tests migrations scripts

unit: $(STAMP)
	$(BIN)/pytest -m "not e2e"

e2e: $(STAMP)
	$(BIN)/pytest -m e2e

# An old DuckDB client in its own environment: the published file must open in it.
$(DUCKDB11):
	$(PYTHON) -m venv .venv-duckdb11
	$(DUCKDB11) -m pip install --quiet "duckdb>=1.1,<1.2"

duckdb11: $(DUCKDB11)

# The Node.js client the tests read the published file with (skipped, with the reason, if npm is missing).
NODE_CLIENT := tests/clients/node/node_modules/@duckdb/node-api/package.json
$(NODE_CLIENT): tests/clients/node/package.json
	@if command -v npm >/dev/null 2>&1; then \
		cd tests/clients/node && npm install --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the Node.js client test will be skipped" >&2; fi

clients: $(DUCKDB11) $(NODE_CLIENT) browser evidence-client

# Headless Chromium for the report test: Debian's package, installed when missing and we may.
browser: fonts
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's chromium for the report test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "chromium not found and cannot be installed here: the report test will be skipped" >&2; fi

# A CJK font for the report to embed a subset of (its Chinese names): Debian's fonts-noto-cjk,
# installed when no CJK font is there and we may.
fonts:
	@if command -v fc-list >/dev/null 2>&1 && [ -n "$$(fc-list :lang=zh-cn)" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's fonts-noto-cjk for the report's Chinese names"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null; \
	else echo "no CJK font, and none can be installed here: the report embeds none" >&2; fi

report: $(STAMP) fonts
	$(BIN)/techhubs report

export: $(STAMP)
	$(BIN)/techhubs export

# docs/data-dictionary.md from the models, and dbt's docs site in warehouse/docs-site/
docs: $(STAMP)
	$(BIN)/techhubs docs

test: $(STAMP) lint clients
	$(BIN)/pytest

# Measurements, not tests. bench: 5, 1,000 and 20,000 articles, against two floors (the models
# alone, and scripts/bench_floor.py: the same guarantees); about 6-10 minutes on 2 cores.
bench: $(STAMP)
	$(BIN)/python scripts/bench.py

# On the seeds, side by side: a full refresh by dbt, a forced one (replayed) and a no-op.
bench-refresh: $(STAMP)
	$(BIN)/python scripts/bench_refresh.py

# The same models on Apache Spark (local PySpark, Java 17), compared table by table with the
# DuckDB build. Its own venv (PySpark is large); a few minutes, so not part of `make test`.
SPARK_VENV  := .venv-spark
SPARK_STAMP := $(SPARK_VENV)/.installed
$(SPARK_STAMP): pyproject.toml
	@command -v java >/dev/null 2>&1 || { echo "error: Spark needs Java 17 or newer on PATH" >&2; exit 1; }
	$(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SPARK_VENV)/bin/python -m pip install --quiet -e '.[spark]'
	@touch $@

spark-check: $(SPARK_STAMP)
	$(SPARK_VENV)/bin/python scripts/spark_check.py

# Apache Superset, really running (gunicorn on 127.0.0.1), reading the warehouse through its
# REST API with the settings of docs/bi-tools.md, across a refresh. Its own venv, every package
# pinned in bi/superset/requirements.txt (about 900 MB). Under 2 minutes once installed.
SUPERSET_VENV  := .venv-superset
SUPERSET_STAMP := $(SUPERSET_VENV)/.installed
$(SUPERSET_STAMP): bi/superset/requirements.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; set PYTHON=/path/to/python3.11" >&2; exit 1; }
	@echo "installing Apache Superset into $(SUPERSET_VENV) (about a minute)"
	$(PYTHON) -m venv $(SUPERSET_VENV)
	$(SUPERSET_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SUPERSET_VENV)/bin/python -m pip install --quiet -r bi/superset/requirements.txt
	@touch $@

superset-check: $(STAMP) $(SUPERSET_STAMP)
	$(BIN)/python scripts/superset_check.py

# Evidence (bi/evidence/): its pages on the published file, as a static site in bi/evidence/build/.
# npm ci (about 700 MB) runs again only when package-lock.json changes. Evidence keeps each
# source query's result as Parquet through DuckDB-Wasm, whose parquet extension is fetched
# from extensions.duckdb.org on first use: where that host is out of reach `evidence sources`
# waits for good, so it is stopped after EVIDENCE_TIMEOUT seconds with the reason.
EVIDENCE_DIR     := bi/evidence
EVIDENCE_STAMP   := $(EVIDENCE_DIR)/node_modules/.installed
EVIDENCE_TIMEOUT ?= 300
$(EVIDENCE_STAMP): $(EVIDENCE_DIR)/package.json $(EVIDENCE_DIR)/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "error: npm not found: Evidence needs Node.js 18 or newer and npm" >&2; exit 1; }
	@echo "installing Evidence into $(EVIDENCE_DIR)/node_modules (about 30 s, 700 MB)"
	cd $(EVIDENCE_DIR) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

evidence-deps: $(EVIDENCE_STAMP)

# For the Evidence test in `make test`: skipped, with the reason, where npm is missing.
evidence-client:
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory evidence-deps; \
	else echo "npm not found: the Evidence test will be skipped" >&2; fi

evidence: $(EVIDENCE_STAMP)
	@test -f warehouse/tech_hubs.duckdb || { echo "error: warehouse/tech_hubs.duckdb not found: run make warehouse first" >&2; exit 1; }
	@cd $(EVIDENCE_DIR) && node scripts/duckdb-wasm-parquet.mjs --require >/dev/null || \
		echo "warning: Evidence needs extensions.duckdb.org for the step below; stopping it after $(EVIDENCE_TIMEOUT) s if that host cannot be reached" >&2
	cd $(EVIDENCE_DIR) && timeout -k 10 $(EVIDENCE_TIMEOUT) ./node_modules/.bin/evidence sources --strict || { \
		rc=$$?; [ $$rc -ne 124 ] || echo "error: evidence sources did not finish in $(EVIDENCE_TIMEOUT) s: DuckDB-Wasm is waiting for its parquet extension from extensions.duckdb.org (docs/bi-tools.md, Evidence)" >&2; exit $$rc; }
	cd $(EVIDENCE_DIR) && npm run build
	@echo "Evidence site: $(CURDIR)/$(EVIDENCE_DIR)/build/ (to view it: python3 -m http.server --bind 127.0.0.1 --directory $(EVIDENCE_DIR)/build 8000)"

clean:
	rm -rf warehouse/*.duckdb warehouse/*.wal warehouse/.build warehouse/.published target logs
