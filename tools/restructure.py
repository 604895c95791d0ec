"""Move the layer's flat modules into layers as folders (domain/, x/, aws/, app/) and rewrite every reference.

    python tools/restructure.py            # report what it would do (nothing is changed)
    python tools/restructure.py --apply    # git mv + rewrite the repository, then ruff sorts the imports

Idempotent: a module already in its folder is left alone and the rewrites match only the flat names, so a second
run changes nothing. A module the mapping does not know (one added since) stops the run before anything moves,
with a suggested home: add it to HOMES (or pass --accept-suggestions to take the suggestions as they are).

What is rewritten, in every tracked text file but the fixtures and this tool:
- `from carebird import table, clock` → `from carebird.aws import schema as table` + `from carebird import clock`
  (the local name is kept, so the code reading it does not change; ruff then sorts the imports);
- dotted names anywhere: imports, `mock.patch("carebird.store.x")`, importlib strings, prose (`carebird.table` →
  `carebird.aws.schema`);
- paths: `carebird/table.py` → `carebird/aws/schema.py`, `carebird/inboxweb/` → `carebird/app/inboxweb/`.
Prose that names a module bare (`store`, `table`) is for a person to update: the tool lists the docs to read.
"""

from __future__ import annotations

import argparse
import ast
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "layers" / "carebird" / "carebird"

# What each folder holds; the import rule (tests/unit/test_architecture.py) holds the arrows one way.
FOLDERS = {
    "domain": "The rules, on plain values: cases, triage and its cues, calendar, SLA policy, KPIs, desk rules, "
    "outages, announcement and reply texts, X's automation rules and prices. No AWS, no X client, no settings, "
    "no storage schema; time is passed in.",
    "x": "X's side: payload parsing (both feeds, both field dialects), signature, the X clients, OAuth 2.0 tokens, "
    "subscriptions, batch compliance. Adapters: they import the domain, never a use case.",
    "aws": "AWS's side: the table's schema (the only place keys and attribute names are written), the case writer and "
    "reader, outbox, cursors, timers, secrets, metrics, tracing, the boto3 clients. Adapters: they import the domain, "
    "never a use case.",
    "app": "Use cases: they wire the domain to the ports. Ingest, webhook, polling and watch, answering and the "
    "agents' desk (inbox and CLI alike), automation and announcing, escalation, compliance, health, digest, "
    "KPI counting, the table's stream records, the inbox's views and Routers.",
}

# Stays at the top of the package: what every layer may import.
TOP_LEVEL = {"settings", "ports", "errors", "observability", "clock"}

# Flat module (or subpackage) → its home, as a dotted path under carebird. Extend it when a module is added.
HOMES = {
    # domain: the rules
    "model": "domain.model",
    "cases": "domain.cases",
    "triage": "domain.triage",
    "cues": "domain.cues",
    "reading": "domain.reading",  # the learned triage reading (branch i24m), pure Python
    "triage_weights": "domain.triage_weights",  # its generated weights (tools/train_triage.py writes them)
    "language": "domain.language",
    "calendar": "domain.calendar",
    "timeparse": "domain.timeparse",
    "textlength": "domain.textlength",  # X's weighted length is a rule the reply coach applies: pure, no client
    "sla": "domain.sla",
    "kpi": "domain.kpi",
    "desk": "domain.desk",
    "announcements": "domain.announcements",
    "replies": "domain.replies",
    "xrules": "domain.xrules",
    "xbill": "domain.xbill",
    "outages": "domain.outages",  # reports counted per service and window, through the CaseStore port
    # x: the outside world of X
    "normalise": "x.normalise",
    "signature": "x.signature",
    "xclient": "x.client",
    "xadmin": "x.admin",
    "xfactory": "x.factory",
    "oauth2": "x.oauth2",
    "xsubscriptions": "x.subscriptions",
    "xcompliance": "x.compliance",
    # aws: the outside world of AWS
    "table": "aws.schema",
    "store": "aws.case_store",
    "memory": "aws.memory",
    "outbox": "aws.outbox",
    "cursors": "aws.cursors",
    "timers": "aws.timers",
    "secrets": "aws.secrets",
    "sdk": "aws.sdk",
    "metrics": "aws.metrics",
    "tracing": "aws.tracing",
    "pause": "aws.pause",
    "outage_store": "aws.outage_store",
    "escalation_ledger": "aws.escalation_ledger",
    "teamstore": "aws.teamstore",
    "usage": "aws.usage",
    # app: the use cases
    "ingest": "app.ingest",
    "webhook": "app.webhook",
    "polling": "app.polling",
    "watch": "app.watch",
    "answering": "app.answering",
    "automation": "app.automation",
    "health": "app.health",
    "inbox": "app.inbox",
    "agentdesk": "app.agentdesk",
    "compliance": "app.compliance",
    "escalation": "app.escalation",
    "kpi_counting": "app.kpi_counting",
    "streams": "app.streams",
    "announcing": "app.announcing",
    "digest": "app.digest",
    "inboxweb": "app.inboxweb",
}

SKIPPED_PATHS = ("tests/fixtures/", "tools/restructure.py")
TEXT_SUFFIXES = {".py", ".md", ".toml", ".yaml", ".yml", ".json", ".txt", ".cfg", ".ini", ".js", ".html", ""}


# --- what is there ----------------------------------------------------------------------------------------------
def flat_modules(package: Path = PACKAGE) -> dict[str, Path]:
    """The package's top-level modules and subpackages by name (folders of this restructure excluded)."""
    found: dict[str, Path] = {}
    for path in sorted(package.iterdir()):
        if path.suffix == ".py" and path.stem != "__init__":
            found[path.stem] = path
        elif path.is_dir() and (path / "__init__.py").exists() and path.name not in FOLDERS:
            found[path.name] = path
    return found


def suggested_home(path: Path) -> str:
    """Where an unknown module probably belongs, from what it imports."""
    source = (path / "__init__.py" if path.is_dir() else path).read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    roots = {name.split(".")[0] for name in imported}
    carebird = {name.split(".")[1] for name in imported if name.startswith("carebird.")}
    name = path.stem
    if roots & {"boto3", "botocore"} or carebird & {"sdk", "table", "store"}:
        return f"aws.{name}"
    if roots & {"tweepy", "requests", "requests_oauthlib"} or name.startswith("x") or carebird & {"xclient", "xadmin"}:
        return f"x.{name.removeprefix('x') or name}"
    if carebird & {"ports", "ingest", "settings", "answering", "agentdesk", "automation"}:
        return f"app.{name}"
    return f"domain.{name}"


def plan(package: Path = PACKAGE) -> tuple[dict[str, str], dict[str, str]]:
    """(moves to make: name → home, unknown modules: name → suggested home)."""
    moves, unknown = {}, {}
    for name, path in flat_modules(package).items():
        if name in TOP_LEVEL:
            continue
        if name in HOMES:
            moves[name] = HOMES[name]
        else:
            unknown[name] = suggested_home(path)
    return moves, unknown


# --- rewriting references ---------------------------------------------------------------------------------------
FROM_CAREBIRD_IMPORT = re.compile(
    r"^(?P<indent>[ \t]*)from carebird import (?P<names>\([^)]*\)|[^\n#]*?)(?P<comment>[ \t]*#[^\n]*)?$", re.MULTILINE
)


def rewrite_from_imports(text: str, homes: dict[str, str]) -> str:
    """`from carebird import a, b` → one statement per package, local names kept."""

    def replace(match: re.Match[str]) -> str:
        indent, comment = match["indent"], match["comment"] or ""
        names = [n.strip() for n in match["names"].strip("()").replace("\n", " ").split(",") if n.strip()]
        names = [re.sub(r"\s+", " ", n) for n in names]
        if not any(n.split(" as ")[0] in homes for n in names):
            return match[0]
        groups: dict[str, list[str]] = {}
        for entry in names:
            name, _, alias = entry.partition(" as ")
            if name not in homes:
                groups.setdefault("carebird", []).append(entry)
                continue
            package, _, new_name = f"carebird.{homes[name]}".rpartition(".")
            local = alias or name
            groups.setdefault(package, []).append(new_name if new_name == local else f"{new_name} as {local}")
        lines = [f"{indent}from {package} import {', '.join(entries)}" for package, entries in groups.items()]
        lines[0] += comment
        return "\n".join(lines)

    return FROM_CAREBIRD_IMPORT.sub(replace, text)


def rewrite_dotted(text: str, homes: dict[str, str]) -> str:
    """`carebird.table` → `carebird.aws.schema` wherever it is written (code, strings, prose)."""
    if not homes:
        return text
    names = "|".join(sorted(map(re.escape, homes), key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w.])carebird\.({names})(?![\w])")
    return pattern.sub(lambda m: f"carebird.{homes[m[1]]}", text)


def rewrite_paths(text: str, homes: dict[str, str]) -> str:
    """`carebird/table.py` → `carebird/aws/schema.py`; `carebird/inboxweb/` → `carebird/app/inboxweb/`."""
    if not homes:
        return text
    names = "|".join(sorted(map(re.escape, homes), key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w])carebird/({names})(\.py|/)")
    return pattern.sub(lambda m: f"carebird/{homes[m[1]].replace('.', '/')}{m[2]}", text)


def rewrite(text: str, homes: dict[str, str], python: bool) -> str:
    if python:
        text = rewrite_from_imports(text, homes)
    return rewrite_paths(rewrite_dotted(text, homes), homes)


def tracked_text_files(root: Path = ROOT) -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True, text=True).stdout
    files = []
    for relative in filter(None, listed.split("\0")):
        if relative.startswith(SKIPPED_PATHS):
            continue
        path = root / relative
        if path.is_file() and (path.suffix in TEXT_SUFFIXES or path.name in ("Makefile", "README")):
            files.append(path)
    return files


# --- moving -----------------------------------------------------------------------------------------------------
def move(name: str, home: str, package: Path, root: Path) -> Path:
    source = package / name if (package / name).is_dir() else package / f"{name}.py"
    target = package / Path(*home.split("."))
    target = target if source.is_dir() else target.with_suffix(".py")
    target.parent.mkdir(parents=True, exist_ok=True)
    folder_init = package / home.split(".")[0] / "__init__.py"
    if not folder_init.exists():
        text = textwrap.fill(FOLDERS[home.split(".")[0]], 114, initial_indent='"""', subsequent_indent="")
        folder_init.write_text(f'{text}"""\n', encoding="utf-8")
        subprocess.run(["git", "add", str(folder_init)], cwd=root, check=True)
    subprocess.run(["git", "mv", str(source), str(target)], cwd=root, check=True)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--apply", action="store_true", help="move and rewrite (default: only report)")
    parser.add_argument("--accept-suggestions", action="store_true", help="move unknown modules to suggested homes")
    parser.add_argument("--no-ruff", action="store_true", help="do not sort imports and format afterwards")
    args = parser.parse_args(argv)

    moves, unknown = plan()
    if unknown:
        print("restructure: modules the mapping does not know (add them to HOMES in tools/restructure.py):")
        for name, home in sorted(unknown.items()):
            print(f"  UNKNOWN {name}: suggested home carebird.{home}")
        if not args.accept_suggestions:
            print("restructure: nothing moved.", file=sys.stderr)
            return 2
        moves |= unknown
    homes = HOMES | moves
    missing = sorted(
        n
        for n in HOMES
        if n not in moves
        and not (PACKAGE / Path(*HOMES[n].split("."))).exists()
        and not (PACKAGE / Path(*HOMES[n].split("."))).with_suffix(".py").exists()
    )
    for name in missing:
        print(f"restructure: note: {name} is in HOMES but neither in the package nor at its home (removed?)")
    for name, home in sorted(moves.items()):
        print(f"  {'move' if args.apply else 'would move'} carebird.{name} → carebird.{home}")

    changed: list[Path] = []
    for path in tracked_text_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        new = rewrite(text, homes, path.suffix == ".py")
        if new != text:
            changed.append(path)
            if args.apply:
                path.write_text(new, encoding="utf-8")
    print(f"restructure: {len(changed)} files {'rewritten' if args.apply else 'would be rewritten'}")
    if not args.apply:
        for path in changed:
            print(f"  {path.relative_to(ROOT)}")
        return 0
    for name, home in sorted(moves.items()):
        move(name, home, PACKAGE, ROOT)
    python = [str(p) for p in changed if p.suffix == ".py" and p.exists()]
    python += [str(p) for p in PACKAGE.rglob("*.py")]
    ruff = shutil.which("ruff", path=str(ROOT / ".venv" / "bin")) or shutil.which("ruff")
    if python and not args.no_ruff and ruff:
        subprocess.run([ruff, "check", "--quiet", "--fix", "--select", "I", *sorted(set(python))], cwd=ROOT)
        subprocess.run([ruff, "format", "--quiet", *sorted(set(python))], cwd=ROOT)
        # Longer dotted names can push a docstring or comment over the line length: a person rewraps those.
        subprocess.run([ruff, "check", "--quiet", "--select", "E501", *sorted(set(python))], cwd=ROOT)
    elif python and not args.no_ruff:
        print("restructure: ruff not found: sort the imports with `make format`", file=sys.stderr)
    docs = sorted({str(p.relative_to(ROOT)) for p in changed if p.suffix == ".md"} | {"README.md"})
    print("restructure: done. Read the prose that names modules bare:", ", ".join(docs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
