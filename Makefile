# Plumber: set-up, demo and tests. Needs Python >= 3.11 (python3.11 preferred), git; node/npm for the editor client.
#   make demo   create .venv, install Plumber with its test extras, run `plumber check examples/`
#   make test   the same install, then the whole test suite
#   make docs   regenerate docs/checks/<code>.md from the checks' docstrings
#   make vsix   build the VS Code extension

SHELL := /bin/bash
VENV  ?= .venv
BIN   := $(VENV)/bin
# The first of these that is Python 3.11 or newer.
PYTHON ?= $(shell for p in python3.11 python3.12 python3.13 python3.14 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& { echo $$p; break; }; done)
STAMP := $(VENV)/.installed

.PHONY: demo test install docs vsix clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "make: Python 3.11 or newer is needed (python3.11 or python3 on PATH)"; exit 2; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

# Findings make `plumber check` exit 1: that is the demo's point, not a failure of make.
demo: install
	$(BIN)/plumber check examples/ || [ $$? -eq 1 ]

test: install
	$(BIN)/python -m pytest -q

docs: install
	$(BIN)/python -m plumber.docs

# The VS Code extension: vscode-client/plumber-<version>.vsix (offline once npm packages are cached).
vsix:
	bash vscode-client/build.sh

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
