# Parameter Lab. `make lab` to learn; `make test` checks everything (for maintainers).
# Both set up the environment first when it is missing or out of date.

SHELL := /bin/bash
# The newest supported Python found (3.13, 3.12, 3.11); `make setup PYTHON=...` picks another.
PYTHON ?= $(shell .ci/find-python)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NO_DEPS := $(shell sed -n 's/^\# no-deps: //p' requirements.txt)
# Deterministic runs: one thread, and warnings that name the cell, not a temp file.
TEST_ENV := OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 IPYKERNEL_CELL_NAME='<IPY-INPUT>' \
            PYTHONDONTWRITEBYTECODE=1
# Bytecode caches of the helpers go under .venv, not into the working tree.
CACHE_ENV := PYTHONPYCACHEPREFIX=$(abspath $(VENV))/pycache
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
NOTEBOOKS := $(wildcard notebooks/*.ipynb notebooks/*/*.ipynb)

.PHONY: help setup lab test test-fast test-browser test-repeat test-upgrade bench refresh links publish \
        slides student answers html progress clean

help:
	@echo "make lab           open the course in JupyterLab (sets up first if needed)"
	@echo "make test          run every test: helpers, notebook hygiene, nbval on every notebook"
	@echo "make test-upgrade  run the notebooks on Python 3.12 with the newest release of every package"
	@echo "make test-browser  run the notebooks in JupyterLab inside Chromium"
	@echo "make bench         measure notebook times, memory and widget latency"
	@echo "make refresh       re-execute notebooks in place after a library upgrade (NB=path to pick one)"
	@echo "make links         print Binder, Colab and JupyterHub links for every chapter"
	@echo "make publish OWNER=you REPO=name [BRANCH=main] [HUB=host]   point every link at your fork"
	@echo "make slides | student | answers | html   teaching material under build/ (slides and html need npm once)"
	@echo "make progress SUBMISSIONS=folder   a class report: who solved which question"
	@echo "make test-fast | test-repeat   unit tests only | nbval under other thread counts and offline"
	@echo "make clean         remove build output and caches (never a notebook, not even in build/student)"

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -n "$(PYTHON)" || { echo "Parameter Lab needs Python 3.11, 3.12 or 3.13 and found none. Install one (python.org, your package manager or pyenv), or run: make setup PYTHON=/path/to/python3.12"; exit 1; }
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; sys.exit(0 if (3, 11) <= v <= (3, 13) else "Parameter Lab needs Python 3.11, 3.12 or 3.13 (found %d.%d at $(PYTHON)). Run: make setup PYTHON=/path/to/python3.12" % v)'
	@# A venv made without pip (Debian's python3-venv missing) is made again, never left half-made.
	$(BIN)/python -m pip --version >/dev/null 2>&1 || { rm -rf $(VENV); $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps $(NO_DEPS)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

lab: setup
	@$(CACHE_ENV) $(BIN)/python .ci/lab.py $(ROOT_FLAG)

# Hypothesis keeps its example database in a temporary folder that is removed afterwards.
HYPOTHESIS_RUN = store=$$(mktemp -d) && trap 'rm -rf "$$store"' EXIT && \
                 HYPOTHESIS_STORAGE_DIRECTORY=$$store $(TEST_ENV) $(CACHE_ENV)

test: setup
	$(HYPOTHESIS_RUN) $(BIN)/python -m pytest -n 2 --dist loadscope -m "not browser"

test-fast: setup
	$(HYPOTHESIS_RUN) $(BIN)/python -m pytest -m "not browser and not slow" tests

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

publish: setup
	$(BIN)/python .ci/nbtool.py publish --owner "$(OWNER)" --repo "$(REPO)" \
	    $(if $(BRANCH),--branch "$(BRANCH)") $(if $(HUB),--hub "$(HUB)")
	$(BIN)/python .ci/nbtool.py normalize $(NOTEBOOKS)
	$(BIN)/python .ci/nbtool.py readme

# Not `setup`: it builds its own scratch environment outside the tree.
test-upgrade:
	python3 .ci/upgrade.py

slides: setup
	$(BIN)/python .ci/teach.py slides

student: setup
	$(BIN)/python .ci/teach.py student

html: setup
	$(BIN)/python .ci/teach.py html

answers: setup
	$(BIN)/python .ci/teach.py answers

# make progress SUBMISSIONS=folder: one row per student in build/progress/ (see TEACHING.md)
progress: setup
	$(TEST_ENV) $(BIN)/python .ci/progress.py "$(or $(SUBMISSIONS),$(error make progress needs SUBMISSIONS=folder of the students' notebooks))"

# Notebooks in build/student/ may hold a learner's work: they stay, everything else in build/ goes.
clean:
	@if [ -d build ]; then \
	    find build ! -type d ! \( -path 'build/student/*' -name '*.ipynb' \) -delete; \
	    find build -depth -type d -empty -delete; \
	fi
	@if [ -d build/student ]; then \
	    echo "make clean kept these notebooks, which may hold your work (delete them by hand when done):"; \
	    find build/student -name '*.ipynb' | sort | sed 's/^/  /'; \
	fi
	rm -rf .pytest_cache .hypothesis *.egg-info $(VENV)/pycache
	find . -path ./.venv -prune -o -name __pycache__ -type d -print0 | xargs -0 rm -rf
