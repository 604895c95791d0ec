# carebird: `make demo` runs the product locally, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
SAM_VENV := .venv-sam
PY := $(VENV)/bin/python
SAM := $(SAM_VENV)/bin/sam
TEMPLATE := infra/template.yaml
REGION ?= eu-west-3

.PHONY: install demo test lint format cfn-lint sam-validate pytest bench build deploy clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

$(SAM_VENV)/.installed:
	test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SAM_VENV)/bin/python -m pip install --quiet aws-sam-cli
	touch $@

install: $(VENV)/.installed

demo: $(VENV)/.installed
	$(VENV)/bin/carebird demo

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

cfn-lint: $(VENV)/.installed
	$(VENV)/bin/cfn-lint $(TEMPLATE)

sam-validate: $(SAM_VENV)/.installed
	AWS_DEFAULT_REGION=$(REGION) SAM_CLI_TELEMETRY=0 $(SAM) validate --lint --template $(TEMPLATE) --region $(REGION)

pytest: $(VENV)/.installed
	$(PY) -m pytest

test: lint cfn-lint sam-validate pytest

bench: $(VENV)/.installed
	$(PY) bench/run.py

# sam build needs the Lambda runtime's interpreter (python3.13) on PATH; pyenv's is used when present.
PY313_DIR := $(shell pyenv prefix 3.13 2>/dev/null | head -n 1)

build: $(SAM_VENV)/.installed
	PATH="$(if $(PY313_DIR),$(PY313_DIR)/bin:,)$$PATH" SAM_CLI_TELEMETRY=0 $(SAM) build --template $(TEMPLATE) \
		--config-file samconfig.toml

deploy: build
	SAM_CLI_TELEMETRY=0 $(SAM) deploy --template $(TEMPLATE) --config-file samconfig.toml

clean:
	rm -rf $(VENV) $(SAM_VENV) .aws-sam .pytest_cache .ruff_cache
