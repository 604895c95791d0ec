"""The layers hold their arrows one way, the table's layout is written in one module, and handlers stay thin.

The layer package has four folders: `domain` (rules), `x` and `aws` (adapters), `app` (use cases), and a few
modules at the top that every folder may import (settings and settings_views, ports, errors, observability,
clock). The rules:
- the domain imports nothing from `aws`, `x`, `app`, settings or the clock, nor boto3, botocore, tweepy, requests
  or powertools: it runs on plain values, with time passed in;
- adapters (`aws`, `x`) never import a use case;
- nothing deployed (the layer, the functions) imports the development tooling.
A module still flat at the top of the package is judged by the folder tools/restructure.py gives it, so the rules
hold before the move as after it. The tests at the end prove each rule catches a synthetic module that breaks it.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

import pytest

from tests.helpers import imports_of

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "layers" / "carebird" / "carebird"
FUNCTIONS = ROOT / "functions"
FOLDERS = ("domain", "x", "aws", "app")
TOP = ("settings", "settings_views", "ports", "errors", "observability", "clock")
OUTSIDE_LIBRARIES = (
    "boto3",
    "botocore",
    "tweepy",
    "requests",
    "requests_oauthlib",
    "aws_lambda_powertools",
    "aws_xray_sdk",
)
DEVELOPMENT_TOOLING = ("carebird_local", "devtools", "bench", "tests")
HANDLER_LINE_LIMIT = 30
FLAT = "carebird."  # + a flat module's name: written apart, so tools/restructure.py leaves the name flat


def _restructure():
    spec = importlib.util.spec_from_file_location("restructure", ROOT / "tools" / "restructure.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


HOMES: dict[str, str] = _restructure().HOMES


def folder_of(module: str) -> str:
    """`carebird.domain.cases` → domain; a module still flat → the folder tools/restructure.py gives it; a top
    module → top; anything else → outside."""
    parts = module.split(".")
    if parts[0] != "carebird" or len(parts) < 2:
        return "outside"
    if parts[1] in FOLDERS:
        return parts[1]
    if parts[1] in TOP:
        return "top"
    if parts[1] in HOMES:
        return HOMES[parts[1]].split(".")[0]
    return "unknown"


def broken_rules(module: str, source: str) -> list[str]:
    """What a module of the layer (by dotted name) imports against the rules."""
    folder, broken = folder_of(module), []
    for name in sorted(imports_of(source)):
        target = folder_of(name)
        root = name.split(".")[0]
        if root in DEVELOPMENT_TOOLING:
            broken.append(f"{module} imports development tooling {name}")
        forbidden_to_domain = target in ("aws", "x", "app") or name in ("carebird.settings", "carebird.clock")
        if folder == "domain" and (forbidden_to_domain or root in OUTSIDE_LIBRARIES):
            broken.append(f"domain module {module} imports {name}")
        if folder in ("aws", "x") and target == "app":
            broken.append(f"adapter {module} imports the use case {name}")
        if target == "unknown":
            broken.append(f"{module} imports {name}, which has no folder: add it to HOMES in tools/restructure.py")
    return broken


def layer_sources() -> dict[str, str]:
    sources = {}
    for path in sorted(LAYER.rglob("*.py")):
        parts = path.relative_to(LAYER.parent).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        sources[module] = path.read_text(encoding="utf-8")
    return sources


# --- the rules, on the code ---------------------------------------------------------------------------------------
def test_every_module_of_the_layer_has_a_folder():
    homeless = [m for m in layer_sources() if m != "carebird" and folder_of(m) == "unknown"]

    assert homeless == [], "add these to HOMES in tools/restructure.py"


def test_the_layer_imports_hold_the_arrows_one_way():
    broken = [rule for module, source in layer_sources().items() for rule in broken_rules(module, source)]

    assert broken == []


def test_no_function_imports_development_tooling():
    offenders = [
        f"{app.parent.name}: {name}"
        for app in FUNCTIONS.glob("*/app.py")
        for name in imports_of(app.read_text(encoding="utf-8"))
        if name.split(".")[0] in DEVELOPMENT_TOOLING
    ]

    assert offenders == []


# --- the table's layout, in one module ----------------------------------------------------------------------------
def schema_path() -> Path:
    return next(p for p in (LAYER / "aws" / "schema.py", LAYER / "table.py") if p.exists())


def key_prefixes() -> set[str]:
    """The prefixes the schema writes its keys with (`CASE#`, `MSGID#`...), read from its string literals."""
    prefixes = set()
    for node in ast.walk(ast.parse(schema_path().read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            prefixes |= set(re.findall(r"^([A-Z][A-Z0-9_]+#)", node.value))
    return prefixes


def literals_with_key_prefixes(source: str, prefixes: set[str]) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found += [node.value for prefix in prefixes if node.value.startswith(prefix)]
    return found


def test_the_schema_names_its_key_prefixes():
    assert {"CASE#", "MSGID#", "OPEN#", "OUTBOX#", "CURSOR#", "READS#"} <= key_prefixes()


def test_no_key_of_the_table_is_written_outside_the_schema_module():
    prefixes, schema = key_prefixes(), schema_path()
    shipped_or_run = [*LAYER.rglob("*.py"), *FUNCTIONS.rglob("*.py"), *(ROOT / "devtools").rglob("*.py")]
    shipped_or_run += [*(ROOT / "bench").rglob("*.py")]
    written = {
        f"{path.relative_to(ROOT)}: {literal!r}"
        for path in shipped_or_run
        if path != schema
        for literal in literals_with_key_prefixes(path.read_text(encoding="utf-8"), prefixes)
    }

    assert written == set(), "build keys with the schema's functions (carebird's table layout lives there only)"


# --- handlers -----------------------------------------------------------------------------------------------------
def handler_lines(path: Path) -> int:
    """Lines of code: the module docstring, blank lines and comments do not count."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstring = ast.get_docstring(tree, clean=False)
    lines = path.read_text(encoding="utf-8").splitlines()
    skip = len(docstring.splitlines()) if docstring else 0
    return sum(1 for line in lines[skip:] if line.strip() and not line.strip().startswith("#"))


@pytest.mark.parametrize("app", sorted(FUNCTIONS.glob("*/app.py")), ids=lambda p: p.parent.name)
def test_every_handler_is_a_few_lines_of_wiring(app: Path):
    assert handler_lines(app) <= HANDLER_LINE_LIMIT


# --- the rules catch what breaks them -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("carebird.domain.fake", "import boto3"),
        ("carebird.domain.fake", "from botocore.exceptions import ClientError"),
        ("carebird.domain.fake", "def f():\n    import tweepy"),
        ("carebird.domain.fake", "from carebird import settings"),
        ("carebird.domain.fake", "from carebird.settings import SLA_MINUTES"),
        ("carebird.domain.fake", "from carebird import clock"),
        ("carebird.domain.fake", "from carebird.aws.schema import case_key"),
        (FLAT + "sla", "from " + FLAT + "table import case_key"),  # a flat module, as a branch adds one
        ("carebird.domain.fake", "if TYPE_CHECKING:\n    from carebird.x import client"),
        ("carebird.domain.fake", "from carebird.app.ingest import apply_event"),
        ("carebird.domain.sla", "from carebird import settings"),
        ("carebird.aws.fake", "from carebird.app.ingest import ConcurrentUpdate"),
        ("carebird.x.fake", "from carebird.app.ingest import Known"),
        ("carebird.app.fake", "from carebird_local import local"),
        ("carebird.aws.fake", "from carebird.nowhere import thing"),
    ],
)
def test_a_module_breaking_a_rule_is_caught(module: str, source: str):
    assert broken_rules(module, source) != []


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("carebird.domain.fake", "from carebird.domain.cases import Case\nfrom carebird.errors import CarebirdError"),
        ("carebird.domain.fake", "from carebird.ports import Timers\nfrom carebird.domain.triage import TriageRules"),
        ("carebird.aws.fake", "import boto3\nfrom carebird.aws import schema\nfrom carebird.domain.cases import Case"),
        ("carebird.app.fake", "from carebird.aws.case_store import DynamoCaseStore\nfrom carebird import settings"),
    ],
)
def test_a_module_keeping_the_rules_passes(module: str, source: str):
    assert broken_rules(module, source) == []


def test_a_key_written_by_hand_is_caught():
    source = 'def key(feed):\n    return {"pk": f"CURSOR#{feed}", "sk": "CURSOR"}\n'

    assert literals_with_key_prefixes(source, key_prefixes()) == ["CURSOR#"]


def test_a_long_handler_is_counted_without_its_docstring_and_comments(tmp_path: Path):
    app = tmp_path / "app.py"
    app.write_text('"""Doc\n\nstring."""\n\n# comment\n' + "x = 1\n" * 31, encoding="utf-8")

    assert handler_lines(app) == 31


# --- one family of errors -----------------------------------------------------------------------------------------
def errors_outside_the_family(module: object, base: type) -> list[str]:
    return [
        f"{module.__name__}.{name}"  # type: ignore[attr-defined]
        for name, value in vars(module).items()
        if isinstance(value, type)
        and issubclass(value, BaseException)
        and value.__module__ == module.__name__  # type: ignore[attr-defined]
        and not issubclass(value, base)
    ]


def test_every_error_carebird_raises_derives_from_carebird_error():
    import importlib

    from carebird.errors import CarebirdError

    modules = [importlib.import_module(name) for name in layer_sources()]

    assert [e for module in modules for e in errors_outside_the_family(module, CarebirdError)] == []


def test_an_error_outside_the_family_is_caught():
    import types

    from carebird.errors import CarebirdError

    module = types.ModuleType("carebird.domain.fake")
    module.CarebirdError = CarebirdError
    exec("class Stray(ValueError):\n    pass\nclass Kept(CarebirdError, ValueError):\n    pass", module.__dict__)

    assert errors_outside_the_family(module, CarebirdError) == ["carebird.domain.fake.Stray"]
