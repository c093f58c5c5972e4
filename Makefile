# HuaiCai: `make run` starts a demo on SQLite, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format typecheck pytest install bench docs clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "HuaiCai needs Python 3.11 or newer (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## run: install, migrate the SQLite database, load demo data once, start everything
## (web on app.base_url's port, fake WeChat API on wechat.api_base_url's; `make run PORT=8010`)
run: install
	$(BIN)/huaicai db upgrade
	$(BIN)/huaicai demo load --if-empty
	$(BIN)/huaicai up $(if $(PORT),--port $(PORT))

## test: lint, format check, types and the whole test suite (both databases when
## HUAICAI_TEST_DATABASE_URL points at PostgreSQL)
test: install lint typecheck pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: install
	$(BIN)/mypy

pytest: install
	$(BIN)/pytest

## bench: the benchmark scripts (slow; not part of make test)
bench: install
	$(BIN)/python bench/matching.py
	$(BIN)/python bench/callback.py

## docs: regenerate docs/configuration.md from config.toml's comments
docs: install
	$(BIN)/huaicai config reference

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .cache
