# Cabildo: `make demo` serves the seeded demo on SQLite; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1:8000

.PHONY: demo test install migrate seed serve lint messages clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(INSTALLED)

install: $(INSTALLED)

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo
	$(PY) manage.py seed_plans
	$(PY) manage.py seed_reports

serve: install
	$(PY) manage.py runserver $(HOST)

demo: seed
	@echo "Serving Cabildo on http://$(HOST)/ (admin: http://$(HOST)/admin/) — Ctrl+C to stop."
	$(PY) manage.py runserver --noreload $(HOST)

test: install
	$(PY) -m pytest
	$(VENV)/bin/lint-imports

lint: install
	$(VENV)/bin/ruff check .

# Needs GNU gettext (xgettext, msgfmt); compiled .mo files are committed, so a fresh machine
# does not need it.
messages: install
	$(PY) manage.py makemessages -l es -l pt_BR -l fr -l en --no-obsolete
	$(PY) manage.py compilemessages

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .hypothesis
