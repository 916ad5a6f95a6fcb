# Peak OS — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist, one worker per core (about three minutes on 2 cores); override with PYTEST_ARGS=.
PYTEST_ARGS ?= -n auto

.PHONY: run test lint format bench install install-test e2e clean messages messages-extract

# Message catalogues (README: "Languages"). The .po files are the source, in git; the .mo
# files are built from them here (GNU gettext's msgfmt; Debian package `gettext`), so no
# binary file can drift from its source. `make messages-extract` refreshes the .po files
# from the code after marking new strings (then translate every new msgid).
LOCALES := de fr es pt_BR nl it ja
PO_FILES := $(wildcard locale/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)
MAKEMESSAGES := $(PY) manage.py makemessages $(foreach l,$(LOCALES),-l $(l)) --no-obsolete --add-location=file \
	--ignore=.venv --ignore=staticfiles --ignore=static/vendor --ignore=screenshots --ignore=bench --ignore=tests

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install -q -e ".[test]"
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

%.mo: %.po
	@command -v msgfmt >/dev/null || { echo "msgfmt is missing: apt-get install -y gettext"; exit 1; }
	msgfmt --check -o $@ $<

messages: $(MO_FILES)

messages-extract: install
	$(MAKEMESSAGES)
	$(MAKEMESSAGES) -d djangojs

# Web, a Celery worker and beat in one command (peakos/management/commands/runall.py); without
# CELERY_BROKER_URL they share an embedded filesystem broker under var/broker/. E-mails are files
# in var/mail/, listed at http://$(HOST):$(PORT)/dev/mail/. One Ctrl-C stops all three.
run: install messages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runall $(HOST):$(PORT)

test: install-test messages
	$(PY) -m pytest $(PYTEST_ARGS)

e2e: install-test messages
	$(PY) -m pytest -m e2e $(PYTEST_ARGS)

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: install-test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install-test
	@for f in bench/*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) db.sqlite3* var staticfiles .pytest_cache $(MO_FILES)
