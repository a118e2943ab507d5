# cslib: Customer Success reporting toolkit.  `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

ROOT     := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
VENV     := $(ROOT)/.venv
BIN      := $(VENV)/bin
STAMP    := $(VENV)/.installed
# DATA: the dataset `make reports` reads; empty means the plan's own `data` (data/sample for
# the default plan, data/ravenstack for params/ravenstack.yaml).
DATA     ?=
REPORTS  := $(ROOT)/reports
PYTHON   ?= python3
# QUARTER: the period to report on; empty means the latest complete quarter in DATA.
QUARTER  ?=
# BY: the account column `make reports` breaks the metrics down by.
BY       ?= segment
# REPORTS_N: how many QBRs `make bench` builds with the engine (default 140).
REPORTS_N ?=
# PLAN: the report plan `make reports` builds (which notebooks, over what, which formats).
PLAN     ?= $(ROOT)/params/quarterly.yaml
# TEST_JOBS: pytest processes (pytest-xdist); auto = one per core.
TEST_JOBS ?= auto
# LAB_PORT: the port `make lab` serves JupyterLab on (127.0.0.1 only; the next free one if taken).
LAB_PORT ?= 8888
# RAVENSTACK: the public RavenStack CSV folder `make ravenstack` imports (not in this repository).
RAVENSTACK ?= $(abspath $(ROOT)/../shared/datasets/ravenstack)
.PHONY: help env test test-fast lint reports notebooks sample bench clean lab ravenstack

## help: list the targets
help:
	@echo "cslib targets (variables: QUARTER=2026Q3 DATA=dir BY=segment):"
	@grep -E '^## ' $(MAKEFILE_LIST) | sed -e 's/^## /  make /'

# The environment is rebuilt only when requirements.txt or pyproject.toml change.
# The pinned requirements are installed by uv (itself pinned in requirements.txt): it fetches and
# unpacks in parallel and compiles the bytecode on every core, about 12 s where pip takes
# about 40. Where uv cannot install (an index only pip's own configuration reaches), pip
# does the same install. Bytecode is compiled either way: a process started with
# PYTHONDONTWRITEBYTECODE never caches it.
UV_VERSION := $(shell sed -n 's/^uv==//p' $(ROOT)/requirements.txt)
$(STAMP): $(ROOT)/requirements.txt $(ROOT)/pyproject.toml
	@echo "Creating the project environment in $(VENV) (pinned, from PyPI)..."
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode -r $(ROOT)/requirements.txt \
	  || { echo "uv could not install the requirements; installing them with pip"; \
	       $(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile -r $(ROOT)/requirements.txt \
	       && $(BIN)/python -m compileall -q -j 0 $(VENV)/lib >/dev/null; }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e $(ROOT)
	$(BIN)/python -m pip check --disable-pip-version-check >/dev/null
	@touch $@

## env: create or update the project environment (.venv) if it is missing or stale
env: $(STAMP)

## test: lint, then run every test (starts a throwaway PostgreSQL server for the database tests and assembles a real Quarto for the Quarto tests)
# The server is installed (if missing) and started in the background while the environment
# is created, so a fresh machine waits for the longer of the two, not for both.
test:
	@pgdir=$$(mktemp -d /tmp/cslib-pg.XXXXXX); \
	( bash $(ROOT)/.ci/postgres.sh start "$$pgdir" >"$$pgdir.url" 2>"$$pgdir.log" ) & pg=$$!; \
	( bash $(ROOT)/.ci/quarto.sh >"$$pgdir.quarto" 2>"$$pgdir.qlog"; echo $$? >"$$pgdir.qrc" ) & qt=$$!; \
	trap 'wait $$pg $$qt; bash $(ROOT)/.ci/postgres.sh stop '"$$pgdir"'; rm -f '"$$pgdir.url $$pgdir.log $$pgdir.quarto $$pgdir.qlog $$pgdir.qrc" EXIT; \
	$(MAKE) --no-print-directory -s env && $(BIN)/ruff check $(ROOT) || exit 1; \
	wait $$pg || { cat "$$pgdir.log" >&2; echo "PostgreSQL did not start (see above)" >&2; exit 1; }; \
	url=$$(cat "$$pgdir.url"); \
	echo "PostgreSQL for the tests: $$url (statements logged in $$pgdir/server.log)"; \
	wait $$qt; qrc=$$(cat "$$pgdir.qrc"); quarto=""; \
	if [ "$$qrc" = 0 ]; then quarto=$$(cat "$$pgdir.quarto"); echo "Quarto for the tests: $$quarto"; \
	elif [ "$$qrc" = 3 ]; then tail -1 "$$pgdir.qlog"; \
	else cat "$$pgdir.qlog" >&2; echo "Quarto could not be assembled (see above)" >&2; exit 1; fi; \
	cd $(ROOT) && CSLIB_TEST_POSTGRES_URL="$$url" CSLIB_TEST_POSTGRES_LOG="$$pgdir/server.log" \
		CSLIB_TEST_QUARTO="$$quarto" $(BIN)/python -m pytest -q -n $(TEST_JOBS) --dist loadscope

## test-fast: the unit tier for the edit loop (no document builds, no database; under a minute)
test-fast: $(STAMP)
	cd $(ROOT) && $(BIN)/python -m pytest -q -n $(TEST_JOBS) -m "not slow" cslib tests

## lint: ruff check (style, imports, docstrings)
lint: $(STAMP)
	$(BIN)/ruff check $(ROOT)

## reports: build the board pack, segment reviews and QBRs into reports/<dataset>/<period>/ (QUARTER=2026Q3)
reports: $(STAMP)
	$(BIN)/cslib report-metrics --plan $(PLAN) $(if $(DATA),--data $(DATA)) --by $(BY) --out $(REPORTS) $(if $(QUARTER),--period $(QUARTER))
	$(BIN)/cslib build $(PLAN) $(if $(DATA),--data $(DATA)) $(if $(QUARTER),--period $(QUARTER))

## lab: open JupyterLab on the project at 127.0.0.1:LAB_PORT (kernel "cslib (project)"; notebooks default to the sample data)
# Jupyter refuses to run as root unless told: --allow-root is added only then (containers).
lab: $(STAMP)
	$(BIN)/python -m ipykernel install --sys-prefix --name cslib --display-name "cslib (project)"
	cd $(ROOT) && $(BIN)/jupyter lab --no-browser --ip=127.0.0.1 --port=$(LAB_PORT) \
		--notebook-dir=$(ROOT) $$([ "$$(id -u)" = 0 ] && echo --allow-root)

## notebooks: re-execute notebooks/*.ipynb on the sample data and store the outputs nbval checks
notebooks: $(STAMP)
	cd $(ROOT) && $(BIN)/python -m cslib.authoring.store notebooks/*.ipynb

## sample: regenerate the embedded sample company in data/sample (deterministic)
sample: $(STAMP)
	$(BIN)/cslib sample $(ROOT)/data/sample

## ravenstack: re-import data/ravenstack from the public RavenStack files in RAVENSTACK=dir (then: make reports PLAN=params/ravenstack.yaml)
ravenstack: $(STAMP)
	$(BIN)/cslib import ravenstack $(RAVENSTACK) $(ROOT)/data/ravenstack

## bench: time the metric engine (6M MRR rows) and the report engine (QBRs, HTML + PDF) against plain baselines
bench: $(STAMP)
	cd $(ROOT) && $(BIN)/python bench/bench_metrics.py
	cd $(ROOT) && $(BIN)/python bench/bench_reports.py $(if $(REPORTS_N),--reports $(REPORTS_N))

## clean: remove the environment, caches and rendered reports
clean:
	rm -rf $(VENV) $(REPORTS)/*/ .pytest_cache .hypothesis .ruff_cache
