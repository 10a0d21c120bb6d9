# The two commands of the README: `make up` and `make test`. Both are idempotent.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: up down test lint

up: $(STAMP)
	$(VENV)/bin/dyttctl install
	$(VENV)/bin/dyttctl up

down: $(STAMP)
	$(VENV)/bin/dyttctl down

test: $(STAMP)
	$(VENV)/bin/dyttctl install --docker
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

# The virtualenv is rebuilt only when pyproject.toml changes.
$(STAMP): pyproject.toml
	bash stack/bootstrap.sh $(VENV)
	touch $(STAMP)
