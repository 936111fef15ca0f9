# One entry point for people and CI. `make demo` and `make test` work on a fresh machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup demo serve test test-fast check lint bench clean

$(BIN)/unn-ingest: pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $@

setup: $(BIN)/unn-ingest

demo: setup
	$(BIN)/unn-ingest demo

# The main use, on the local replica: Prefect's server and UI (its address is the first line),
# an `ingest` run every 2 minutes; Ctrl-C stops everything. State: data/serve/.
serve: setup
	$(BIN)/unn-ingest serve --replica --data-dir data/serve --cron "*/2 * * * *"

test: setup
	$(BIN)/pytest -q

# The fast tier: no Prefect server, no whole-data-set evaluations (about 100 s on two idle cores).
test-fast: setup
	$(BIN)/pytest -q -m "not slow"

lint: setup
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

check: lint test

bench: setup
	$(BIN)/python -m bench.pipeline

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
