# The two commands a new user needs: `make run` and `make test`. Both build .venv themselves.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test install bench lint typecheck check messages clean

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found %s)" % sys.version.split()[0])'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Installing pinned dependencies into $(VENV) ..."
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $(STAMP)

install: $(STAMP)

## make run: SQLite, a Celery worker and beat on a filesystem broker, the demo course, DEBUG on.
run: $(STAMP)
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py run_dev

## make test: the whole suite (SQLite by default; DATABASE_URL=postgres://... for PostgreSQL).
test: $(STAMP)
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) bench/run_all.py

## make lint: style, format, and the floors of the house (import-linter contracts in pyproject.toml).
lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports
	DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-lint} $(PY) manage.py messages_check

typecheck: $(STAMP)
	$(PY) -m mypy .

check: lint typecheck

## make messages: every msgid into its catalogue (translations carried over), then the French of
## FR="<fragment.po or folder> ..." if given, then compile and check (see README, "Translations").
messages: $(STAMP)
	DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-messages} $(PY) manage.py makemessages -l fr --no-obsolete
	$(if $(FR),DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-messages} $(PY) manage.py messages_fill $(FR))
	DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-messages} $(PY) manage.py compilemessages --ignore=.venv
	DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-messages} $(PY) manage.py messages_check

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
