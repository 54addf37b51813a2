# Liên thông: `make run` and `make test` each work from a fresh clone as the only command typed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test bench lint compose clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

run: install
	$(PY) -m gateway dev

# Each test file runs whole on one of TEST_WORKERS processes (its module fixtures, e.g. an e2e stack, start once).
TEST_WORKERS ?= 2

test: install
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

bench: install
	@command -v wrk >/dev/null 2>&1 || apt-get install -y -q wrk >/dev/null 2>&1 || \
	  (apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null) || \
	  (echo "make bench needs wrk (Debian package wrk)" >&2; exit 1)
	$(PY) -m bench $(BENCH_ARGS)

lint: install
	$(VENV)/bin/ruff check .

compose: install
	$(PY) -m gateway compose

clean:
	rm -rf $(VENV) data build *.egg-info
