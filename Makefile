# Fieldloop: `make run` serves the app with the demo org; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PWA_SOURCES := $(shell find pwa/src pwa/public pwa/scripts -type f 2>/dev/null) pwa/index.html pwa/vite.config.js

.PHONY: install pwa run test lint format bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

pwa/node_modules/.package-lock.json: pwa/package-lock.json
	cd pwa && npm ci --no-audit --no-fund

pwa/dist/index.html: pwa/node_modules/.package-lock.json $(PWA_SOURCES)
	cd pwa && npm run build

install: $(STAMP)

pwa: pwa/dist/index.html

run: install pwa
	$(BIN)/fieldloop migrate
	$(BIN)/fieldloop demo
	$(BIN)/fieldloop serve --host 127.0.0.1 --port 8000

test: install pwa
	cd pwa && npm test
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install pwa
	$(BIN)/pip install --quiet -e '.[test,bench]'  # OR-Tools, measured beside PyVRP in bench_visits
	$(BIN)/python tests/benchmarks/bench_opportunity_list.py
	$(BIN)/python tests/benchmarks/bench_knowledge.py
	$(BIN)/python tests/benchmarks/bench_visits.py --quick
	$(BIN)/python tests/benchmarks/bench_push.py
	$(BIN)/python tests/benchmarks/bench_insights.py
	$(BIN)/python tests/benchmarks/bench_win_model.py
	$(BIN)/python tests/benchmarks/bench_churn.py
	$(BIN)/python tests/benchmarks/bench_growth.py
	$(BIN)/python tests/benchmarks/bench_reminders.py
