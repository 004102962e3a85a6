# The front door: `make demo` and `make test`. Works on a machine with only python3 and make.
SHELL := /bin/bash
UV_VERSION := 0.13.9
UV := .uv/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export QUARTIER_HOME ?= $(CURDIR)

.PHONY: docs install demo test lint typecheck contracts migrations-check pytest pytest-postgres serve clean

$(UV):
	python3 -m venv .uv
	.uv/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

install: $(UV)
	$(UV) sync --frozen --python python3 --compile-bytecode
	@# quartier is installed editable: its own modules are compiled here, for machines that
	@# set PYTHONDONTWRITEBYTECODE=1 and would otherwise recompile them on every start.
	$(BIN)/python -m compileall -q src

# The port of `make demo` and `make serve`: `make demo PORT=8001` when 8000 is taken.
PORT ?= 8000

demo: install
	$(BIN)/quartier demo --addrport 127.0.0.1:$(PORT)

serve: install
	$(BIN)/quartier runserver 127.0.0.1:$(PORT)

lint:
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck:
	$(BIN)/mypy

contracts:
	$(BIN)/lint-imports

migrations-check:
	QUARTIER_DATABASE_URL= $(BIN)/quartier makemigrations --check --dry-run

pytest:
	QUARTIER_DATABASE_URL= $(BIN)/pytest

# Database tests once more on PostgreSQL (QUARTIER_TEST_POSTGRES=1, server from QUARTIER_TEST_DATABASE_URL).
pytest-postgres:
	QUARTIER_DATABASE_URL="$${QUARTIER_TEST_DATABASE_URL:-postgres://quartier@127.0.0.1:5432/quartier}" \
	  $(BIN)/pytest -m "not browser" tests/areas tests/monitoring tests/demo tests/web

test: install lint typecheck contracts migrations-check pytest
	@if [ "$${QUARTIER_TEST_POSTGRES:-0}" = "1" ]; then $(MAKE) --no-print-directory pytest-postgres; \
	else echo "PostgreSQL run skipped (set QUARTIER_TEST_POSTGRES=1 to run the database tests on PostgreSQL)"; fi

clean:
	rm -rf $(VENV) .uv var/demo

docs:
	$(BIN)/python -m quartier.cli_reference > docs/cli.md
	$(BIN)/python -m quartier.indicator_reference > docs/indicators.md
	$(BIN)/python -m quartier.api_reference > docs/api.md
	$(BIN)/python -m quartier.environment README.md
