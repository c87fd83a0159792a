# Tender Point Clinic. `make run` serves the app on SQLite; `make test` runs every test.
# Both set up the virtual environment from the lock files on first use.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
WORKERS ?= 2
# Threads per worker: a long export streams from one thread while the others keep serving the
# tablets (a sync worker would be killed by gunicorn's timeout 30 s into a large download).
THREADS ?= 4

.PHONY: run test test-browser chromium lint lock bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Runtime dependencies only, pinned by requirements.lock.
$(VENV)/.run-installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# Runtime plus test and lint tools, pinned by requirements-dev.lock.
$(VENV)/.dev-installed: requirements-dev.lock $(VENV)/.run-installed
	$(BIN)/python -m pip install --quiet -r requirements-dev.lock
	touch $@

run: $(VENV)/.run-installed
	$(BIN)/clinic db upgrade
	@$(BIN)/clinic setup-token | sed 's/^\([a-z0-9]\{4\}-.*\)$$/Setup token for the first administrator: \1/'
	@echo "Serving on http://127.0.0.1:$(PORT)"
	exec $(BIN)/gunicorn --bind 127.0.0.1:$(PORT) --workers $(WORKERS) --worker-class gthread \
		--threads $(THREADS) --access-logfile - wsgi:app

# The unit suite, then the browser suite (-m browser: headless Debian Chromium, always on SQLite).
# CLINIC_TEST_DATABASE_URL points the unit suite at another database (e.g. PostgreSQL); the browser
# suite is then left out, as it would only run again on SQLite.
test: $(VENV)/.dev-installed
	$(BIN)/pytest
	@if [ -z "$$CLINIC_TEST_DATABASE_URL" ]; then $(MAKE) --no-print-directory test-browser; \
	else echo "Browser tests run on SQLite only: not again with CLINIC_TEST_DATABASE_URL set."; fi

# The browser suite alone, in Chromium (see below); pytest's status 5 (no test collected) is not a
# failure. An installed Debian Chromium stands in for a CLINIC_BROWSER_EXECUTABLE that is missing.
test-browser: $(VENV)/.dev-installed chromium
	@browser="$(CHROMIUM)"; [ -x "$$browser" ] || browser="$(DEBIAN_CHROMIUM)"; \
	echo "Browser tests in $$browser"; \
	CLINIC_BROWSER_EXECUTABLE="$$browser" $(BIN)/pytest -m browser || [ $$? -eq 5 ]

# The browser suite drives Debian's Chromium (CLINIC_BROWSER_EXECUTABLE names another); Playwright
# never downloads a browser. When it is missing, root with apt-get (as on CI) installs Debian's;
# anyone else gets one line saying how, and a failure. RUNNER_UID and APT_GET are variables so that
# both ways can be tried on a machine that has Chromium.
DEBIAN_CHROMIUM ?= /usr/bin/chromium
CHROMIUM = $(or $(CLINIC_BROWSER_EXECUTABLE),$(DEBIAN_CHROMIUM))
RUNNER_UID ?= $(shell id -u)
APT_GET ?= apt-get
CHROMIUM_HINT = Browser tests not run: Chromium is missing ($(CHROMIUM)). Install it with \
	'sudo apt-get install chromium fonts-liberation' (Debian, Ubuntu) and run 'make test-browser', \
	or set CLINIC_BROWSER_EXECUTABLE to a Chromium.

chromium:
	@if [ -x "$(CHROMIUM)" ]; then exit 0; fi; \
	if [ "$(RUNNER_UID)" != 0 ] || ! command -v "$(APT_GET)" >/dev/null 2>&1; then \
		echo "$(CHROMIUM_HINT)" >&2; exit 1; fi; \
	echo "Chromium is missing ($(CHROMIUM)): installing Debian's chromium for the browser tests"; \
	export DEBIAN_FRONTEND=noninteractive; \
	"$(APT_GET)" update -qq && \
	"$(APT_GET)" install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null && \
	[ -x "$(DEBIAN_CHROMIUM)" ] || { echo "$(CHROMIUM_HINT)" >&2; exit 1; }

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Speed and memory targets; never part of CI.
bench: $(VENV)/.dev-installed
	$(BIN)/python bench/reports_bench.py
	$(BIN)/python bench/exam_page_bench.py
	$(BIN)/python bench/exports_bench.py
	$(BIN)/python bench/hostile_bench.py
	$(BIN)/python bench/race_bench.py
	$(BIN)/python bench/audit_bench.py
	$(BIN)/python bench/backup_bench.py

# Re-pin dependencies after changing pyproject.toml.
lock: $(VENV)/.dev-installed
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
		--extra postgres -o requirements.lock pyproject.toml
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
		--extra postgres --extra dev -o requirements-dev.lock pyproject.toml

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
