# The two commands that matter: `make demo` (set up, then chat with Duban as the admin) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/duban: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(BIN)/duban

.PHONY: setup demo test lint
setup: $(BIN)/duban

demo: setup
	$(BIN)/duban demo

test: setup
	$(BIN)/ruff check .
	$(BIN)/mypy .
	$(BIN)/pytest
