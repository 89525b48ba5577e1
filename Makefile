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

test: $(BIN)/.installed lint redis-server
	$(BIN)/python -m pytest -q

# The Redis tests start their own redis-server (a free loopback port, no persistence). Install Debian's
# package when the binary is missing and this is root with apt-get; otherwise they skip (and fail under CI=true).
.PHONY: redis-server
redis-server:
	@command -v redis-server >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's redis-server for the Redis tests"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get install -y -q redis-server >/dev/null 2>&1 || \
	      { apt-get update -q >/dev/null && apt-get install -y -q redis-server >/dev/null; } || \
	      echo "could not install redis-server: the Redis tests will skip (and fail under CI=true)"; \
	  else \
	    echo "no redis-server, and no root apt-get to install it: the Redis tests will skip (and fail under CI=true)"; \
	  fi; }

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/mypy --strict aiodd

bench: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m benchmarks --chart benchmarks/results.png
