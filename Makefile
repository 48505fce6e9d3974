# Parameter Lab. `make lab` to learn, `make test` to check everything.
# Both set up the environment first when it is missing or out of date.

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NO_DEPS := $(shell sed -n 's/^\# no-deps: //p' requirements.txt)
# Deterministic runs: one thread, and warnings that name the cell, not a temp file.
TEST_ENV := OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 IPYKERNEL_CELL_NAME='<IPY-INPUT>' \
            PYTHONDONTWRITEBYTECODE=1
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
NOTEBOOKS := $(wildcard notebooks/*.ipynb)

.PHONY: help setup lab test test-fast test-browser test-repeat bench refresh links slides student html clean

help:
	@echo "make lab           open the notebooks in JupyterLab (sets up first if needed)"
	@echo "make test          run every test: helpers, notebook hygiene, nbval on every notebook"
	@echo "make test-browser  run the notebooks in JupyterLab inside Chromium"
	@echo "make bench         measure notebook times, memory and widget latency"
	@echo "make refresh       re-execute notebooks in place after a library upgrade (NB=path to pick one)"
	@echo "make links         print Binder, Colab and JupyterHub links for every chapter"
	@echo "make slides | student | html   teaching material under build/ (slides and html need npm once)"
	@echo "make clean         remove build output and caches (never your notebooks)"

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; sys.exit(0 if v == (3, 11) else "Parameter Lab needs Python 3.11 (found %d.%d). Run: make setup PYTHON=/path/to/python3.11" % v)'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps $(NO_DEPS)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

lab: setup
	cd notebooks && ../$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 $(ROOT_FLAG)

test: setup
	$(TEST_ENV) $(BIN)/python -m pytest -n 2 --dist loadscope -m "not browser"

test-fast: setup
	$(TEST_ENV) $(BIN)/python -m pytest -m "not browser and not slow" helpers tests

test-browser: setup
	bash .ci/install-chromium
	$(TEST_ENV) $(BIN)/python -m pytest -m browser tests -p no:xdist -s

test-repeat: setup
	$(TEST_ENV) $(BIN)/python .ci/repeat.py

bench: setup
	$(TEST_ENV) $(BIN)/python .ci/bench.py

refresh: setup
	$(TEST_ENV) $(BIN)/python .ci/nbtool.py refresh $(or $(NB),$(NOTEBOOKS))

links: setup
	@$(BIN)/python .ci/nbtool.py links

slides: setup
	$(BIN)/python .ci/teach.py slides

student: setup
	$(BIN)/python .ci/teach.py student

html: setup
	$(BIN)/python .ci/teach.py html

clean:
	rm -rf build .pytest_cache .hypothesis *.egg-info
	find . -path ./.venv -prune -o -name __pycache__ -type d -print0 | xargs -0 rm -rf
