# Two commands on a fresh machine: `make conformance` and `make test` (see README).
# Each bootstraps .venv from the pinned requirements once; re-runs reuse it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    := reports/out
# Extra pytest arguments, e.g. make conformance ARGS="-k compartments"
ARGS   ?=
# Workers for the conformance run: hosts run in parallel, each host's tests stay on one worker.
WORKERS ?= 4

.PHONY: conformance test lint typecheck report venv clean mutation

venv: $(STAMP)

$(STAMP): requirements/base.txt requirements/dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

conformance: $(STAMP)
	mkdir -p $(OUT)
	$(BIN)/python -m reports.run --out $(OUT) -- -n $(WORKERS) $(ARGS)

report: $(STAMP)
	$(BIN)/python -m reports.build --out $(OUT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/python -m pytest tests -n 2 $(ARGS)

# Mutation testing of the suite (long; not part of CI): kill rate and survivors, see tests/mutation/.
mutation: $(STAMP)
	$(BIN)/python -m tests.mutation.run

clean:
	rm -rf $(OUT) .pytest_cache .mypy_cache .ruff_cache
