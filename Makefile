# Two commands: `make run` serves the site with demo content, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test serve lint setup migrate demo jobs bench lighthouse clean browser messages

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

migrate: setup
	DEBUG=true $(BIN)/python manage.py migrate --noinput

demo: migrate
	DEBUG=true $(BIN)/python manage.py load_demo

# On PostgreSQL, procrastinate's worker runs the background tasks (email included) beside
# the server, which only defers them, and is stopped with it. On SQLite (no DATABASE_URL)
# the tasks run in the server's own process right after each commit: no worker.
WITH_WORKER = case "$${DATABASE_URL:-}" in postgres*) \
	$(BIN)/python manage.py procrastinate worker & worker=$$!; \
	trap "kill $$worker 2>/dev/null" EXIT INT TERM;; esac;

run: demo
	@echo ""
	@echo "Serving the site at http://127.0.0.1:8000 (email is printed here when sent)"
	@echo "Create a staff account with:  DEBUG=true $(BIN)/python manage.py createsuperuser"
	@echo ""
	DEBUG=true sh -c '$(WITH_WORKER) $(BIN)/python manage.py runserver 127.0.0.1:8000'

# The suite runs on every core (pytest-xdist): each worker has its own test database
# (test_<name>_gw0, _gw1...), live server and browser, and binds its servers to port 0;
# tests that need something no worker can have to itself are put in one xdist_group, run
# by one worker in turn (tests/conftest.py). TEST_WORKERS=0 runs it in this one process.
# --no-loadscope-reorder: a group is run where it stands in pytest-django's order (the
# transactional tests last), not first for being the largest (tests/test_parallel_groups.py).
TEST_WORKERS ?= auto
test: setup browser
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder $(PYTEST_ARGS)

# The browser tests drive Debian's Chromium. Installed here when it can be (as root, with
# apt-get); otherwise the suite stops with one message saying what to install
# (tests/e2e/conftest.py).
CHROMIUM ?= /usr/bin/chromium
browser:
	@if [ ! -x "$(CHROMIUM)" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Debian's chromium for the browser tests"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || true; \
	fi

# Production-like: DEBUG off, gunicorn with the production settings (gunicorn.conf.py),
# static files hashed and served by whitenoise.
serve: demo
	DEBUG=false SECRET_KEY=$${SECRET_KEY:-local-serve-$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')} \
	SECURE_HTTPS=false SERVE_MEDIA=true ALLOWED_HOSTS=127.0.0.1,localhost \
	sh -c '$(BIN)/python manage.py collectstatic --noinput >/dev/null || exit 1; \
	$(WITH_WORKER) $(BIN)/gunicorn -c gunicorn.conf.py nsca.wsgi'

# Public pages' requests per second as served (page cache) and uncached, beside bare Django,
# production-like: needs DATABASE_URL=postgres://..., Redis (CACHE_URL, default DB 1) and wrk.
# The public pages as served and uncached beside bare Django (gunicorn, PostgreSQL, Redis),
# then a mailing queued and sent to 5,000 addresses (locmem email): time per message, memory.
# A ticket rush: guest buyers over HTTP (get the form, post it, follow to the order page),
# confirmed orders per minute for one event with 0 oversold (benchmarks/rush.py).
bench: migrate
	$(BIN)/python benchmarks/pages.py
	$(BIN)/python benchmarks/rush.py
	DEBUG=true $(BIN)/python manage.py bench_mailing --count 5000

# Lighthouse's four scores on the partner pages in every language, as production serves
# them (needs DATABASE_URL=postgres://..., Node.js and the npm registry; benchmarks/lighthouse.py).
lighthouse: migrate
	$(BIN)/python benchmarks/lighthouse.py

# The interface's catalogues (locale/<language>/LC_MESSAGES/django.po): every marked string
# of the site's own code, then compiled (the .mo files are committed, so that `make run` needs
# no gettext). Needs GNU gettext (apt-get install gettext).
MESSAGE_SOURCES = --ignore=.venv --ignore=tests --ignore=benchmarks --ignore=staticfiles \
	--ignore=media --ignore=locale
messages: setup
	DEBUG=true $(BIN)/python manage.py makemessages -l de -l fr -l ja -l zh_Hans \
	  --no-location --no-obsolete $(MESSAGE_SOURCES)
	DEBUG=true $(BIN)/python manage.py compilemessages --ignore=.venv

jobs: setup
	DEBUG=true $(BIN)/python manage.py run_jobs

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
