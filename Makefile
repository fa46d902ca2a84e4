# rapport — the two commands of the README: `make` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
EDITION ?= content/2023
LOCK   := requirements.lock
PIP_TOOLS := pip-tools==7.6.2

.PHONY: all build check test lint typecheck golden bench clean lock fuzz bytecode

all: build

# Exactly the versions in the lock file, each checked against its sha256, then
# rapport itself without resolving anything again; `pip check` catches a lock
# that no longer fits pyproject.toml.
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip check || { echo "make: $(LOCK) does not fit pyproject.toml; run 'make lock'" >&2; exit 1; }
	touch $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Regenerates the lock file (runtime and test dependencies, exact versions and
# hashes) from pyproject.toml, keeping the versions already locked; `make lock
# UPGRADE=1` moves every package to its newest allowed version.
lock: $(BIN)/python
	$(BIN)/python -m pip install --quiet $(PIP_TOOLS)
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes \
		--extra test --strip-extras --no-emit-index-url --no-emit-find-links \
		$(if $(UPGRADE),--upgrade) --output-file $(LOCK) pyproject.toml

# rapport is installed editable, which compiles nothing: without this, every
# run would compile its sources again where bytecode is not written
# (PYTHONDONTWRITEBYTECODE), a tenth of a second per build. Up-to-date files
# are skipped.
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q src/rapport

build: bytecode
	$(BIN)/rapport build $(EDITION)

check: bytecode
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

bench: bytecode
	$(BIN)/python -m rapport.bench $(EDITION)

# A long fuzzing run with new random examples each time (make test runs 4 000 fixed ones).
FUZZ_EXAMPLES ?= 20000
fuzz: $(STAMP)
	RAPPORT_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -p no:cacheprovider tests/test_fuzz.py

clean:
	rm -rf build .cache
