# The two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_WORKERS ?= auto
export PORT

.PHONY: run test lint typecheck contracts unit bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

## run: create the venv, migrate the embedded SQLite database and serve the API with demo data
run: $(BIN)/.installed
	mkdir -p var
	$(BIN)/vantrexia migrate
	VANTREXIA_DEMO=$${VANTREXIA_DEMO:-true} $(BIN)/vantrexia serve

## test: lint, import contracts, type check and every test
test: lint contracts typecheck
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) -p no:cacheprovider

lint: $(BIN)/.installed
	$(BIN)/ruff check .

contracts: $(BIN)/.installed
	$(BIN)/lint-imports --no-cache

typecheck: $(BIN)/.installed
	$(BIN)/mypy

unit: $(BIN)/.installed
	$(BIN)/pytest -q tests/unit -p no:cacheprovider

## bench: throughput and latency on PostgreSQL against same-run baselines (BENCH_QUICK=1: small sizes)
bench: $(BIN)/.installed
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
