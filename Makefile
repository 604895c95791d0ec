# carebird: `make demo` runs the product locally, `make test` runs every check.
#
# Interpreters: PYTHON is the oldest Python README promises (3.11); LAMBDA_PYTHON is the Lambda runtime's
# (python3.13), found through pyenv or on PATH. The suite runs on both; `sam build` and the artifact test use 3.13.
PYTHON ?= python3
LAMBDA_PYTHON ?= $(shell for p in "$$(pyenv prefix 3.13 2>/dev/null | head -n 1)/bin/python3.13" "$$(command -v python3.13)"; \
	do [ -x "$$p" ] && { echo "$$p"; break; }; done)
VENV := .venv
VENV313 := .venv-313
LAMBDA_VENV := .venv-lambda
SAM_VENV := .venv-sam
PY := $(VENV)/bin/python
PY313 := $(VENV313)/bin/python
SAM := $(SAM_VENV)/bin/sam
TEMPLATE := infra/template.yaml
BUILT_TEMPLATE := .aws-sam/build/template.yaml
SAMCONFIG := $(CURDIR)/infra/samconfig.toml
LOCK := layers/carebird/requirements.txt
# sam validate needs a region to load its schemas; it changes nothing else (deploys take yours, see README).
VALIDATE_REGION ?= us-east-1

.PHONY: install demo test lint format cfn-lint sam-validate pytest pytest-311 pytest-313 bench build \
	artifact-test deploy lock clean check-lambda-python eval

check-lambda-python:
	@test -n "$(LAMBDA_PYTHON)" || { echo "make: no python3.13 found (the Lambda runtime's Python). Install it (pyenv install 3.13) or pass LAMBDA_PYTHON=/path/to/python3.13." >&2; exit 2; }

$(VENV)/.installed: pyproject.toml $(LOCK)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c $(LOCK) -e ".[dev]"
	touch $@

$(VENV313)/.installed: pyproject.toml $(LOCK) | check-lambda-python
	test -x $(PY313) || $(LAMBDA_PYTHON) -m venv $(VENV313)
	$(PY313) -m pip install --quiet --upgrade pip
	$(PY313) -m pip install --quiet -c $(LOCK) -e ".[dev]"
	touch $@

# What the managed python3.13 runtime provides a function besides its code and layers: boto3, nothing else.
$(LAMBDA_VENV)/.installed: $(VENV)/.installed | check-lambda-python
	test -x $(LAMBDA_VENV)/bin/python || $(LAMBDA_PYTHON) -m venv --without-pip $(LAMBDA_VENV)
	$(PY) -m pip --python $(LAMBDA_VENV)/bin/python install --quiet boto3
	touch $@

$(SAM_VENV)/.installed:
	test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SAM_VENV)/bin/python -m pip install --quiet aws-sam-cli
	touch $@

install: $(VENV)/.installed

demo: $(VENV)/.installed
	$(VENV)/bin/carebird demo --serve

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

cfn-lint: $(VENV)/.installed
	$(VENV)/bin/cfn-lint $(TEMPLATE)

sam-validate: $(SAM_VENV)/.installed
	SAM_CLI_TELEMETRY=0 $(SAM) validate --lint --template $(TEMPLATE) --region $(VALIDATE_REGION)

pytest-313: $(VENV313)/.installed
	$(PY313) -m pytest

pytest-311: $(VENV)/.installed
	$(PY) -m pytest

pytest: pytest-313 pytest-311

# Pins what ships (layer) from pyproject's dependencies; commit the result.
lock: $(VENV)/.installed
	$(PY) tools/lock.py

# `sam build` copies sources without bytecode and Lambda's /opt and /var/task are read-only, so unless the
# artifact carries .pyc files compiled by the runtime's own Python, every cold start compiles carebird, powertools
# and the layer's libraries again. unchecked-hash: the files never change once built, so the runtime trusts the
# .pyc without reading the source's timestamp (which zip packaging would not keep anyway).
build: $(SAM_VENV)/.installed | check-lambda-python
	PATH="$(dir $(LAMBDA_PYTHON)):$$PATH" SAM_CLI_TELEMETRY=0 $(SAM) build --template $(TEMPLATE) \
		--config-file $(SAMCONFIG)
	$(LAMBDA_PYTHON) -m compileall -q -j 0 --invalidation-mode unchecked-hash .aws-sam/build

# Every built function imported and invoked by a clean python3.13 with only the build and boto3 on its path.
artifact-test: build $(VENV313)/.installed $(LAMBDA_VENV)/.installed
	CAREBIRD_LAMBDA_PYTHON=$(LAMBDA_VENV)/bin/python $(PY313) -m pytest tests/artifact

test: lint cfn-lint sam-validate pytest artifact-test

bench: $(VENV)/.installed
	$(PY) bench/run.py $(ARGS)

# Precision and recall of the triage on labelled messages; writes docs/triage-eval.md.
eval: $(VENV)/.installed
	$(PY) tools/eval_triage.py

# Deploys what `make build` produced (never the source tree). First time: make deploy ARGS=--guided
deploy: build
	SAM_CLI_TELEMETRY=0 $(SAM) deploy --template-file $(BUILT_TEMPLATE) --config-file $(SAMCONFIG) $(ARGS)

clean:
	rm -rf $(VENV) $(VENV313) $(LAMBDA_VENV) $(SAM_VENV) .aws-sam .pytest_cache .ruff_cache
