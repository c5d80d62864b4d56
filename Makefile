# Cabildo: `make demo` serves the seeded demo on SQLite (config.settings.demo: DEBUG off, the
# site's own error pages, static files by WhiteNoise); `make serve` is the same with DEBUG on
# (Django's debug pages, for development); `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1:8000

.PHONY: demo test install migrate seed serve serve-stack lint messages clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	$(PY) -m planning.counting._kernel  # compile mes-add1's kernel into its cache now
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

# The production stack on this machine: gunicorn + a Celery worker (with beat) against
# PostgreSQL and Redis (docs/deployment.md). Ctrl+C stops both.
STACK_ENV = DJANGO_SETTINGS_MODULE=config.settings.production \
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/cabildo} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/1} \
	SECRET_KEY=$${SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))')} \
	ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-false}

serve-stack: install
	@export $(STACK_ENV); \
	$(PY) manage.py migrate --noinput && $(PY) manage.py collectstatic --noinput -v0 && \
	{ $(VENV)/bin/celery -A config worker --beat --concurrency 2 -l info & worker=$$!; \
	  trap 'kill $$worker' EXIT INT TERM; \
	  GUNICORN_BIND=$${GUNICORN_BIND:-127.0.0.1:8000} $(VENV)/bin/gunicorn -c config/gunicorn.py config.wsgi; }

demo: seed
	@echo "Serving Cabildo on http://$(HOST)/ (admin: http://$(HOST)/admin/) — Ctrl+C to stop."
	DJANGO_SETTINGS_MODULE=config.settings.demo $(PY) manage.py runserver --noreload $(HOST)

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
