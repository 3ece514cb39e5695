# The one entry point: setup, run, test, lint, bench.
VENV   ?= .venv
PYTHON ?= python3
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup system run test lint typecheck format bench bench-throughput soak clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Debian packages the tests and benchmarks need: Chromium (dashboard tests), wrk (bench) and
# Rspamd (the bench's peer comparison and its test).
system:
	@if ! command -v chromium >/dev/null || ! command -v wrk >/dev/null || ! command -v rspamd >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium wrk rspamd >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium wrk rspamd >/dev/null; fi; \
	fi

run: setup
	$(BIN)/spamward migrate
	$(BIN)/spamward demo
	$(BIN)/spamward serve

lint: setup
	$(BIN)/ruff check src tests bench scripts examples
	$(BIN)/ruff format --check src tests bench scripts examples
	$(BIN)/mypy

typecheck: lint

format: setup
	$(BIN)/ruff format src tests bench scripts
	$(BIN)/ruff check --fix src tests bench scripts

test: setup system lint
	$(BIN)/pytest -n 2

bench: setup system
	$(BIN)/python -m bench

# The throughput figures (embedded, scaled, fixed rate, Rspamd) over 3 runs, as min-max.
bench-throughput: setup system
	$(BIN)/python -m bench.throughput 3

# Scaled mode under traffic while workers, an API process, Redis and PostgreSQL are killed
# and restarted (private instances, loopback only), then the reconciliation table.
soak: setup system
	$(BIN)/python -m bench.soak $(if $(MINUTES),--minutes $(MINUTES))

clean:
	rm -rf $(VENV) var test-output .mypy_cache .ruff_cache .pytest_cache
