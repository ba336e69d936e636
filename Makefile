# SkyDesk: `make run` starts the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv

.PHONY: run compile test test-pg test-browser lint format bench seed verify-audit clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q uv

# Bytecode is compiled at install time (and the project's own at `make run`): a server's first
# page then loads compiled modules instead of compiling ~1,000 of them, which more than halves
# the first render where PYTHONDONTWRITEBYTECODE is set (containers, CI) and Python never
# writes .pyc files itself.
$(VENV)/.runtime: requirements.txt | $(VENV)/bin/python
	$(UV) pip install -q --compile-bytecode --python $(PY) -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(UV) pip install -q --compile-bytecode --python $(PY) -r requirements-dev.txt
	touch $(VENV)/.runtime $@

## run: install, migrate, seed the demo world if the database is empty, start the app
run: $(VENV)/.runtime compile
	$(PY) -m world.bootstrap
	$(VENV)/bin/streamlit run app.py

## compile: the project's bytecode (only changed files are recompiled)
compile: | $(VENV)/bin/python
	$(PY) -m compileall -q -x '^\./(\.venv|\.git|data|docs)/' .

## test: the whole suite (SQLite; set TEST_DATABASE_URL to run it on PostgreSQL)
test: $(VENV)/.dev
	$(PY) -m pytest

## test-pg: the whole suite on this machine's PostgreSQL (a fresh database per run)
test-pg: $(VENV)/.dev
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} $(PY) -m pytest

## test-browser: only the end-to-end browser test (Debian's Chromium at /usr/bin/chromium), and
## it refreshes docs/screenshots/. `make test` runs it too (pictures into a temporary folder),
## and skips it without Chromium.
test-browser: $(VENV)/.dev
	SKYDESK_SCREENSHOTS=docs/screenshots $(PY) -m pytest -m browser

## lint: ruff, then mypy (strict for the source, relaxed for tests and bench: pyproject.toml)
lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

format: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(VENV)/.dev
	$(PY) -m bench.run

seed: $(VENV)/.runtime
	$(PY) -m world --size demo

verify-audit: $(VENV)/.runtime
	$(PY) -m services.audit verify

clean:
	rm -rf $(VENV) data/*.db data/*.db-* data/*.sqlite* data/audit-anchors
