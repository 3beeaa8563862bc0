# Two commands: `make run` serves the site with demo content, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test serve lint setup migrate demo jobs bench clean

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

run: demo
	@echo ""
	@echo "Serving the site at http://127.0.0.1:8000"
	@echo "Create a staff account with:  DEBUG=true $(BIN)/python manage.py createsuperuser"
	@echo ""
	DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:8000

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Production-like: DEBUG off, gunicorn, static files hashed and served by whitenoise.
serve: demo
	DEBUG=false SECRET_KEY=$${SECRET_KEY:-local-serve-$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')} \
	SECURE_HTTPS=false SERVE_MEDIA=true ALLOWED_HOSTS=127.0.0.1,localhost \
	sh -c '$(BIN)/python manage.py collectstatic --noinput >/dev/null && \
	$(BIN)/gunicorn nsca.wsgi --bind 127.0.0.1:8000 --workers 3 --access-logfile -'

# Public pages' requests per second as served (page cache) and uncached, beside bare Django,
# production-like: needs DATABASE_URL=postgres://..., Redis (CACHE_URL, default DB 1) and wrk.
bench: setup
	$(BIN)/python benchmarks/pages.py

jobs: setup
	DEBUG=true $(BIN)/python manage.py run_jobs

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
