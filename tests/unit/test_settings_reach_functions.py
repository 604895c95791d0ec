"""Issue 14: every setting a function's code reads is passed to it by the template (none silently defaulted).

The watcher and the poller once scored cases with default triage rules because only the webhook was given
TRIAGE_RULES; four settings existed in code but not in the template. This reads the code's settings (the
UPPER_SNAKE names a module reads from its environment) along each function's import graph.
"""

import ast
import re

import pytest
from carebird_local.local import load_template

from tests.unit.test_layer_contents import FUNCTIONS, LAYER, imported_modules

SETTING = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$")
NOT_SETTINGS = {"ALL_OLD"}  # DynamoDB wire constants that look like settings
TEMPLATE = load_template()
PROVIDED_BY_LAMBDA = {"AWS_REGION", "AWS_LAMBDA_FUNCTION_NAME"}


def settings_read(path):
    return {
        node.value
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SETTING.match(node.value)
    } - NOT_SETTINGS


def reached_files(app):
    files, pending = {app}, set(imported_modules(app))
    seen = set()
    while pending:
        name = pending.pop()
        path = LAYER / f"{name.split('.')[1]}.py" if name.startswith("carebird.") else None
        if path and path.exists() and path not in seen:
            seen.add(path)
            files.add(path)
            pending |= imported_modules(path)
    return files


def functions():
    for name, resource in TEMPLATE["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function":
            folder = resource["Properties"]["CodeUri"].rstrip("/").split("/")[-1]
            yield name, resource, FUNCTIONS / folder / "app.py"


@pytest.mark.parametrize(("name", "resource", "app"), list(functions()), ids=lambda v: v if isinstance(v, str) else "")
def test_every_setting_a_function_reads_is_passed_by_the_template(name, resource, app):
    read = set().union(*(settings_read(path) for path in reached_files(app)))
    passed = set(TEMPLATE["Globals"]["Function"].get("Environment", {}).get("Variables", {}))
    passed |= set(resource["Properties"].get("Environment", {}).get("Variables", {}))

    assert read - passed - PROVIDED_BY_LAMBDA == set(), f"{name} reads settings the template does not pass"
