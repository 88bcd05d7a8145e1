"""One YAML file of pass, fail and fix cases per lint rule (tests/lint_cases/CODE-name.yaml), one test.

A case has `text:` (a prompt) or `brief:` (a YAML brief), optional `options:` (mode, model, size, seconds,
remix_of, input_reference), optional `files:` (images to create beside the brief: {name: {format, size}}),
and `expect: pass | fail | fix`. A fail case may pin `count:` and `message:` (a substring); a fix case
gives `fixed:`, the brief after `cinebrief lint --fix`, which must no longer get the finding.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

import cinebrief
from cinebrief.lint.registry import load_rules

CASES = Path(__file__).parent / "lint_cases"


def _load(path: Path) -> dict[str, Any]:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def _cases() -> list[Any]:
    params = []
    for path in sorted(CASES.glob("*.yaml")):
        data = _load(path)
        for case in data["cases"]:
            params.append(pytest.param(data["rule"], case, id=f"{path.stem}:{case['name']}"))
    return params


def _make_files(folder: Path, files: dict[str, Any]) -> None:
    from PIL import Image

    for name, spec in (files or {}).items():
        target = folder / name
        if spec.get("bytes") is not None:
            target.write_bytes(spec["bytes"].encode("latin-1"))
            continue
        width, height = (int(v) for v in spec["size"].split("x"))
        Image.new("RGB", (width, height), (40, 80, 120)).save(target, format=spec["format"].upper())


def _lint(rule: str, case: dict[str, Any], tmp_path: Path) -> list[Any]:
    options = dict(case.get("options") or {})
    _make_files(tmp_path, case.get("files") or {})
    if "brief" in case:
        path = tmp_path / "brief.yaml"
        brief = case["brief"].replace("{repeat}", "Neon signs reflect in puddles. " * case.get("repeat_field", 0))
        path.write_text(brief, encoding="utf-8")
        return cinebrief.lint(path, select=[rule], preview=True, **options)
    if options.get("input_reference"):
        options["input_reference"] = str(tmp_path / options["input_reference"])
    return cinebrief.lint(case["text"] * case.get("repeat", 1), select=[rule], preview=True, **options)


def test_every_rule_has_a_case_file_with_pass_and_fail_cases() -> None:
    files = {_load(path)["rule"]: _load(path) for path in CASES.glob("*.yaml")}
    for code, rule in load_rules().items():
        assert code in files, f"no case file for {code} {rule.name}"
        kinds = {case["expect"] for case in files[code]["cases"]}
        assert {"pass", "fail"} <= kinds, f"{code} needs pass and fail cases"
        if rule.fix == "safe":
            assert "fix" in kinds, f"{code} has a safe fix and needs a fix case"


@pytest.mark.parametrize(("rule", "case"), _cases())
def test_case(rule: str, case: dict[str, Any], tmp_path: Path, cli) -> None:
    found = _lint(rule, case, tmp_path)
    codes = [d.code for d in found]
    if case["expect"] == "pass":
        assert codes == [], [d.message for d in found]
        return
    assert codes, f"{rule} did not fire"
    assert set(codes) == {rule}
    if "count" in case:
        assert len(codes) == case["count"], [d.message for d in found]
    if "message" in case:
        assert any(case["message"] in d.message for d in found), [d.message for d in found]
    if case["expect"] == "fix":
        path = tmp_path / "brief.yaml"
        cli("lint", "--fix", "--select", rule, "--preview", str(path))
        assert path.read_text(encoding="utf-8") == case["fixed"]
        assert not cinebrief.lint(path, select=[rule], preview=True)
