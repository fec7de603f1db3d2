# GAN Lab — the two set-up commands:
#   make run    install what is missing into .venv, then serve the app on http://127.0.0.1:7860
#   make test   install test dependencies (and Debian's chromium for browser tests), run every test
#   make test-fast   the same without the tests marked slow (browser, notebook, lessons, real training)
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# Real data sets for the tests that use them (they skip cleanly where absent); override freely.
export GANLAB_DATA ?= $(abspath ../shared/datasets)

.PHONY: run test test-fast lint chromium bench zoo clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(PY) app.py

# In CI (CI=true) a missing chromium is an error: the browser tests must run there, not skip.
chromium:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		|| if [ "$$CI" = true ]; then echo "chromium could not be installed, and CI needs it for the browser tests" >&2; exit 1; \
		else echo "chromium could not be installed: browser tests will skip"; fi

# ruff (configured in pyproject.toml) first: a lint finding or an unformatted file fails the run
# (`ruff format $(LINTED)` fixes the formatting)
LINTED := ganlab tests benchmarks scripts app.py
lint: $(STAMP)
	$(VENV)/bin/ruff check $(LINTED)
	$(VENV)/bin/ruff format --check $(LINTED)

# One pytest worker per CPU (at most 4): most tests train on one thread, so two cores run two
# test files at once. Each file stays on one worker, so its app server starts once. The files go
# out longest first (tests/conftest.py's order, which --no-loadscope-reorder keeps: xdist would
# otherwise sort them by their number of tests). PARALLEL= runs them one at a time.
PARALLEL ?= -n auto --maxprocesses 4 --dist loadfile --no-loadscope-reorder

test: $(STAMP) chromium lint
	$(PY) -m pytest -q $(PARALLEL)

test-fast: $(STAMP)
	$(PY) -m pytest -q $(PARALLEL) -m "not slow"

bench: $(STAMP)
	for b in toy2d train_speed startup first_grid ui_overhead explore_latency translate_speed; do \
		PYTHONPATH=. $(PY) benchmarks/$$b.py || exit 1; done

# Reproduce the shipped models (MODELS="mnist fashion" for a subset; reads $$GANLAB_DATA).
zoo: $(STAMP)
	PYTHONPATH=. $(PY) scripts/train_zoo.py $(MODELS)
	PYTHON=$(abspath $(PY)) bash scripts/train_cyclegan.sh

clean:
	rm -rf $(VENV) runs artifacts .pytest_cache
