# SkyDesk: `make run` starts the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
# The port `make run` and `make dev` serve the desk on (`make run PORT=8600`).
PORT ?= 8501
# The channel API's port (`make run API_PORT=8100`); unset: SKYDESK_API_PORT or 8000.
API_PORT ?=
SERVE := $(PY) -m deploy.serve --port $(PORT) $(if $(API_PORT),--api-port $(API_PORT))

.PHONY: run dev lock compile test test-pg test-browser lint format bench seed verify-audit clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q uv

# Bytecode is compiled at install time (and the project's own at `make run`): a server's first
# page then loads compiled modules instead of compiling ~1,000 of them, which more than halves
# the first render where PYTHONDONTWRITEBYTECODE is set (containers, CI) and Python never
# writes .pyc files itself.
# Installs come from the lock files (exact versions, every platform: `uv pip compile
# --universal`); requirements*.txt keep the lower bounds for projects that embed SkyDesk.
$(VENV)/.runtime: requirements.lock | $(VENV)/bin/python
	$(UV) pip install -q --compile-bytecode --python $(PY) -r requirements.lock
	touch $@

$(VENV)/.dev: requirements.lock requirements-dev.lock | $(VENV)/bin/python
	$(UV) pip install -q --compile-bytecode --python $(PY) -r requirements-dev.lock
	touch $(VENV)/.runtime $@

## lock: re-resolve requirements.lock and requirements-dev.lock from the requirements*.txt bounds
lock: | $(VENV)/bin/python
	$(UV) pip compile -q --universal --python-version 3.11 --custom-compile-command "make lock" \
		requirements.txt -o requirements.lock
	$(UV) pip compile -q --universal --python-version 3.11 --custom-compile-command "make lock" \
		requirements-dev.txt -c requirements.lock -o requirements-dev.lock

## run: install, migrate, seed the demo world if the database is empty, then serve the desk on
## $(PORT) and the channel API on $(API_PORT) (default 8000) together (deploy/serve.py: Ctrl-C stops both, and
## if one stops the other does too); no file watcher (.streamlit/config.toml)
run: $(VENV)/.runtime compile
	$(SERVE)

## dev: like run, with the file watchers on: an edited file reloads the page and the API
dev: $(VENV)/.dev compile
	$(SERVE) --dev

## compile: the project's bytecode (only changed files are recompiled)
compile: | $(VENV)/bin/python
	$(PY) -m compileall -q -x '^\./(\.venv|\.git|data|docs)/' .

## test: the whole suite (SQLite; set TEST_DATABASE_URL to run it on PostgreSQL), one worker per
## core (pytest-xdist), each test file on one worker so a file's seeded world is built once
PYTEST := $(PY) -m pytest -n auto --dist loadfile
test: $(VENV)/.dev
	$(PYTEST)

## test-pg: the whole suite on this machine's PostgreSQL (a fresh database per run)
test-pg: $(VENV)/.dev
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} $(PYTEST)

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
