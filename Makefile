# Chancery's commands. Needs only GNU make and python3 >= 3.11: the first
# target that needs it creates .venv and installs the pinned requirements.

PYTHON ?= python3
VENV = .venv
PORT ?= 8000
# The steering folder (contract, sample data, checks), beside the clone.
SHARED ?= ../shared
PYTEST_ARGS ?=
CONTRACT_ARGS ?=
# e.g. SCORE_ARGS='--split dev --verbose' or '--article ID --json score.json'
SCORE_ARGS ?=

PY = $(VENV)/bin/python

.DEFAULT_GOAL := help
.PHONY: help run test lint contract contract-own clean vendor bench constraints load faults gazetteer extraction-score compose-check

# Creates the venv once, with a Python new enough for Django 5.2, and brings pip up to date.
define make-venv
	@test -x $(PY) || { \
	  $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	    || { echo "Chancery needs Python >= 3.11; run make with PYTHON=python3.11 (or newer)" >&2; exit 1; }; \
	  echo "$(PYTHON) -m venv $(VENV)"; $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip
endef

# Stamps: reinstall only when a requirements file changes.
$(VENV)/.installed-run: requirements.txt constraints.txt
	$(make-venv)
	$(PY) -m pip install -r requirements.txt -c constraints.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt constraints.txt
	$(make-venv)
	$(PY) -m pip install -r requirements-dev.txt -c constraints.txt
	@touch $@

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-17s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

run: $(VENV)/.installed-run ## migrate the SQLite database, load the demo data and the gazetteer, serve on http://127.0.0.1:PORT (8000)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py load_gazetteer
	$(PY) manage.py ensure_admin --url http://127.0.0.1:$(PORT)/admin/
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

constraints: ## pin every package, direct or not, after a requirements file changed (a fresh venv, then pip freeze)
	rm -rf .venv-constraints
	$(PYTHON) -m venv .venv-constraints
	.venv-constraints/bin/python -m pip install --quiet -r requirements-dev.txt
	{ sed -n '1,2p' constraints.txt; .venv-constraints/bin/python -m pip freeze; } > constraints.txt.new
	mv constraints.txt.new constraints.txt
	rm -rf .venv-constraints

test: $(VENV)/.installed-dev ## run the test suite (on PostgreSQL when DATABASE_URL=postgres://... is set)
	$(PY) -m pytest $(PYTEST_ARGS)

# The gazetteer's data is committed: `make run` and the extractor need none of the packages that build it.
gazetteer: $(VENV)/.installed-dev ## regenerate events/gazetteer/{actors,lexicon}.json from pycountry and events/gazetteer/table.py
	$(PY) -m events.gazetteer.build

lint: $(VENV)/.installed-dev ## ruff check and ruff format --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

contract: $(VENV)/.installed-run ## check this checkout against ../shared/contract.md (SHARED=...)
	$(PYTHON) $(SHARED)/checks/contract_check.py --dataset $(SHARED)/data/sample_dataset.json \
	  --cases $(SHARED)/data/sample_cases.json --bad-datasets $(SHARED)/data/bad_datasets $(CONTRACT_ARGS)

# Chancery's own dataset: an actor hierarchy four levels deep, every event family (tests/data/contract/README.md).
# The bad dataset files do not depend on the dataset: `make contract` checks them.
OWN_CONTRACT = tests/data/contract
contract-own: $(VENV)/.installed-run ## the same check on Chancery's own dataset with an actor hierarchy (tests/data/contract/)
	$(PYTHON) $(SHARED)/checks/contract_check.py --dataset $(OWN_CONTRACT)/hierarchy_dataset.json \
	  --cases $(OWN_CONTRACT)/hierarchy_cases.json $(CONTRACT_ARGS)

extraction-score: $(VENV)/.installed-run ## the article extractor on corpus/: recall, precision, type/roles/date/status right, per article (SCORE_ARGS=...)
	$(PY) manage.py score_extraction $(SCORE_ARGS)

compose-check: ## docker-compose.yml for real: build, up, the API on loopback, restart, scale profile, down (Docker; skipped without it)
	$(PYTHON) deploy/compose_check.py

# The benchmark's peer, Datasette, lives in its own venv: nothing of it enters Chancery's requirements.
BENCH_VENV = bench/.venv

$(BENCH_VENV)/.installed: bench/requirements.txt
	@test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet -r bench/requirements.txt
	@touch $@

bench: $(VENV)/.installed-run $(BENCH_VENV)/.installed ## benchmark BENCH_EVENTS (1000000) events on PostgreSQL against the floor and Datasette; writes docs/performance.md
	$(PY) bench/run.py

load: $(VENV)/.installed-run $(BENCH_VENV)/.installed ## readers and writers at once (Locust) on LOAD_EVENTS (100000) events: throughput, p50/p99, errors
	$(BENCH_VENV)/bin/python bench/load.py

faults: $(VENV)/.installed-run ## restart a throw-away PostgreSQL under load: 503s during the outage, recovery, no half-written event
	$(PY) bench/faults.py

# vis-timeline's standalone build, committed in events/static/vendor/ so that `make run` needs no npm.
# The .map files go with them: the manifest storage of `collectstatic` follows each sourceMappingURL.
VIS = node_modules/vis-timeline
VENDOR = events/static/vendor
VENDOR_FILES = $(VIS)/standalone/umd/vis-timeline-graph2d.min.js $(VIS)/standalone/umd/vis-timeline-graph2d.min.js.map \
  $(VIS)/styles/vis-timeline-graph2d.min.css $(VIS)/styles/vis-timeline-graph2d.min.css.map

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts

vendor: node_modules/.package-lock.json ## refresh events/static/vendor/ from the versions pinned in package-lock.json (needs npm)
	mkdir -p $(VENDOR)
	cp $(VENDOR_FILES) $(VENDOR)/

clean: ## remove .venv, caches and collected static files (keeps db.sqlite3)
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles test-artifacts
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
