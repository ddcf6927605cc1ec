# tadplan: two commands set everything up on a fresh machine.
#   make demo   - create .venv, install tadplan, plan the bundled demo case into ./tadplan-demo/
#   make test   - install the development dependencies and run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench clean install screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/tadplan demo --out tadplan-demo

test: $(STAMP)  # with Chromium and a throw-away PostgreSQL (.ci/test_services.sh)
	.ci/test_services.sh $(BIN)/python -m pytest

lint: $(STAMP)  # ruff, mypy and the import-linter layer contracts (pyproject.toml)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python benchmarks/site_search.py

# the web app's main pages at 1280x800 and 768x1024 into docs/screenshots/ (needs chromium)
screenshots: $(STAMP)
	$(BIN)/python scripts/web_screenshots.py --out docs/screenshots

clean:
	rm -rf $(VENV) tadplan-demo build dist .pytest_cache .mypy_cache .ruff_cache
