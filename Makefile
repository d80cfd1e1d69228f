# The two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_WORKERS ?= auto
export PORT

.PHONY: run test hygiene lint typecheck contracts unit bench vendor-swagger vendor-htmx vendor-axe screenshots clean

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

## test: lint, import contracts, type check, the checks on the tests themselves, then every other test
test: lint contracts typecheck hygiene
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) -p no:cacheprovider --ignore=tests/hygiene

## hygiene: step modules define no test_* but their scenarios; the features read as clinical language
hygiene: $(BIN)/.installed
	$(BIN)/pytest -q -p no:cacheprovider tests/hygiene

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

## vendor-swagger: refresh the API docs' Swagger UI from npm (SWAGGER_UI_VERSION=5.35.0); the product serves it offline
SWAGGER_UI_VERSION ?= 5.35.0
vendor-swagger:
	rm -rf .swagger-tmp && mkdir .swagger-tmp
	cd .swagger-tmp && npm pack --silent swagger-ui-dist@$(SWAGGER_UI_VERSION) && tar xzf swagger-ui-dist-*.tgz
	cp .swagger-tmp/package/swagger-ui-bundle.js .swagger-tmp/package/swagger-ui.css \
	   .swagger-tmp/package/LICENSE .swagger-tmp/package/NOTICE entrypoints/http/static/swagger/
	echo $(SWAGGER_UI_VERSION) > entrypoints/http/static/swagger/VERSION
	rm -rf .swagger-tmp

## vendor-htmx: refresh the console's htmx from npm (HTMX_VERSION); the product serves it offline
HTMX_VERSION ?= 2.0.11
vendor-htmx:
	rm -rf .htmx-tmp && mkdir .htmx-tmp
	cd .htmx-tmp && npm pack --silent htmx.org@$(HTMX_VERSION) && tar xzf htmx.org-*.tgz
	mkdir -p entrypoints/console/static/htmx
	cp .htmx-tmp/package/dist/htmx.min.js .htmx-tmp/package/LICENSE entrypoints/console/static/htmx/
	echo $(HTMX_VERSION) > entrypoints/console/static/htmx/VERSION
	rm -rf .htmx-tmp

## vendor-axe: refresh axe-core for the browser tests' accessibility checks (AXE_VERSION; tests only, never served)
AXE_VERSION ?= 4.11.4
vendor-axe:
	rm -rf .axe-tmp && mkdir .axe-tmp
	cd .axe-tmp && npm pack --silent axe-core@$(AXE_VERSION) && tar xzf axe-core-*.tgz
	mkdir -p tests/browser/vendor
	cp .axe-tmp/package/axe.min.js tests/browser/vendor/
	cp .axe-tmp/package/LICENSE tests/browser/vendor/axe-core-LICENSE
	echo $(AXE_VERSION) > tests/browser/vendor/axe-core-VERSION
	rm -rf .axe-tmp

## screenshots: the README's console pictures, taken by the browser tests (docs/console-*.png)
screenshots: $(BIN)/.installed
	VANTREXIA_SCREENSHOTS=1 $(BIN)/pytest -q -p no:cacheprovider tests/browser/test_dashboard.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
