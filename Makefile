# Quick start: `make demo` and `make test`. Both build their own virtual environment.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test venv bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/sweepers demo $(if $(CATALOG),--catalog "$(CATALOG)")

# tools/test-with-postgres starts a throwaway PostgreSQL server when the Debian
# package is installed (CI installs it) so the database tests run on both back ends.
test: $(STAMP)
	PATH="$(abspath $(BIN)):$$PATH" tools/test-with-postgres $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	for b in benchmarks/*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache
