# Two commands from a fresh clone: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint install system-packages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

# torch is pinned inside the [local] extra and installed in the same command, so no CUDA build is pulled.
$(STAMP): pyproject.toml $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -q -e '.[dev,local,postgres,ray]'
	touch $(STAMP)

install: $(STAMP)

# Debian packages the suite drives for real (chromium, espeak-ng, postgresql), installed when missing.
system-packages:
	bash scripts/system-packages.sh

demo: $(STAMP)
	bash scripts/system-packages.sh espeak-ng  # the demo speaks its dialogue
	$(BIN)/python -m cinebrief.demo

# RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0: Ray keeps 127.0.0.1 instead of the machine's interface address.
test: lint system-packages
	RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0 $(BIN)/python -m pytest

# ruff, its formatter, and mypy (strict on the files [tool.mypy] names in pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

bench: $(STAMP)
	for script in bench/*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
