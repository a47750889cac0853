# Set-up is part of every target: the virtual environment is created and the
# project installed into it on first use, and again whenever pyproject.toml changes.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: demo test lint bench clean fonts

# OCR-B draws the synthetic MRZ data (finvision.data.synthetic). It is installed from
# the Debian package when missing and apt-get can run; otherwise only a warning.
OCR_B := /usr/share/fonts/opentype/ocr-b/OCRB.otf

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(INSTALLED)

fonts:
	@test -f $(OCR_B) || { \
	  if command -v apt-get >/dev/null; then \
	    if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO="sudo -n"; fi; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    $$SUDO apt-get install -y -qq fonts-ocr-b >/dev/null 2>&1 || { \
	      $$SUDO apt-get update -qq >/dev/null 2>&1 && \
	      $$SUDO apt-get install -y -qq fonts-ocr-b >/dev/null 2>&1; }; \
	  fi; \
	  test -f $(OCR_B) || echo "warning: no OCR-B font (Debian package fonts-ocr-b);" \
	    "synthetic MRZ/cheque generators need font_path= without it" >&2; }

demo: $(INSTALLED) fonts
	$(BIN)/finvision backbones

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint fonts
	$(BIN)/python -m pytest -n 2 --dist loadgroup

bench: $(INSTALLED)
	$(BIN)/python benchmarks/backbone_overhead.py
	$(BIN)/python benchmarks/metrics.py
	$(BIN)/python benchmarks/transfer.py
	$(BIN)/python benchmarks/augmentation.py
	$(BIN)/python benchmarks/loading.py
	$(BIN)/python benchmarks/synthetic.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
