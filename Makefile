# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_ARGS ?=
# One test process per core (pytest-xdist); PYTEST_WORKERS=0 runs in a single process.
PYTEST_WORKERS ?= auto

.PHONY: run serve test install install-test install-docs chromium migrate demo lint format messages bench docs docs-serve clean

# Python 3.11's venv bundles setuptools 65.5, which has known advisories (CVE-2022-40897,
# CVE-2024-6345, CVE-2025-47273): pip-audit would flag it.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip "setuptools>=78.1.1"

# Reinstall only when the project's requirements change.
$(VENV)/.install-stamp: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[demo]"
	touch $@

$(VENV)/.install-test-stamp: pyproject.toml $(VENV)/.install-stamp
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

# The documentation's tools alone (the test extra includes them).
$(VENV)/.install-docs-stamp: pyproject.toml $(VENV)/.install-stamp
	$(BIN)/python -m pip install --quiet -e ".[docs]"
	touch $@

install: $(VENV)/.install-stamp
install-test: $(VENV)/.install-test-stamp
install-docs: $(VENV)/.install-docs-stamp

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py mentorat_demo --port $(PORT)

run: demo
	@echo "Serving the demo intranet on http://127.0.0.1:$(PORT)/ (log in with an account above)"
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The production stack on loopback (gunicorn, db_worker, PostgreSQL and Redis when they
# answer; docs: operations, "Serving as in production"). Ctrl-C stops everything.
serve: install
	PORT=$(PORT) $(BIN)/python -m intranet.serve

# Browser tests drive Debian's chromium; install it from Debian when we can (root).
chromium:
	@command -v chromium >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

# The demo's suite, then the plain Wagtail host's (tests/plainhost: the package installed
# by the integrator's guide alone into what `wagtail start` makes).
test: install-test chromium
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)
	$(BIN)/python -m pytest --ds=tests.plainhost.settings tests/plainhost $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Needs GNU gettext; the compiled .mo files are committed so `make run` does not.
messages: install
	cd wagtail_mentorat && ../$(BIN)/django-admin makemessages -l fr
	$(BIN)/python manage.py makemessages -l fr --ignore=.venv --ignore=wagtail_mentorat
	$(BIN)/python manage.py compilemessages --ignore=.venv

bench: install-test
	$(BIN)/python bench/run.py

# The documentation site (docs/, Sphinx): French and English into docs/_build/html/,
# strict as in CI (a broken link, a missing page or image fails, every warning listed).
# docs-serve builds without failing on warnings and serves it on http://127.0.0.1:$(DOCS_PORT)/.
DOCS_PORT ?= 8001
docs: install-docs
	$(BIN)/python docs/build.py

docs-serve: install-docs
	$(BIN)/python docs/build.py --no-strict
	@echo "Serving the documentation on http://127.0.0.1:$(DOCS_PORT)/ (Ctrl-C stops)"
	$(BIN)/python -m http.server $(DOCS_PORT) --bind 127.0.0.1 --directory docs/_build/html

clean:
	rm -rf $(VENV) db.sqlite3 var staticfiles docs/_build
