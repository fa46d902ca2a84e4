# rapport — the two commands of the README: `make` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
EDITION ?= content/2023

.PHONY: all build check test lint typecheck golden bench clean

all: build

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/rapport build $(EDITION)

check: $(STAMP)
	$(BIN)/rapport check $(EDITION)

test: $(STAMP) lint typecheck
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

typecheck: $(STAMP)
	$(BIN)/mypy

golden: $(STAMP)
	RAPPORT_REGENERATE_GOLDEN=1 $(BIN)/python -m pytest tests/test_golden.py

bench: $(STAMP)
	$(BIN)/python -m rapport.bench $(EDITION)

clean:
	rm -rf build .cache
