"""carebird.settings forwards the other functions' views (carebird.settings_views) through its module __getattr__:
the type checker must still see every name, and refuse a misspelt one, as it did before the views moved."""

from pathlib import Path

import pytest

api = pytest.importorskip("mypy.api", reason="the type checker lives in the lint environment (make lint)")

ROOT = Path(__file__).resolve().parents[2]


def checked(source: str, tmp_path: Path) -> tuple[str, int]:
    probe = tmp_path / "probe.py"
    probe.write_text(source)
    out, err, status = api.run(["--config-file", str(ROOT / "pyproject.toml"), "--no-incremental", str(probe)])
    return out + err, status


def test_a_misspelt_settings_name_is_a_type_error_and_a_forwarded_view_keeps_its_type(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    source = "from carebird import settings\n\nview = settings.dispatchr()\n"
    source += "minutes: str = settings.dispatcher().policy\n"

    report, status = checked(source, tmp_path)

    assert status == 1
    assert 'Module has no attribute "dispatchr"' in report
    assert 'Incompatible types in assignment (expression has type "SlaPolicy"' in report
