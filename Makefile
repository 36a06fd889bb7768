# Prasan: every set-up step a fresh Debian machine with Python 3.11 needs.
#   make demo   venv + packages + assets, seed demo data, analyse the bundled corpus, serve :8000
#   make test   the above for tests (+ Chromium from Debian) and the whole suite, SQLite and PostgreSQL
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
VENDOR := src/prasan/web/static/vendor
# Only used to create and drop each run's own database.
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
STAMP := $(VENV)/.installed

.PHONY: install assets demo serve test test-sqlite test-pg browsers lint format bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

$(VENDOR)/.copied: node_modules/.package-lock.json
	mkdir -p $(VENDOR)/sarabun $(VENDOR)/swagger-ui
	cp node_modules/@fontsource/sarabun/files/sarabun-{thai,latin}-{400,700}-normal.woff2 $(VENDOR)/sarabun/
	cp node_modules/@fontsource/sarabun/LICENSE $(VENDOR)/sarabun/LICENSE
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css $(VENDOR)/swagger-ui/
	touch $@

install: $(STAMP) $(VENDOR)/.copied  ## virtual environment, Python and npm packages, local assets
	@# bytecode for the editable package as a wheel install has it (fast when up to date): a
	@# command such as `prasan policy add` would otherwise compile its modules at every start
	$(BIN)/python -m compileall -q src/prasan >/dev/null

assets: $(VENDOR)/.copied

demo: install  ## seed demo data, analyse the bundled corpus, serve http://127.0.0.1:8000
	$(BIN)/prasan demo seed
	# the web app and hub on :8000, each registry (provider) as its own process on its own port
	$(BIN)/prasan exchange up --port 8000

serve: install
	$(BIN)/prasan serve

browsers:  ## Debian's Chromium for the browser tests (no browser download from elsewhere)
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi
	@/usr/bin/chromium --version

test: install browsers  ## the whole suite on SQLite, then on PostgreSQL
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-pg

test-sqlite:
	$(BIN)/python -m pytest -p no:cacheprovider

test-pg:
	PRASAN_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest -p no:cacheprovider -m "not browser"

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy --strict src

format: install
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

bench: install  ## long benchmarks on the full data in ../shared/data (not part of CI)
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b; done

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var .mypy_cache .ruff_cache
