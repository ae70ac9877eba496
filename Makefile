SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PY := .venv/bin/python
MANAGE := $(PY) manage.py

.PHONY: help setup venv run test lint typecheck layers format migrate demo messages vendor lock bench bench-data bench-peer

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

setup: ## Create .venv, install requirements.lock, start PostgreSQL/Redis, create the DB, migrate
	@scripts/setup.sh

venv: ## Create .venv and install requirements.lock only (no services, no database)
	@scripts/setup.sh --venv-only

run: ## Run web (http://127.0.0.1:8000), Celery worker and beat, with demo data (DEBUG=1)
	@scripts/run.sh

test: setup ## Lint, import layers, types, Django checks, missing and unsafe migrations, then the whole test suite
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports
	.venv/bin/mypy
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run
	$(PY) -m tests.ops.migration_lint
	.venv/bin/pytest -q -n 4 --durations=40

.PHONY: scan
scan: setup ## Security scanners: bandit (high severity) and schemathesis over /api/schema/
	.venv/bin/bandit -c pyproject.toml -r accounts sla notifications assets tickets fieldwork vendors incidents channels people servicedesk knowledge feedback training reports demo -lll
	.venv/bin/pytest -q tests/security/test_scanners.py

lint: venv ## ruff check and ruff format --check
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

typecheck: venv ## mypy with the Django and DRF plugins (strict on sla, notifications, lib, services, selectors, permissions)
	.venv/bin/mypy

layers: venv ## import-linter: the apps' dependencies run one way (contracts in pyproject.toml)
	.venv/bin/lint-imports

format: venv ## Reformat the code and apply ruff's safe fixes
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

migrate: setup ## Apply database migrations
	$(MANAGE) migrate

demo: setup ## Load demo data (only into an empty database) and print the demo logins
	$(MANAGE) load_demo --if-empty

messages: setup ## Extract translatable strings (zh_Hans, en) and compile them
	$(MANAGE) makemessages -l zh_Hans -l en --ignore=.venv --ignore=static --ignore=var --ignore=bench --no-obsolete
	$(MANAGE) compilemessages --ignore=.venv

vendor: ## Fetch Tabler, Tabler Icons and htmx from npm into static/vendor/
	@scripts/vendor_static.sh

lock: ## Re-resolve pyproject.toml's ranges into requirements.lock (exact pins)
	@scripts/lock.sh

.PHONY: backup restore
backup: venv ## Back up the database, the attachments and a manifest into var/backups/servicedesk-<time>.tar
	$(MANAGE) backup

restore: venv ## Restore FILE=var/backups/… into the EMPTY database of DATABASE_URL and the empty MEDIA_ROOT
	@[ -n "$(FILE)" ] || { echo "usage: make restore FILE=var/backups/servicedesk-….tar" >&2; exit 2; }
	$(MANAGE) restore "$(FILE)"

.PHONY: release-dump
release-dump: setup ## On the commit tagged VERSION=vX.Y.Z: its demo desk into deploy/releases/ (the upgrade test's)
	@[ -n "$(VERSION)" ] || { echo "usage: make release-dump VERSION=v0.2.0 [FORCE=1]" >&2; exit 2; }
	$(PY) -m tests.ops.releases cut "$(VERSION)" $(if $(FORCE),--force)

N ?= 1000000
BENCH_DB ?= servicedesk_bench

bench-data: setup ## Generate N tickets (default 1,000,000) into $(BENCH_DB); idempotent
	$(PY) bench/generate.py --n $(N) --db $(BENCH_DB)

bench: bench-data ## Every scenario (search too) against $(BENCH_DB) via gunicorn + wrk; writes bench/results/<date>.md
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } \
		|| echo "wrk not found (apt-get install -y wrk): throughput is skipped"
	$(PY) bench/run.py --db $(BENCH_DB) --results bench/results/$$(date +%F).md
	$(PY) bench/search.py --db $(BENCH_DB) --results bench/results/$$(date +%F).md
	$(PY) bench/vendor_sweep.py --db $(BENCH_DB) --results bench/results/$$(date +%F).md
	$(PY) bench/incident_sweep.py --db $(BENCH_DB) --results bench/results/$$(date +%F).md
	$(PY) bench/work_view.py --db $(BENCH_DB) --results bench/results/$$(date +%F).md
	$(PY) bench/intake_im.py --db $(BENCH_DB) --results bench/results/$$(date +%F).md

bench-peer: setup ## The shared scenarios against django-helpdesk (own venv and database) at 20,000 tickets
	$(PY) bench/peer_compare.py
