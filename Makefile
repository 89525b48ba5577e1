# Two commands do all set-up on a fresh machine with Python 3.11 and pip:
#   make demo   runs the main job (a bulk key rotation against the embedded fake Datadog)
#   make test   runs the whole test suite, ruff and mypy
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

.PHONY: demo test lint bench
demo: $(BIN)/.installed
	$(BIN)/aiodd demo

test: $(BIN)/.installed lint
	$(BIN)/python -m pytest -q

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/mypy --strict aiodd

bench: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m benchmarks --chart benchmarks/results.png
