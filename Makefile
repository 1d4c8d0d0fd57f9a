# The analyst's entry points. Every target builds its own virtual environment on first use,
# so a fresh machine needs only Python 3.11+ and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

PERIOD ?= $(shell $(PYTHON) -c "import datetime as d; t = d.date.today().replace(day=1) - d.timedelta(days=1); print(t.strftime('%Y-%m'))")
INPUTS ?= inputs
OUT    ?= outputs/$(PERIOD)
DEMO_INPUTS := examples/sample_company
DEMO_PERIOD := 2026-10

.PHONY: all venv monthly demo validate test bench fuzz templates golden sample clean

all: demo

$(STAMP): pyproject.toml
	@$(PYTHON) -c "import sys; sys.exit(0 if sys.version_info >= (3, 11) else 'Python 3.11+ is needed (found ' + sys.version.split()[0] + ')')"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

monthly: $(STAMP)
	$(BIN)/python -m pipeline run --inputs $(INPUTS) --period $(PERIOD) --out $(OUT)

demo: $(STAMP)
	$(BIN)/python -m pipeline run --inputs $(DEMO_INPUTS) --period $(DEMO_PERIOD) --out outputs/demo

validate: $(STAMP)
	$(BIN)/python -m pipeline validate --inputs $(INPUTS) --out $(OUT)

templates: $(STAMP)
	$(BIN)/python -m pipeline templates --out templates

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m pipeline bench

# the property-based tests (hypothesis) with many more examples than `make test` runs
FUZZ_TESTS := tests/unit/test_properties.py tests/unit/test_normalise.py tests/unit/test_safety.py tests/unit/test_workdays.py
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest $(FUZZ_TESTS)

golden: $(STAMP)
	$(BIN)/python -m tests.golden.regenerate

sample: $(STAMP)
	$(BIN)/python examples/make_sample_company.py

clean:
	rm -rf $(VENV) outputs/demo .pytest_cache
