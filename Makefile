# ilaeda: `make run` sets up .venv (if missing) and runs the main job; `make test` sets up, lints and runs the tests
# (two jobs at once: the venv beside the system packages, then lint beside pytest).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.ilaeda-installed

.PHONY: run test pytest setup lint clean system-deps

$(STAMP): setup.cfg pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip<26" "setuptools<81" wheel
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	ILAEDA_DATA_DIR=$(DATA_DIR) $(PY) -m ilaeda.scripts.demo

# Tests find the data in $ILAEDA_DATA_DIR, else in ../shared/data beside the checkout.
DATA_DIR ?= $(or $(ILAEDA_DATA_DIR),$(abspath ../shared/data))

# GNU parallel, Slurm, munge and Chromium for the integration and report tests (installed when root; tests skip them
# elsewhere unless CI=true).
system-deps:
	ILAEDA_INSTALL_SYSTEM_DEPS=1 bash .ci/system-deps.sh || echo "warning: system packages not installed; Slurm/parallel/Chromium tests will be skipped"

LINT_PATHS := src tests experiments benchmarks

# The suite runs across the cores (pytest-xdist, one worker per core); each test file runs in one worker, so a module
# fixture is set up once (xdist_group markers were not honoured by pytest-xdist 3.8 here). TEST_WORKERS=0: one process.
TEST_WORKERS ?= auto

test:
	$(MAKE) --no-print-directory -j2 lint pytest

pytest: $(STAMP) system-deps
	ILAEDA_DATA_DIR=$(DATA_DIR) OMP_NUM_THREADS=1 $(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile

# Format check, lint (incl. docstring rules), type check.
lint: $(STAMP)
	$(PY) -m ruff format --check $(LINT_PATHS)
	$(PY) -m ruff check $(LINT_PATHS)
	$(PY) -m mypy

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
