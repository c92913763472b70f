# wpsnap: the README's two commands are `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_PASSWORD ?= demo-pass-2026
export DJANGO_SETTINGS_MODULE ?= config.settings.local

.PHONY: run test install lint fmt typecheck test-sqlite test-postgres bench load faults guides audit serve-production clean messages compilemessages

$(BIN)/.installed: pyproject.toml
	@PY=$$(scripts/find-python) || exit 1; \
	  if [[ ! -x $(BIN)/python ]]; then echo "Creating $(VENV) with $$PY"; "$$PY" -m venv $(VENV); fi
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/.installed

## make run: set up, load the Azerbaijan plan and demo data, serve http://$(HOST):$(PORT)
run: install compilemessages
	$(BIN)/wpsnap migrate --noinput
	$(BIN)/wpsnap uploads sweep
	$(BIN)/wpsnap jobs sweep
	$(BIN)/wpsnap plan load plans/az-2020-2023.yaml
	$(BIN)/wpsnap demo load --password '$(DEMO_PASSWORD)'
	@echo
	@echo "wpsnap is serving the Azerbaijan NAP 1325 (2020-2023) at http://$(HOST):$(PORT)/"
	@echo "Demo logins (password: $(DEMO_PASSWORD)); coordinators and approvers also need a TOTP code:"
	@echo "'$(BIN)/wpsnap demo totp USERNAME' prints the current one (or add totp_secret to an authenticator app)."
	@$(BIN)/wpsnap demo users
	@echo
	@echo "Background tasks (reports, large exports) run in a worker beside the server ('wpsnap db_worker'),"
	@echo "which stops with it. Restart 'make run' after changing a task's code: the worker does not reload."
	@$(BIN)/wpsnap db_worker --no-reload & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; trap 'exit 130' INT TERM; \
	  $(BIN)/wpsnap runserver $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: install
	$(BIN)/mypy wpsnap config

## make messages: refresh the az and ru catalogues (wpsnap/locale/) from the code and templates
messages: install
	cd wpsnap && ../$(BIN)/wpsnap makemessages -l az -l ru --no-location --no-wrap --ignore 'static/*'

## the catalogues, compiled (needs gettext's msgfmt); the .mo files are built, never committed
compilemessages: install
	@command -v msgfmt >/dev/null || { echo "msgfmt is missing: install Debian's 'gettext' package" >&2; exit 1; }
	cd wpsnap && ../$(BIN)/wpsnap compilemessages -v 0

## make test: lint, type check and the whole suite, on SQLite and on a throw-away PostgreSQL at the same
## time (scripts/test-suites; the browser tests split between the two runs, all on SQLite when there is no PostgreSQL)
test: install lint typecheck compilemessages
	scripts/test-suites

test-sqlite: install compilemessages
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/pytest

test-postgres: install compilemessages
	@status=0; DJANGO_SETTINGS_MODULE=config.settings.test scripts/with-postgres $(BIN)/pytest || status=$$?; \
	if [[ $$status == 3 ]]; then \
	  if [[ "$${WPSNAP_REQUIRE_POSTGRES:-0}" == 1 ]]; then echo "PostgreSQL is required here (WPSNAP_REQUIRE_POSTGRES=1) but missing." >&2; exit 1; fi; \
	  echo "SKIPPED the PostgreSQL run: this machine has no PostgreSQL server binaries (install the 'postgresql' package)."; \
	elif [[ $$status != 0 ]]; then exit $$status; fi

## make bench: the benchmarks that measure the code (bench/*.py but the load and fault runs below, and the
## profiler, bench/profile_page.py, run by hand)
bench: install
	@for b in bench/*.py; do [[ $$b == bench/load.py || $$b == bench/faults.py || $$b == bench/profile_page.py ]] || $(BIN)/python $$b; done; true

## make serve-production: nginx, gunicorn, the task worker and a throw-away PostgreSQL on loopback (deploy/)
serve-production: install compilemessages
	scripts/serve-production

## make load: 100 users for 2 minutes through the stack of scripts/serve-production (bench/load.py; locust)
load: install compilemessages
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/load.py

## make faults: slow clients, a PostgreSQL restart and killed workers against that stack (bench/faults.py)
faults: install compilemessages
	$(BIN)/python bench/faults.py

## make guides: the guides' screenshots (docs/guides/img), taken of the real pages by Chromium; not in CI
guides: install compilemessages
	$(BIN)/python scripts/guides

## make audit: known vulnerabilities of the installed Python packages (needs the vulnerability database
## online: a run that cannot reach it fails, and is not a clean audit; docs/operations/dependencies.md)
audit: install
	$(BIN)/pip install --quiet -e '.[audit]'
	$(BIN)/pip-audit --strict --progress-spinner off --skip-editable --desc on

clean:
	rm -rf $(VENV) var
