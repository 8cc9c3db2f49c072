# gamyeong — two commands for a new user: `make run` and `make test`.
# Every Debian package, Python package and npm package the project needs is installed here.

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Debian packages, each installed only when its command is missing: gettext (msgfmt, compiled
# translations), chromium (browser tests), npm (KRDS design-system assets; Debian's nodejs comes
# with it), bubblewrap (bwrap, the sandbox of analysis jobs) and r-base-core (Rscript, R
# analysis scripts). Machines that already have Node.js from elsewhere keep it.
APT_NEEDS := msgfmt:gettext chromium:chromium npm:npm bwrap:bubblewrap Rscript:r-base-core
# Libraries and fonts, checked with dpkg: Korean fonts for PDF reports and charts (WeasyPrint,
# matplotlib) and the Pango libraries WeasyPrint draws with.
APT_PACKAGES := fonts-nanum libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

.PHONY: install run test lint typecheck pytest clean apt

install: $(VENV)/.installed node_modules/.installed build/krds/.installed locale

$(VENV)/.apt:
	@missing=""; \
	for pair in $(APT_NEEDS); do \
	  command -v $${pair%%:*} >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; \
	done; \
	for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "apt-get install:$$missing"; \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $$missing; \
	fi
	@mkdir -p $(VENV) && touch $@

$(VENV)/.installed: pyproject.toml $(VENV)/.apt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	$(BIN)/pip install -q --no-deps pycanon==1.3.6
	@touch $@

node_modules/.installed: package.json package-lock.json $(VENV)/.apt
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

build/krds/.installed: node_modules/.installed $(VENV)/.installed
	$(BIN)/gamyeong assets
	@touch $@

.PHONY: locale
locale: $(VENV)/.installed
	@cd src/gamyeong && ../../$(BIN)/django-admin compilemessages -v 0 --settings gamyeong.conf.settings --pythonpath ../

run: install
	$(BIN)/gamyeong manage migrate --no-input
	$(BIN)/gamyeong demo
	$(BIN)/gamyeong serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: install
	$(BIN)/mypy src

pytest: install
	$(BIN)/pytest -q
	@if [ -n "$$GAMYEONG_TEST_POSTGRES_URL" ]; then \
	  echo "== again on PostgreSQL ($$GAMYEONG_TEST_POSTGRES_URL) =="; \
	  GAMYEONG_DATABASE_URL="$$GAMYEONG_TEST_POSTGRES_URL" \
	  GAMYEONG_KMA_DATABASE_URL="$${GAMYEONG_KMA_TEST_POSTGRES_URL:-$${GAMYEONG_TEST_POSTGRES_URL}_kma}" \
	  $(BIN)/pytest -q; \
	fi

test: lint typecheck pytest

clean:
	rm -rf $(VENV) node_modules build var .pytest_cache .mypy_cache .ruff_cache
