# Two commands do all set-up on a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PORT ?= 5000
STAMP := $(VENV)/.installed

.PHONY: run test test-sqlite test-postgres install migrate demo clean bench

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo load --if-empty

run: demo
	PORT=$(PORT) $(FLASK) devstack

# The whole suite on SQLite + embedded Redis, then on PostgreSQL + Redis when they answer.
test: install
	$(BIN)/python -m tests.support.run_suites

test-sqlite: install
	DESK_TEST_BACKEND=sqlite $(BIN)/python -m pytest

test-postgres: install
	DESK_TEST_BACKEND=postgres $(BIN)/python -m pytest

bench: install
	$(BIN)/python -m bench.queue

clean:
	rm -rf $(VENV) instance .pytest_cache
