"""Every rule's documented *Example* fires the rule and its *Use instead* does not, run through the CLI.

A block's info string may carry `cinebrief lint` options after the language (```` ```text --seconds 8 ````).
A ``text`` block is prompt text (``--text``). A ``yaml`` block is a brief; when it has no ``shots``, the keys
that are not brief fields are the fields of its one shot (``seconds: "4"`` and ``dialogue:`` make one shot).
"""

from __future__ import annotations

import io
import json
import re
import shlex
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from cinebrief.brief import Brief
from cinebrief.cli.lint_run import run
from cinebrief.lint.registry import Rule, load_rules

_BLOCK = re.compile(r"```(?P<info>[^\n]*)\n(?P<body>.*?)```", re.DOTALL)


def _blocks(rule: Rule, title: str) -> list[tuple[str, list[str], str]]:
    found = []
    for match in _BLOCK.finditer(rule.section(title)):
        language, *options = shlex.split(match["info"])
        found.append((language, options, match["body"]))
    return found


def _brief_file(body: str, folder: Path) -> Path:
    yaml = YAML(typ="safe")
    data = yaml.load(body) or {}
    if "shots" not in data:
        top = {key: value for key, value in data.items() if key in Brief.model_fields}
        shot = {key: value for key, value in data.items() if key not in Brief.model_fields}
        data = {**top, "shots": [{"id": "shot-1", **shot}]}
    path = folder / "example.yaml"
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump({"schema": "cinebrief.brief/1", **data}, handle)
    return path


def _fires(rule: Rule, language: str, options: list[str], body: str, folder: Path) -> bool:
    source = ["--text", body] if language == "text" else [str(_brief_file(body, folder))]
    out = io.StringIO()
    run([*source, *options, "--select", rule.code, "--preview", "--format", "json"], stdout=out)
    return any(item["code"] == rule.code for item in json.loads(out.getvalue())["diagnostics"])


# Rules whose input cannot be written in a block: a prompt over 32,000 characters, and image files. Their
# behaviour is covered by tests/lint_cases/.
NOT_RUNNABLE = {"API004": "a prompt over 32,000 characters", "MD001": "an image file", "MD002": "an image file"}
RULES = sorted((rule for rule in load_rules().values() if rule.code not in NOT_RUNNABLE), key=lambda rule: rule.code)


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_example_fires_and_use_instead_does_not(rule: Rule, tmp_path: Path) -> None:
    examples, fixes = _blocks(rule, "Example"), _blocks(rule, "Use instead")
    assert examples and fixes, f"{rule.code}: the docs need an Example and a Use instead block"
    for language, options, body in examples:
        assert language in ("text", "yaml"), f"{rule.code}: blocks are text or yaml"
        assert _fires(rule, language, options, body, tmp_path), f"{rule.code}: the Example does not fire\n{body}"
    for language, options, body in fixes:
        assert language in ("text", "yaml"), f"{rule.code}: blocks are text or yaml"
        assert not _fires(rule, language, options, body, tmp_path), f"{rule.code}: the Use instead fires\n{body}"
