# Two commands do everything on a fresh machine with Python 3.11+ (see README.md):
#   make book   build the HTML book into _build/html (any warning is an error)
#   make test   run the linter (ruff) and every test: bplib's tests and every notebook under nbval
# make test-numerics runs bplib's tests and the notebooks again under emulated CPUs (other SIMD code,
# BLAS kernels, thread counts): a reader's machine must print what the book shows.
# Both first create .venv and install requirements.txt into it, once (again when it changes).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: book test test-numerics execute clean chromium

book: $(VENV)/.installed
	$(BIN)/jupyter-book build --all -W -n --keep-going .

test: $(VENV)/.installed chromium
	$(BIN)/ruff check .
	$(BIN)/pytest

test-numerics: $(VENV)/.installed
	$(BIN)/python tools/numerics.py

# tests/test_browser.py opens the built book in Debian's Chromium (Playwright drives it; it downloads
# no browser of its own). Installed here when missing and we may (root, apt); otherwise those tests
# say how to install it, and skip (on CI, where CI is set, they fail instead).
chromium:
	@command -v chromium >/dev/null || [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Re-execute every notebook in place after a change to bplib; commit the new outputs.
execute: $(VENV)/.installed
	$(BIN)/python tools/execute_notebooks.py book/*.ipynb

$(VENV)/.installed: requirements.txt constraints.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -r requirements.txt
	touch $@

clean:
	rm -rf _build
