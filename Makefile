# Teilhabe: `make demo` and `make test` set everything up on a fresh machine.
PY        ?= python3
VENV      := .venv
BIN       := $(VENV)/bin
PG_URL    ?= postgres://postgres@127.0.0.1:5432/teilhabe
PORT      ?= 8000

.PHONY: demo test check lint unit bench chromium venv venv-dev messages clean

$(VENV)/.runtime: requirements.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv: $(VENV)/.runtime
venv-dev: $(VENV)/.dev

# Debian's Chromium for the Playwright tests (the tests never download a browser).
chromium:
	@test -x /usr/bin/chromium || (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null)

# The compiled catalogue is committed too; rebuild it where gettext is installed.
messages:
	@if command -v msgfmt >/dev/null; then for po in locale/*/LC_MESSAGES/*.po; do msgfmt --check -o $${po%.po}.mo $$po; done; fi

# The platform with demo data on SQLite at http://127.0.0.1:$(PORT)
demo: export TEILHABE_DEBUG = 1
demo: export TEILHABE_DEMO = 1
demo: export TEILHABE_OTP_REQUIRED ?= 0
demo: venv messages
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput -v 0
	$(BIN)/python manage.py seed --scale kreis
	@echo ""
	@echo "Teilhabe läuft auf http://127.0.0.1:$(PORT)/  (Strg+C beendet)"
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

lint: venv-dev
	mkdir -p var
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy config teilhabe
	DJANGO_SETTINGS_MODULE=config.settings_test $(BIN)/python manage.py makemigrations --check --dry-run
	TEILHABE_SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(60))') \
	  TEILHABE_ALLOWED_HOSTS=teilhabe.example.org DATABASE_URL=sqlite:///var/deploy-check.sqlite3 \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

unit: venv-dev chromium messages
	mkdir -p var
	@if $(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', 5432), 1)" 2>/dev/null; then \
	  echo "== the suite on SQLite and on PostgreSQL, both at once (logs: var/test-*.log) =="; \
	  $(BIN)/python -m pytest -q > var/test-sqlite.log 2>&1 & lite_pid=$$!; \
	  DATABASE_URL=$(PG_URL) $(BIN)/python -m pytest -q -p no:cacheprovider > var/test-postgresql.log 2>&1; pg=$$?; \
	  wait $$lite_pid; lite=$$?; \
	  echo "== SQLite =="; cat var/test-sqlite.log; \
	  echo "== PostgreSQL =="; cat var/test-postgresql.log; \
	  test $$lite -eq 0 && test $$pg -eq 0; \
	else \
	  echo "== PostgreSQL not reachable on 127.0.0.1:5432: SQLite only =="; \
	  $(BIN)/python -m pytest -q; \
	fi

test: lint unit

bench: venv-dev
	$(BIN)/python bench/run.py

# The same at the scale of the offer-directory targets: 73 tenants, about 3,000 offers.
.PHONY: bench-nrw
bench-nrw: venv-dev
	$(BIN)/python bench/run.py --scale nrw

clean:
	rm -rf $(VENV) var
