"""Contract facts are written once, in `contract/`; everything else imports them."""

from __future__ import annotations

import re
from pathlib import Path

import cinebrief

SRC = Path(cinebrief.__file__).parent


def written_in(pattern: str) -> set[str]:
    found = re.compile(pattern, re.MULTILINE)
    return {str(path.relative_to(SRC)) for path in SRC.rglob("*.py") if found.search(path.read_text())}


def test_contract_facts_are_written_once() -> None:
    assert written_in(r"^MIME_TYPES = ") == {"contract/reference.py"}
    assert written_in(r'"4", "8", "12"') == {"contract/profile.py"}  # the brief schema imports them
    assert written_in(r"Supported values are: \{quote_list\(self\.model_names\)\}") == set()
    assert written_in(r'"720x1280"\) or "720x1280"') == set()
