# Plumber: set-up, demo and tests. Needs Python >= 3.11 (python3.11 preferred) and git.
#   make demo   create .venv, install Plumber (the CLI and server only), run `plumber check examples/`
#   make test   install Plumber with its test extras, then the whole test suite; the real-editor
#               tests skip (and say why) where `make editors-setup` has not been run
#   make editors-setup  what the real-editor tests need: Chromium (apt, as root), node 24 and
#               code-server (npm, into ~/.cache/plumber-e2e), vscode-client's npm packages
#   make lint   ruff, the layers' import contracts, mypy
#   make docs   regenerate docs/checks/<code>.md from the checks' docstrings
#   make vsix   build the VS Code extension (universal, and linux-x64 with the server bundled)
#   make bench  the performance benchmark (a few minutes)
#   make accuracy  every finding on the stdlib (and APPS="name=dir ...") against tests/accuracy/*.tsv
#   make fixproof  every safe fix on the Go standard library, vetted and tested (docs/fixproof.md)
#   make fuzz   a randomized session against the server for FUZZ_SECONDS (FUZZ_SEED=N replays one)

SHELL := /bin/bash
VENV  ?= .venv
BIN   := $(VENV)/bin
# The first of these that is Python 3.11 or newer.
PYTHON ?= $(shell for p in python3.11 python3.12 python3.13 python3.14 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& { echo $$p; break; }; done)
CLI_STAMP := $(VENV)/.installed-cli
STAMP := $(VENV)/.installed

.PHONY: demo test lint install editors-setup docs vsix bench accuracy fixproof fuzz clean

# The development install (the test extras: pytest, the Go toolchain, Neovim, the SARIF schema).
install: $(STAMP)

$(VENV)/bin/python:
	@test -n "$(PYTHON)" || { echo "make: Python 3.11 or newer is needed (python3.11 or python3 on PATH)"; exit 2; }
	$(PYTHON) -m venv $(VENV)

$(CLI_STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@ $(CLI_STAMP)

# Only what the CLI needs. Findings make `plumber check` exit 1: the demo's point, not a failure of make.
demo: $(CLI_STAMP)
	$(BIN)/plumber check examples/ || [ $$? -eq 1 ]

# -rs: the summary names every skipped test and why (e.g. the editors without `make editors-setup`).
test: install
	$(BIN)/python -m pytest -q -rs

# Installs system packages with apt (as root or with passwordless sudo, waiting up to 120 s for
# another apt's lock) and npm packages into a locked cache; see tests/editors/setup_editors.sh.
editors-setup:
	bash tests/editors/setup_editors.sh

# ruff (lint and format), the import contracts of the layers (pyproject.toml), mypy on the package as imported.
LINTED := server tests bench vscode-client/sync_settings.py vscode-client/icon.py
lint: $(VENV)/.linters
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/lint-imports
	@tmp=$$(mktemp -d) && ln -s $(CURDIR)/server $$tmp/plumber && cd $$tmp && \
	  $(CURDIR)/$(BIN)/mypy --config-file $(CURDIR)/pyproject.toml -p plumber; status=$$?; rm -rf $$tmp; exit $$status

$(VENV)/.linters: $(STAMP)
	$(BIN)/python -m pip install -q -e '.[test,lint]'
	touch $@

docs: install
	$(BIN)/python -m plumber.report.docs

# Latency, batch, memory and start-up figures beside tree-sitter's raw parse (docs/performance.md).
bench: install
	$(BIN)/python -m bench

# Precision against human verdicts (tests/accuracy/README.md); ACCURACY_FLAGS e.g. --strict, --write-missing.
APPS ?=
accuracy: install
	$(BIN)/python -m bench.accuracy $(foreach app,$(APPS),--app $(app)) $(ACCURACY_FLAGS)

# Apply every safe fix to a copy of $(go env GOROOT)/src; go vet and go test the fixed packages with
# -overlay against a baseline without it (docs/fixproof.md). FIXPROOF_FLAGS: e.g. --tests affected.
fixproof: install
	$(BIN)/python -m bench.fixproof $(FIXPROOF_FLAGS)
# Edits, requests, settings and files on disk at random; fails on a crash, a hang, a traceback in
# the log or a mismatch against a fresh server (tests/faults/fuzz.py).
FUZZ_SECONDS ?= 120
FUZZ_SEED ?=
fuzz: install
	$(BIN)/python tests/faults/fuzz.py --seconds $(FUZZ_SECONDS) $(if $(FUZZ_SEED),--seed $(FUZZ_SEED))

# The VS Code extension: vscode-client/plumber-<version>.vsix (universal: installs the server on request)
# and plumber-linux-x64-<version>.vsix (carries the server and its Python libraries: needs only a Python).
vsix:
	bash vscode-client/build.sh
	if [ "$$(uname -sm)" = "Linux x86_64" ]; then TARGET=linux-x64 bash vscode-client/build.sh; fi

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
