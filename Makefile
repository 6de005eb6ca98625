# PaperGraph: `make run` (install, ingest the bundled corpus, serve on 127.0.0.1:8000) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# torch is pinned to the CPU wheel (an unpinned torch pulls a multi-GB CUDA build).
TORCH  ?= torch==2.13.0

.PHONY: install run ingest serve test test-all lint typecheck bench eval clean ui

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "$(TORCH)"
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

ingest: install
	$(BIN)/papergraph ingest

serve: install
	$(BIN)/papergraph serve

run: ingest serve

test: install
	$(BIN)/python -m pytest -q

test-all: install
	$(BIN)/python -m pytest -q -m "slow or not slow"

lint: install
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts

typecheck: install
	$(BIN)/mypy

bench: install
	$(BIN)/python scripts/bench_ingest.py

eval: install
	$(BIN)/python scripts/score_extraction.py --set both

# The explorer page's script: ui/src (ES modules) bundled by esbuild into src/papergraph/api/static/explorer.js,
# which is committed, so installing and serving need no node. Rebuild after changing ui/src.
ui:
	cd ui && npm ci --no-audit --no-fund && npm run build

clean:
	rm -rf data/index data/graph data/cache .pytest_cache
