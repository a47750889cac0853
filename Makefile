# Set-up is part of every target: the virtual environment is created and the
# project installed into it on first use, and again whenever pyproject.toml changes.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
BENCH_INSTALLED := $(VENV)/.bench-installed
JAX_INSTALLED := $(VENV)/.jax-installed
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: demo test test-jax lint bench docs clean fonts tesseract

# OCR-B draws the synthetic MRZ data (finvision.data.synthetic). It is installed from
# the Debian package when missing and apt-get can run; otherwise only a warning.
OCR_B := /usr/share/fonts/opentype/ocr-b/OCRB.otf

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(INSTALLED)

# $(call apt_install,FILE,PACKAGE,WHY): installs the Debian PACKAGE when FILE is
# missing and apt-get can run (as root or with passwordless sudo); otherwise warns.
define apt_install
	@test -e $(1) || { \
	  if command -v apt-get >/dev/null; then \
	    if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO="sudo -n"; fi; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    $$SUDO apt-get install -y -qq $(2) >/dev/null 2>&1 || { \
	      $$SUDO apt-get update -qq >/dev/null 2>&1 && \
	      $$SUDO apt-get install -y -qq $(2) >/dev/null 2>&1; }; \
	  fi; \
	  test -e $(1) || echo "warning: $(1) is missing (Debian package $(2)); $(3)" >&2; }
endef

fonts:
	$(call apt_install,$(OCR_B),fonts-ocr-b,synthetic MRZ and cheque generators need font_path= without it)

# Benchmarks compare with other engines: Tesseract (Debian) and RapidOCR (the bench extra).
$(BENCH_INSTALLED): $(INSTALLED)
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	touch $(BENCH_INSTALLED)

tesseract:
	$(call apt_install,/usr/bin/tesseract,tesseract-ocr,benchmarks/ocr.py leaves Tesseract out)

demo: $(INSTALLED) fonts
	$(BIN)/finvision quickstart --overwrite

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# One TensorFlow thread per worker; a third worker fills the time the others wait on
# subprocesses and files.
test: lint fonts
	TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=2 $(BIN)/python -m pytest -n 3 --dist loadgroup

# The backend-agnostic tests (models, layers, losses, metrics, transfer learning) on
# JAX; tests marked tensorflow_only (tf.data, TFDS, TFLite, SavedModel, tf.distribute,
# JPEG ops) are left out. One process: a JAX worker holds about 10 GiB of compiled code.
JAX_TESTS := tests/models tests/preprocessing tests/metrics tests/verification \
	tests/tamper tests/text tests/transfer

$(JAX_INSTALLED): $(INSTALLED)
	$(BIN)/python -m pip install --quiet -e ".[dev,jax]"
	touch $(JAX_INSTALLED)

test-jax: $(JAX_INSTALLED) fonts
	KERAS_BACKEND=jax $(BIN)/python -m pytest -m "not slow and not tensorflow_only" $(JAX_TESTS)

bench: $(BENCH_INSTALLED) fonts tesseract
	$(BIN)/python benchmarks/backbone_overhead.py
	$(BIN)/python benchmarks/metrics.py
	$(BIN)/python benchmarks/transfer.py
	$(BIN)/python benchmarks/augmentation.py
	$(BIN)/python benchmarks/loading.py
	$(BIN)/python benchmarks/synthetic.py
	$(BIN)/python benchmarks/ocr.py
	$(BIN)/python benchmarks/mrz_independent.py
	$(BIN)/python benchmarks/micr_reader.py
	$(BIN)/python benchmarks/documents.py
	$(BIN)/python benchmarks/mrz_decoding.py
	$(BIN)/python benchmarks/verification.py
	$(BIN)/python benchmarks/tamper.py
	$(BIN)/python benchmarks/export.py
	$(BIN)/python benchmarks/sequence.py
	$(BIN)/python benchmarks/gan_augmentation.py
	$(BIN)/python -m pytest -n 2 --dist loadgroup -m slow  # the tests too slow for make test

# The documentation site (mkdocs.yml): guides, generated benchmark tables and API
# reference; warnings fail the build. `$(BIN)/mkdocs serve` previews it.
docs: $(INSTALLED)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache site
