"""An X credentials file (x.json) checked before any network call: its shape, and no value left as a placeholder.

Used by `carebird x --credentials FILE` and by `make preflight`; the message names the file and what is wrong.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from carebird.aws.secrets import CREDENTIAL_KEYS

EXAMPLE = "infra/x-credentials.example.json"


class CredentialsFileError(ValueError):
    """The file cannot be used; the message says which file, what is wrong and what would be right."""


def looks_like_placeholder(value: str) -> bool:
    """X's keys and tokens are single words of letters, digits and - _ % =; the example's values are sentences."""
    stripped = value.strip()
    return not stripped or any(c.isspace() for c in stripped) or stripped.startswith(("<", "YOUR", "your"))


def problems(document: Any) -> list[str]:
    """What is wrong with a credentials document, one phrase each (empty: usable)."""
    if not isinstance(document, dict):
        return [f"it holds a JSON {type(document).__name__}, not an object with {', '.join(CREDENTIAL_KEYS)}"]
    found = []
    missing = [key for key in CREDENTIAL_KEYS if key not in document]
    if missing:
        found.append(f"missing {', '.join(missing)}")
    for key in CREDENTIAL_KEYS:
        value = document.get(key)
        if key in document and not isinstance(value, str):
            found.append(f"{key} must be a string")
        elif isinstance(value, str) and looks_like_placeholder(value):
            found.append(f"{key} is still a placeholder ({value[:40]!r})")
    return found


def read_credentials_file(path: Path) -> dict[str, str]:
    """The credentials in `path`, or CredentialsFileError naming the file and each problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CredentialsFileError(f"{path}: cannot be read ({exc})") from exc
    try:
        document = json.loads(text)
    except ValueError as exc:
        what = "is empty" if not text.strip() else f"is not valid JSON ({exc})"
        raise CredentialsFileError(f"{path} {what}: copy {EXAMPLE} and fill in every value") from exc
    found = problems(document)
    if found:
        raise CredentialsFileError(f"{path}: {'; '.join(found)} (fill in every value from the X developer console)")
    return {key: document[key] for key in document}
