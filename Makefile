# Two commands do everything on a fresh machine with Python 3.11+ (see README.md):
#   make book   build the HTML book into _build/html (any warning is an error)
#   make test   run every test: bplib's tests and every notebook under nbval
# Both first create .venv and install requirements.txt into it, once (again when it changes).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: book test execute clean

book: $(VENV)/.installed
	$(BIN)/jupyter-book build --all -W -n --keep-going .

test: $(VENV)/.installed
	$(BIN)/pytest

# Re-execute every notebook in place after a change to bplib; commit the new outputs.
execute: $(VENV)/.installed
	$(BIN)/python tools/execute_notebooks.py book/*.ipynb

$(VENV)/.installed: requirements.txt constraints.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -r requirements.txt
	touch $@

clean:
	rm -rf _build
