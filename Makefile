# ilaeda: `make run` sets up .venv (if missing) and runs the main job; `make test` sets up and runs the tests.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.ilaeda-installed

.PHONY: run test setup lint clean system-deps

$(STAMP): setup.cfg pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip<26" "setuptools<82" wheel
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(PY) -m ilaeda.scripts.demo

test: $(STAMP)
	$(PY) -m ruff check src tests experiments benchmarks
	OMP_NUM_THREADS=1 $(PY) -m pytest -q

lint: $(STAMP)
	$(PY) -m ruff check src tests experiments benchmarks

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
