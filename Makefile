# carebird: `make demo` runs the product locally, `make check` is the inner loop (lint, types, unit tests on
# python3.13, well under a minute), `make test` runs every check.
#
# Interpreters: PYTHON is the oldest Python README promises (3.11); LAMBDA_PYTHON is the Lambda runtime's
# (python3.13), found through pyenv or on PATH. The whole suite runs on 3.13, the unit tests again on 3.11 (what
# differs between the two is the language, not AWS); `sam build` and the artifact test use 3.13.
PYTHON ?= python3
LAMBDA_PYTHON ?= $(shell for p in "$$(pyenv prefix 3.13 2>/dev/null | head -n 1)/bin/python3.13" "$$(command -v python3.13)"; \
	do [ -x "$$p" ] && { echo "$$p"; break; }; done)
VENV := .venv
VENV313 := .venv-313
LAMBDA_VENV := .venv-lambda
SAM_VENV := .venv-sam
CHECKOV_VENV := .venv-checkov
PY := $(VENV)/bin/python
PY313 := $(VENV313)/bin/python
SAM := $(SAM_VENV)/bin/sam
TEMPLATE := infra/template.yaml
BUILT_TEMPLATE := .aws-sam/build/template.yaml
# Your deploy values (stack name, region, parameters): infra/samconfig.toml, ignored by git, made from the example.
SAMCONFIG := $(CURDIR)/infra/samconfig.toml
SAMCONFIG_EXAMPLE := infra/samconfig.example.toml
# The region for SAM: AWS_REGION or AWS_DEFAULT_REGION when set (SAM reads only the latter), else your profile's
# or the one saved in infra/samconfig.toml.
DEPLOY_REGION := $(or $(AWS_REGION),$(AWS_DEFAULT_REGION))
PORT ?= 8080
# Processes the suites run on (pytest-xdist; each has its own embedded AWS): 2, the cores of the CI machine.
TEST_WORKERS ?= 2
PYTEST_PARALLEL := -n $(TEST_WORKERS) --dist loadfile
LOCK := layers/carebird/requirements.txt
# sam validate needs a region to load its schemas; it changes nothing else (deploys take yours, see README).
VALIDATE_REGION ?= us-east-1

.PHONY: install demo check test lint typecheck format cfn-lint sam-validate pytest pytest-311 pytest-313 bench build \
	artifact-test deploy lock clean check-lambda-python eval train checkov preflight check-venv-python screenshots venvs

check-lambda-python:
	@test -n "$(LAMBDA_PYTHON)" || { echo "make: no python3.13 found (the Lambda runtime's Python). Install it (pyenv install 3.13) or pass LAMBDA_PYTHON=/path/to/python3.13." >&2; exit 2; }

# A .venv made by a Python older than 3.11 (or one that no longer runs) is rebuilt, saying so.
NEEDS_311 := import sys; sys.exit(sys.version_info < (3, 11))
ifneq ($(wildcard $(VENV)),)
ifneq ($(shell $(PY) -c '$(NEEDS_311)' >/dev/null 2>&1 && echo ok),ok)
$(info make: .venv was made by $(or $(shell $(PY) --version 2>&1),a Python that no longer runs): carebird needs 3.11+; rebuilding it with $(PYTHON))
$(shell rm -rf $(VENV))
endif
endif

check-venv-python:
	@$(PYTHON) -c '$(NEEDS_311)' 2>/dev/null || { echo "make: $(PYTHON) is $$($(PYTHON) --version 2>&1);" \
		"carebird needs Python 3.11 or later: PYTHON=python3.12 make ..." >&2; exit 2; }

# The demo's lighter environment: the runtime and the local extras (moto, click, PyYAML), no test tooling.
$(VENV)/.installed-local: pyproject.toml $(LOCK) | check-venv-python
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c $(LOCK) -e ".[local]"
	touch $@

$(VENV)/.installed: pyproject.toml $(LOCK) | check-venv-python
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --no-compile -c $(LOCK) -e ".[dev]"
	touch $(VENV)/.installed-local $@

$(VENV313)/.installed: pyproject.toml $(LOCK) | check-lambda-python
	test -x $(PY313) || $(LAMBDA_PYTHON) -m venv $(VENV313)
	$(PY313) -m pip install --quiet --upgrade pip
	$(PY313) -m pip install --quiet --no-compile -c $(LOCK) -e ".[test]"
	touch $@

# What the managed python3.13 runtime provides a function besides its code and layers: boto3, nothing else.
$(LAMBDA_VENV)/.installed: $(VENV)/.installed | check-lambda-python
	test -x $(LAMBDA_VENV)/bin/python || $(LAMBDA_PYTHON) -m venv --without-pip $(LAMBDA_VENV)
	$(PY) -m pip --python $(LAMBDA_VENV)/bin/python install --quiet boto3
	touch $@

$(SAM_VENV)/.installed:
	test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SAM_VENV)/bin/python -m pip install --quiet --no-compile aws-sam-cli
	touch $@

# checkov in a venv of its own: its pins would fight the project's lock.
$(CHECKOV_VENV)/.installed:
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/python -m pip install --quiet "checkov>=3,<4"
	touch $@

install: $(VENV)/.installed

demo: $(VENV)/.installed-local
	$(VENV)/bin/carebird demo --serve --port $(PORT)

# What a first deployment needs, checked offline (tools, Pythons, region, credentials' shape, deploy values).
preflight: $(VENV)/.installed-local
	@LAMBDA_PYTHON="$(LAMBDA_PYTHON)" $(PY) tools/preflight.py

$(SAMCONFIG):
	cp $(SAMCONFIG_EXAMPLE) $@

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy

# The inner loop: lint, types and the unit tests on the Lambda runtime's Python.
check: lint $(VENV313)/.installed
	$(PY313) -m pytest $(PYTEST_PARALLEL) tests/unit -q -p no:cacheprovider

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

cfn-lint: $(VENV)/.installed
	$(VENV)/bin/cfn-lint $(TEMPLATE)

sam-validate: $(SAM_VENV)/.installed
	SAM_CLI_TELEMETRY=0 $(SAM) validate --lint --template $(TEMPLATE) --region $(VALIDATE_REGION)

# --dist loadfile: a module's tests share one process, so its module-scoped fixtures (the demo's day, the browser)
# are paid once.
pytest-313: $(VENV313)/.installed
	$(PY313) -m pytest $(PYTEST_PARALLEL)

# 3.11 differs from the runtime's 3.13 in the language, not in AWS: the unit tests cover it; the whole suite runs on 3.13.
pytest-311: $(VENV)/.installed
	$(PY) -m pytest $(PYTEST_PARALLEL) tests/unit

pytest: pytest-313 pytest-311

# Pins what ships (layer) from pyproject's dependencies; commit the result.
lock: $(VENV)/.installed
	$(PY) tools/lock.py

# `sam build` copies sources without bytecode and Lambda's /opt and /var/task are read-only, so unless the
# artifact carries .pyc files compiled by the runtime's own Python, every cold start compiles carebird, powertools
# and the layer's libraries again. unchecked-hash: the files never change once built, so the runtime trusts the
# .pyc without reading the source's timestamp (which zip packaging would not keep anyway).
build: check-lambda-python $(SAM_VENV)/.installed $(SAMCONFIG)
	PATH="$(dir $(LAMBDA_PYTHON)):$$PATH" SAM_CLI_TELEMETRY=0 $(SAM) build --template $(TEMPLATE) \
		--config-file $(SAMCONFIG)
	$(LAMBDA_PYTHON) -m compileall -q -j 0 --invalidation-mode unchecked-hash .aws-sam/build

# Every built function imported and invoked by a clean python3.13 with only the build and boto3 on its path.
artifact-test: build $(VENV313)/.installed $(LAMBDA_VENV)/.installed
	CAREBIRD_LAMBDA_PYTHON=$(LAMBDA_VENV)/bin/python $(PY313) -m pytest tests/artifact

# The environments `make test` needs, made side by side first: each install waits mostly on unpacking files.
# (--no-compile in the installs: Python compiles what a run imports, a fraction of what pip would compile.)
VENVS := $(VENV)/.installed $(VENV313)/.installed $(LAMBDA_VENV)/.installed $(SAM_VENV)/.installed
venvs: check-lambda-python
	$(MAKE) --no-print-directory -j 4 $(VENVS)

test: check-lambda-python venvs lint cfn-lint sam-validate pytest artifact-test

# checkov on the template; its figures and the answer to each failed check written into docs/reliability.md.
checkov: $(CHECKOV_VENV)/.installed $(VENV)/.installed
	$(PY) tools/checkov_report.py $(CHECKOV_VENV)/bin/checkov

# The README's inbox images (queue, case, phone), taken by the browser tests in Chromium: docs/inbox-*.png.
screenshots: $(VENV)/.installed
	CAREBIRD_UPDATE_SCREENSHOT=1 CAREBIRD_REQUIRE_BROWSER=1 $(PY) -m pytest -q -p no:cacheprovider \
		tests/integration/test_inbox_browser.py -k screenshots

bench: $(VENV)/.installed
	$(PY) bench/run.py $(ARGS)

# The learned triage reading (carebird.domain.reading) trained on the tuning sets (never holdout*); writes triage_weights.py.
train: $(VENV)/.installed
	$(PY) tools/train_triage.py

# Precision and recall of the triage on labelled messages; writes docs/triage-eval.md.
eval: $(VENV)/.installed
	$(PY) tools/eval_triage.py --cross-validate

# Deploys what `make build` produced (never the source tree). First time: make deploy ARGS=--guided
deploy: build
	SAM_CLI_TELEMETRY=0 $(SAM) deploy --template-file $(BUILT_TEMPLATE) --config-file $(SAMCONFIG) \
		$(if $(DEPLOY_REGION),--region $(DEPLOY_REGION)) $(ARGS)

clean:
	rm -rf $(VENV) $(VENV313) $(LAMBDA_VENV) $(SAM_VENV) $(CHECKOV_VENV) .aws-sam .pytest_cache .ruff_cache .mypy_cache
