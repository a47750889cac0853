# Set-up is part of every target: the virtual environment is created and the
# project installed into it on first use, and again whenever pyproject.toml changes.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: demo test lint bench clean

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(INSTALLED)

demo: $(INSTALLED)
	$(BIN)/finvision backbones

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/python -m pytest -n 2 --dist loadgroup

bench: $(INSTALLED)
	$(BIN)/python benchmarks/backbone_overhead.py
	$(BIN)/python benchmarks/metrics.py
	$(BIN)/python benchmarks/transfer.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
