# Two commands on a fresh machine: `make conformance` and `make test` (see README).
# Each bootstraps .venv from the pinned requirements once (and node_modules for the Allure
# report when npm is present); re-runs reuse them.  Nothing is installed from this checkout
# itself: the root conftest.py loads the plugin (the same steps as tox.ini and azure-pipelines.yml).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    := reports/out
# Extra pytest arguments, e.g. make conformance ARGS="-k compartments"
ARGS   ?=
# Workers for the conformance run: each host's tests stay on one worker, so more workers than
# hosts only cost start-up; "auto" lets reports.run pick min(selected hosts, CPU cores).
WORKERS ?= auto

.PHONY: conformance test lint typecheck report venv clean mutation bench system-deps

venv: $(STAMP)

# (the uninstall and the egg-info: a checkout that still installed itself left both, and either
# would load the plugin a second time through its old entry point; take them out)
$(STAMP): requirements/base.txt requirements/dev.txt package-lock.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	$(BIN)/python -m pip uninstall --quiet --disable-pip-version-check -y wcc 2>/dev/null || true
	rm -rf wcc.egg-info
	if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error; fi
	touch $(STAMP)

conformance: $(STAMP)
	$(BIN)/python -m reports.run --out $(OUT) --workers $(WORKERS) -- $(ARGS)

report: $(STAMP)
	$(BIN)/python -m reports.build --out $(OUT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

typecheck: $(STAMP)
	$(BIN)/mypy

# mono-mcs and chromium: installed when root with apt, else one line with the command to run
system-deps:
	@.ci/system-deps

# Three workers on two cores: many project tests wait on hosts and subprocesses, so a third worker
# fills the cores while they wait (a run took 548 s on two workers, 450 s on three).
test: system-deps lint typecheck
	$(BIN)/python -m pytest tests -n 3 $(ARGS)

# Mutation testing of the suite (long; not part of CI): kill rate and survivors, see tests/mutation/.
mutation: $(STAMP)
	$(BIN)/python -m tests.mutation.run

# A benchmark, not a test: twenty probes four ways, then the suite on 1, 2, 4 and 8 simulated
# hosts (lab latency); prints a table, writes reports/out/bench.json and bench.png.
bench: $(STAMP)
	$(BIN)/python -m bench --out $(OUT)

clean:
	rm -rf $(OUT) .pytest_cache .mypy_cache .ruff_cache
