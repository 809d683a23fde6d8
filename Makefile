# dynadmin: two commands matter.
#   make run   - venv, DynamoDB Local on :8000, the example table seeded, admin on :8001
#   make test  - lint, checks, the docs, the suite on DynamoDB Local and on moto, on Django 6, on
#                PostgreSQL + Redis under gunicorn, and the wheel in a fresh host
SHELL := /bin/bash
PYTHON ?= python3
PYTHON312 ?= $(firstword $(wildcard /root/.pyenv/versions/3.12*/bin/python3.12) $(shell command -v python3.12 2>/dev/null))
VENV := .venv
PY := $(VENV)/bin/python
VENV6 := .venv-django6
PY6 := $(VENV6)/bin/python
DDB_PORT ?= 8000
PORT ?= 8001
PYTEST_WORKERS ?= 2

# What `make run` talks to: the local endpoint, with dummy credentials DynamoDB Local ignores.
LOCAL_ENV := AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:$(DDB_PORT) AWS_REGION=us-east-1 \
	AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local DJANGO_DEBUG=1

.PHONY: install run dynamodb stop seed test test-dynamodb-local test-moto test-django6 test-host \
	test-shared-state test-scale lint check docs clean bench fuzz

$(VENV)/.installed: pyproject.toml
	@echo "==> [1/5] Creating the virtualenv $(VENV)"
	$(PYTHON) -m venv $(VENV)
	@echo "==> [1/5] Installing dynadmin and its dependencies (about a minute the first time)"
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --progress-bar off -e '.[dev,docs]'
	@touch $@

install: $(VENV)/.installed

dynamodb: install  ## DynamoDB Local in the background on :$(DDB_PORT), data under var/dynamodb
	@echo "==> [2/5] DynamoDB Local on :$(DDB_PORT) (downloaded once into .dynamodb-local/, then started)"
	$(PY) -m examples.project.local start --port $(DDB_PORT) --data var/dynamodb

# The history consumer's pid is checked against its command line before it is stopped: a
# pid file left by a crash may name another process by now.
HISTORY_PID := var/history.pid
STOP_HISTORY := pid=$$(cat $(HISTORY_PID) 2>/dev/null); \
	if [ -n "$$pid" ] && ps -p "$$pid" -o args= 2>/dev/null | grep -q "dynadmin_history follow"; then \
		kill "$$pid"; fi; rm -f $(HISTORY_PID)

# The jobs' worker (the database queue of Django's Tasks framework), checked the same way.
WORKER_PID := var/worker.pid
STOP_WORKER := pid=$$(cat $(WORKER_PID) 2>/dev/null); \
	if [ -n "$$pid" ] && ps -p "$$pid" -o args= 2>/dev/null | grep -q "manage.py db_worker"; then \
		kill "$$pid"; fi; rm -f $(WORKER_PID)

stop:  ## stop the background history consumer, the jobs' worker and DynamoDB Local
	-@$(STOP_HISTORY)
	-@$(STOP_WORKER)
	-$(PY) -m examples.project.local stop --port $(DDB_PORT)

seed: dynamodb
	$(LOCAL_ENV) $(PY) manage.py seed_shop

# Seeding runs in the background so the admin is up at once; users load first, and the
# rest (about 29,000 items) follows within a minute or two (progress lines in var/seed.log;
# the dashboard says "still loading" until it is done), and one line in the terminal says
# when it has finished. Re-running it is a no-op. The URL and the demo login are the last
# lines printed before the server starts, once; no command echoes the local credentials.
# SEED_ARGS passes options to seed_shop (`make run SEED_ARGS="--users 30 --orders 700"`).
SEED_ARGS ?=
run: dynamodb
	@echo "==> [3/5] The admin's database and the demo user"
	@$(LOCAL_ENV) $(PY) manage.py migrate --noinput --verbosity 0
	@$(LOCAL_ENV) $(PY) manage.py dynadmin_demo --verbosity 0
	@mkdir -p var
	@echo "==> [4/5] Seeding the example table in the background (progress: tail -f var/seed.log)"
	@{ $(LOCAL_ENV) nohup $(PY) manage.py seed_shop $(SEED_ARGS) > var/seed.log 2>&1 \
		&& echo "==> Seeding finished: $$(grep -m 1 -E '^(Seeded|Already seeded)' var/seed.log)" \
		|| echo "==> Seeding FAILED: see var/seed.log"; } &
	@echo "==> [5/5] Starting the admin, the archive of changes and the jobs' worker beside it (logs: var/history.log, var/worker.log)"
	@$(LOCAL_ENV) $(PY) manage.py dynadmin_history setup > var/history.log 2>&1 \
		|| { cat var/history.log; exit 1; }
	@-$(STOP_HISTORY)
	@-$(STOP_WORKER)
	@# One shell for the consumer, the worker and the server: the trap stops both with the server.
	@$(LOCAL_ENV) nohup $(PY) manage.py dynadmin_history follow >> var/history.log 2>&1 & \
	echo $$! > $(HISTORY_PID); \
	$(LOCAL_ENV) nohup $(PY) manage.py db_worker --no-reload >> var/worker.log 2>&1 & \
	echo $$! > $(WORKER_PID); \
	trap '$(STOP_HISTORY); $(STOP_WORKER)' EXIT INT TERM; \
	echo ""; \
	echo "    dynadmin:    http://127.0.0.1:$(PORT)/"; \
	sed 's/^/    /' var/demo-credentials.txt 2>/dev/null || echo "    login: the superuser you created"; \
	echo "    (Ctrl-C stops the admin, the history consumer and the jobs' worker; 'make stop' stops DynamoDB Local)"; \
	echo ""; \
	$(LOCAL_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

# mypy checks the public API strictly ([tool.mypy] in pyproject.toml says which modules).
lint: install
	$(PY) -m ruff check .
	$(PY) -m mypy

check: install
	DJANGO_DEBUG=1 $(PY) manage.py check --fail-level WARNING
	DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

test-dynamodb-local: install
	$(PY) -m examples.project.local install
	$(PY) -m pytest -n $(PYTEST_WORKERS) -q --durations=15 -m "not host and not shared_state and not slow"

# The runs at the issues' own scale (a 10,000-line import, 50,000-item exports, 50,000
# archived changes, a measured write rate): minutes each, so `make test` runs them smaller and
# CI (.ci/run) runs this leg after it. One module at a time, each in a process of its own
# with a DynamoDB Local of its own: a job's measured write rate must depend neither on a
# 10,000-line import sharing the two cores nor on the 50,000 stream records another run left.
SCALE_TESTS = $(shell grep -l "pytest.mark.slow" tests/test_*.py)
test-scale: install
	$(PY) -m examples.project.local install
	set -e; for module in $(SCALE_TESTS); do \
		$(PY) -m pytest -p no:xdist -q --durations=3 -m "slow and not host and not shared_state" $$module; \
	done

# The browser journeys run once, against DynamoDB Local; the other legs skip them (and the runs
# at scale, which `make test-scale` runs).
test-moto: install
	DYNADMIN_TEST_BACKEND=moto $(PY) -m pytest -n $(PYTEST_WORKERS) -q -m "not browser and not host and not shared_state and not slow"

$(VENV6)/.installed: pyproject.toml
	@test -x "$(PYTHON312)" || { echo "Python 3.12 not found at $(PYTHON312): set PYTHON312=..."; exit 1; }
	$(PYTHON312) -m venv $(VENV6)
	$(PY6) -m pip install --quiet --upgrade pip
	$(PY6) -m pip install --quiet -e '.[dev]' 'Django>=6,<7'
	@touch $@

test-django6: $(VENV6)/.installed  ## the same suite on Django 6 / Python 3.12
	$(PY6) -m pytest -n $(PYTEST_WORKERS) -q -m "not browser and not host and not shared_state and not slow"

# The wheel, installed with pip into a fresh venv and a fresh `django-admin startproject`
# host, against DynamoDB Local (tests/host/): what a user of the package gets.
test-host: install
	$(PY) -m examples.project.local install
	$(PY) -m pytest -q -m host tests/host

# Nothing that must agree lives in one process: gunicorn (2 workers, and two masters as two
# hosts) on PostgreSQL + Redis, the Debian packages' servers started by
# examples/project/services on free ports (tests/test_shared_state.py); and bulk jobs on RQ
# (Redis), two workers, one killed mid-job (tests/test_jobs_worker.py).
test-shared-state: install
	$(PY) -m examples.project.local install
	$(PY) -m pytest -q -m shared_state tests/test_shared_state.py tests/test_jobs_worker.py

# The documentation site (docs/): Sphinx, every warning an error, so a broken reference, a
# missing page in a toctree or a docstring autodoc cannot render fails the build.
docs: install
	$(VENV)/bin/sphinx-build -W --keep-going -q -b html docs docs/_build/html
	@echo "==> The documentation: docs/_build/html/index.html"

test: lint check docs test-dynamodb-local test-moto test-django6 test-host test-shared-state

# The generative test of tests/test_any_stored_value.py with many more examples than `make
# test` runs (FUZZ_EXAMPLES of them per property), on DynamoDB Local: nightly-style.
FUZZ_EXAMPLES ?= 2000
fuzz: install
	$(PY) -m examples.project.local install
	DYNADMIN_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest -p no:xdist -q \
		--hypothesis-show-statistics tests/test_any_stored_value.py tests/test_job_imports.py

bench: install  ## the benchmark (bench/README.md): loads 1M items once, then measures
	$(PY) bench/run.py

clean: stop
	rm -rf $(VENV) $(VENV6) var docs/_build .pytest_cache .ruff_cache .mypy_cache .hypothesis
