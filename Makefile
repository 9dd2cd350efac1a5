# The two commands of the README: `make run` and `make test`. Everything else is what they need.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt | sha256sum | cut -c1-12)

.PHONY: run test lint types messages lock bench clean

$(STAMP): requirements.txt
	scripts/install-system-deps run
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $@

messages: $(STAMP)
	$(PY) manage.py compilemessages --ignore '.venv' -v 0

run: $(STAMP) messages
	$(PY) manage.py rundev

lint: $(STAMP)
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

types: $(STAMP)
	$(VENV)/bin/mypy .

test: $(STAMP) messages
	scripts/install-system-deps test
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy .
	env -u DATABASE_URL SEU_VAR_DIR=$(CURDIR)/var/test $(PY) manage.py makemigrations --check --dry-run
	SEU_VAR_DIR=$(CURDIR)/var/test $(VENV)/bin/pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) bench/issue_document.py

# Refresh the exact pins after editing pyproject.toml's dependencies.
lock:
	rm -rf /tmp/seu-lock && $(PYTHON) -m venv /tmp/seu-lock
	/tmp/seu-lock/bin/pip install --quiet $$($(PYTHON) -c "import tomllib;d=tomllib.load(open('pyproject.toml','rb'))['project'];print(' '.join(repr(x) for x in d['dependencies']+d['optional-dependencies']['test']))")
	(head -2 requirements.txt; /tmp/seu-lock/bin/pip freeze) > requirements.txt.new && mv requirements.txt.new requirements.txt

clean:
	rm -rf $(VENV) var staticfiles
