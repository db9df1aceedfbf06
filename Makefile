# Two entry points on a fresh machine with Python 3.11: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
CONFIG ?= configs/demo.yaml

.PHONY: install demo test bench clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

# Search on the embedded synthetic corpus, retrain the best trial, evaluate it, print a summary.
demo: install
	$(PY) -m search demo --config $(CONFIG)

test: install
	$(PY) -m pytest -q -n 2 --dist loadgroup tests

bench: install
	$(PY) benchmarks/training_step.py

clean:
	rm -rf $(VENV) data/demo data/smoke trials/demo trials/smoke
