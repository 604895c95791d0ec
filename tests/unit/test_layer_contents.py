"""The layer ships what the Lambda functions import, and nothing else."""

from pathlib import Path

from tests.helpers import imports_of

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "layers" / "carebird" / "carebird"
FUNCTIONS = ROOT / "functions"
DEVELOPMENT_ONLY = ("click", "moto", "yaml", "carebird_local", "pytest", "responses")


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at any depth of the file (lazy imports included)."""
    return imports_of(path.read_text())


def layer_modules() -> dict[str, Path]:
    """Every module of the layer by dotted name, in its folder (carebird.domain.cases) or still flat."""
    modules = {}
    for path in LAYER.rglob("*.py"):
        parts = path.relative_to(LAYER.parent).with_suffix("").parts
        if parts[-1] != "__init__":
            modules[".".join(parts)] = path
    return modules


def layer_modules_reached_by_functions() -> set[str]:
    shipped = layer_modules()
    pending = set().union(*(imported_modules(app) for app in FUNCTIONS.glob("*/app.py")))
    reached: set[str] = set()
    while pending:
        name = pending.pop()
        if name in shipped and name not in reached:
            reached.add(name)
            pending |= imported_modules(shipped[name])
    return reached


def test_every_module_of_the_layer_is_imported_by_a_function():
    shipped = set(layer_modules())

    assert shipped - layer_modules_reached_by_functions() == set()


def test_nothing_in_the_layer_imports_development_tooling():
    offenders = {
        f"{path.name}: {name}"
        for path in LAYER.rglob("*.py")
        for name in imported_modules(path)
        if name.split(".")[0] in DEVELOPMENT_ONLY
    }

    assert offenders == set()


def test_dependencies_are_declared_once_in_pyproject_and_pinned_once_for_the_layer():
    root = LAYER.parents[2]
    listed = sorted(
        str(p.relative_to(root))
        for p in root.rglob("requirements*.txt")
        if not any(part.startswith(".") for part in p.relative_to(root).parts)
    )
    assert listed == ["layers/carebird/requirements.txt"]  # generated from pyproject.toml by `make lock`
