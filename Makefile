# rapport — `make` builds the newest edition; `make help` lists every target.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
TEST_STAMP := $(VENV)/.test-installed-stamp
MADE_BY := $(VENV)/.made-by
LOCK   := requirements.lock
TEST_LOCK := requirements-test.lock
PIP_TOOLS := pip-tools==7.6.2

# Empty: rapport takes the newest edition and says which. A bare year (EDITION=2024)
# means content/2024, so that both spellings reach rapport as the same argument.
EDITION ?=
without_digits = $(subst 0,,$(subst 1,,$(subst 2,,$(subst 3,,$(subst 4,,$(subst 5,,$(subst \
	6,,$(subst 7,,$(subst 8,,$(subst 9,,$(1)))))))))))
EDITION_ARG := $(if $(EDITION),$(if $(call without_digits,$(EDITION)),$(EDITION),content/$(EDITION)))

.PHONY: all build draft check watch preview new facts-export facts-import publish help \
	test test-fast browser-deps spreadsheet-deps lint typecheck golden bench clean lock fuzz bytecode FORCE

all: build

help:
	@echo "make, make build                  build the PDF and the web edition (HTML) of the newest edition"
	@echo "                                  (EDITION=2024: another); prints both paths"
	@echo "make draft                        a draft, CONCEPT on every page, even with numbers to fill in"
	@echo "make check                        check the content and list every problem; no PDF"
	@echo "make watch                        build, and build again at every save (Ctrl+C stops)"
	@echo "make preview                      the same, and show the web edition at http://127.0.0.1:8023/,"
	@echo "                                  reloaded at every save (PORT=8080: another port)"
	@echo "make new YEAR=2025                start the edition of YEAR from the newest one"
	@echo "make facts-export                 write the facts to a spreadsheet, to collect the numbers"
	@echo "make facts-import FILE=…          read the filled-in spreadsheet back into facts.yaml"
	@echo "make publish YEAR=2024            archive the edition write-once (REVISION=2 REASON=…: a correction,"
	@echo "                                  DRY_RUN=1: show what it would archive; YES=1: do not ask)"
	@echo "make test                         lint, type check and the whole test suite, browser tests included"
	@echo "                                  (installs chromium, chromium-driver and axe-core when missing)"
	@echo "make browser-deps                 install what the browser tests need (make test does it)"
	@echo "make spreadsheet-deps             install what the spreadsheet tests need (make test does it)"
	@echo "make test-fast                    the tests but the slow end-to-end and fuzz ones (a minute)"
	@echo "make lint                         ruff: lint and format check"
	@echo "make typecheck                    mypy, strict"
	@echo "make golden                       regenerate the golden page images and texts of the editions"
	@echo "make bench                        measure how fast the edition builds"
	@echo "                                  (AGAINST=<git revision>: beside that revision's builds)"
	@echo "make fuzz                         a long fuzzing run (FUZZ_EXAMPLES=20000)"
	@echo "make lock                         regenerate requirements.lock and requirements-test.lock"
	@echo "                                  (UPGRADE=1: newest versions)"
	@echo "make bytecode                     compile rapport's sources (every build does it)"
	@echo "make clean                        remove build/ and .cache/; the virtual environment stays"
	@echo "make help                         this list"

# A variable's text as one shell word, taken literally: quotes and $ as typed.
quoted = '$(subst ','\'',$(value $(1)))'

# A target that needs a variable says so before anything else runs.
need = $(if $(filter $(1),$(MAKECMDGOALS)),$(if $($(2)),,$(error make $(1) needs $(2), e.g. $(3))))
$(call need,new,YEAR,make new YEAR=2025)
$(call need,publish,YEAR,make publish YEAR=2024)
$(call need,facts-import,FILE,make facts-import FILE=cijfers.xlsx)

# The virtual environment is made in one step that either completes or leaves
# nothing: $(MADE_BY), written last, records the interpreter that made it, and
# a folder without it (a failed or interrupted run) is removed before the next
# try. A PYTHON given on the command line that is not the one recorded makes
# the environment again with it.
define make_venv
	@if [ -z "$(REMAKE)" ] && [ -f $(STAMP) ] && $(BIN)/python -c '' 2>/dev/null; then \
	  command -v $(PYTHON) > $(MADE_BY); touch -r $(STAMP) $(MADE_BY); exit 0; \
	fi; \
	found=$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) \
	  || { echo "rapport needs Python 3.11 or newer; '$(PYTHON)' was not found or does not run." \
	    "Install it, or run make PYTHON=python3.12" >&2; exit 1; }; \
	major=$${found%%.*}; minor=$${found#*.}; \
	if [ "$$major" -lt 3 ] || { [ "$$major" -eq 3 ] && [ "$$minor" -lt 11 ]; }; then \
	  echo "rapport needs Python 3.11 or newer; found $$found ($(PYTHON))." \
	    "Install it, or run make PYTHON=python3.12" >&2; exit 1; \
	fi; \
	rm -rf $(VENV); \
	trap 'rm -rf $(VENV); exit 130' INT TERM; \
	echo "$(PYTHON) -m venv $(VENV)"; \
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }; \
	command -v $(PYTHON) > $(MADE_BY)
endef

ifneq ($(filter command line environment,$(origin PYTHON)),)
ifneq ($(shell command -v $(PYTHON) 2>/dev/null),$(shell cat $(MADE_BY) 2>/dev/null))
REMAKE := yes
$(MADE_BY): FORCE
endif
endif

$(MADE_BY):
	$(make_venv)

FORCE:

# What building needs: exactly the versions in the lock file, each checked
# against its sha256, then rapport itself without resolving anything again;
# `pip check` catches a lock that no longer fits pyproject.toml. The stamp is
# written only when all went well.
$(STAMP): pyproject.toml $(LOCK) $(MADE_BY)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip check || { echo "make: $(LOCK) does not fit pyproject.toml; run 'make lock'" >&2; exit 1; }
	touch $(STAMP)

# What the tests add (the `test` extra: pytest, mypy, ruff, …), locked the same
# way; its lock repeats the runtime pins, so nothing installed above changes.
$(TEST_STAMP): $(STAMP) $(TEST_LOCK)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(TEST_LOCK)
	$(BIN)/python -m pip check || { echo "make: $(TEST_LOCK) does not fit pyproject.toml; run 'make lock'" >&2; exit 1; }
	touch $(TEST_STAMP)

# Regenerates both lock files (exact versions and hashes) from pyproject.toml,
# keeping the versions already locked: the runtime dependencies, then the
# runtime and test dependencies held to the runtime lock's versions. `make lock
# UPGRADE=1` moves every package to its newest allowed version.
PIP_COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes \
	--strip-extras --no-emit-index-url --no-emit-find-links $(if $(UPGRADE),--upgrade)
lock: $(MADE_BY)
	$(BIN)/python -m pip install --quiet $(PIP_TOOLS)
	$(PIP_COMPILE) --output-file $(LOCK) pyproject.toml
	$(PIP_COMPILE) --extra test --constraint $(LOCK) --output-file $(TEST_LOCK) pyproject.toml

# rapport is installed editable, which compiles nothing: without this, every
# run would compile its sources again where bytecode is not written
# (PYTHONDONTWRITEBYTECODE), a tenth of a second per build. Up-to-date files
# are skipped.
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q src/rapport

build: bytecode
	$(BIN)/rapport build --to all $(EDITION_ARG)

draft: bytecode
	$(BIN)/rapport build --draft $(EDITION_ARG)

check: bytecode
	$(BIN)/rapport check $(EDITION_ARG)

watch: bytecode
	$(BIN)/rapport watch $(EDITION_ARG)

preview: bytecode
	$(BIN)/rapport preview $(if $(PORT),--port $(PORT)) $(EDITION_ARG)

new: bytecode
	$(BIN)/rapport new $(YEAR)

facts-export: bytecode
	$(BIN)/rapport facts export $(EDITION_ARG)

facts-import: bytecode
	$(BIN)/rapport facts import $(EDITION_ARG) $(call quoted,FILE)

publish: bytecode
	$(BIN)/rapport publish $(YEAR) $(if $(REVISION),--revision $(REVISION)) \
		$(if $(REASON),--reason $(call quoted,REASON)) $(if $(YES),--yes) $(if $(DRY_RUN),--dry-run)

# The browser tests need chromium, chromium-driver and axe-core: tools/browser-deps
# installs what is missing (apt-get as root, npm ci) and says so; under make test
# a missing browser fails the run instead of skipping its tests.
# The spreadsheet tests need LibreOffice Calc (tools/spreadsheet-deps, the same way).
test: $(TEST_STAMP) browser-deps spreadsheet-deps lint typecheck
	RAPPORT_REQUIRE_BROWSER=1 $(BIN)/python -m pytest

browser-deps:
	@tools/browser-deps

spreadsheet-deps:
	@tools/spreadsheet-deps

# The quick lane while working: every test but those marked slow (the real editions,
# fuzzing) or e2e (a PDF built end to end, rapport or make in a separate process).
# `make test` runs them all, and is what CI runs.
test-fast: $(TEST_STAMP)
	$(BIN)/python -m pytest -m "not slow and not e2e"

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

typecheck: $(TEST_STAMP)
	$(BIN)/mypy

golden: $(TEST_STAMP)
	RAPPORT_REGENERATE_GOLDEN=1 $(BIN)/python -m pytest tests/test_golden.py \
		tests/test_browser.py -k "golden or fits_its_width"

bench: bytecode
	$(BIN)/python -m rapport.cli.bench $(EDITION_ARG) $(if $(AGAINST),--against $(AGAINST))

# A long fuzzing run with new random examples each time (make test runs 4 000 fixed ones).
FUZZ_EXAMPLES ?= 20000
fuzz: $(TEST_STAMP)
	RAPPORT_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -p no:cacheprovider tests/test_fuzz.py

clean:
	rm -rf build .cache
