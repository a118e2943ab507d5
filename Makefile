# cslib: Customer Success reporting toolkit.  `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

ROOT     := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
VENV     := $(ROOT)/.venv
BIN      := $(VENV)/bin
STAMP    := $(VENV)/.installed
DATA     ?= $(ROOT)/data/sample
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

.PHONY: help env test lint reports notebooks sample bench clean

## help: list the targets
help:
	@echo "cslib targets (variables: QUARTER=2026Q3 DATA=dir BY=segment):"
	@grep -E '^## ' $(MAKEFILE_LIST) | sed -e 's/^## /  make /'

# The environment is rebuilt only when requirements.txt or pyproject.toml change.
$(STAMP): $(ROOT)/requirements.txt $(ROOT)/pyproject.toml
	@echo "Creating the project environment in $(VENV) (pinned, from PyPI)..."
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r $(ROOT)/requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e $(ROOT)
	$(BIN)/python -m pip check --disable-pip-version-check >/dev/null
	@touch $@

## env: create or update the project environment (.venv) if it is missing or stale
env: $(STAMP)

## test: lint, then run every test
test: $(STAMP)
	$(BIN)/ruff check $(ROOT)
	cd $(ROOT) && $(BIN)/python -m pytest -q

## lint: ruff check and format check
lint: $(STAMP)
	$(BIN)/ruff check $(ROOT)

## reports: build the board pack, segment reviews and QBRs into reports/<period>/ (QUARTER=2026Q3)
reports: $(STAMP)
	$(BIN)/cslib report-metrics --data $(DATA) --by $(BY) --out $(REPORTS) $(if $(QUARTER),--period $(QUARTER))
	$(BIN)/cslib build $(PLAN) --data $(DATA) $(if $(QUARTER),--period $(QUARTER))

## notebooks: re-execute notebooks/*.ipynb on the sample data and store the outputs nbval checks
notebooks: $(STAMP)
	cd $(ROOT) && $(BIN)/python -m cslib.build.store notebooks/*.ipynb

## sample: regenerate the embedded sample company in data/sample (deterministic)
sample: $(STAMP)
	$(BIN)/cslib sample $(ROOT)/data/sample

## bench: time the metric engine (6M MRR rows) and the report engine (QBRs, HTML + PDF) against plain baselines
bench: $(STAMP)
	cd $(ROOT) && $(BIN)/python bench/bench_metrics.py
	cd $(ROOT) && $(BIN)/python bench/bench_reports.py $(if $(REPORTS_N),--reports $(REPORTS_N))

## clean: remove the environment, caches and rendered reports
clean:
	rm -rf $(VENV) $(REPORTS)/*/ .pytest_cache .hypothesis .ruff_cache
