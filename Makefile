# Accord: `make run` starts a demo node, `make test` runs every check. Both set up .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/accord demo

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

# pytest exits 5 when it collected no test: that is a failure here, not a pass.
test: lint
	$(BIN)/python -m pytest --cov --cov-branch --cov-report=term -p no:cacheprovider; \
	status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; \
	exit $$status

bench: $(STAMP)
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/taxii.py
	$(BIN)/python benchmarks/correlate.py
	$(BIN)/python benchmarks/attribution.py
	$(BIN)/python benchmarks/hotline.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .coverage
