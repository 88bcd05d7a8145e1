"""The layers of docs/architecture.md hold: every import of ours (top level or inside a function) points
down, never up.

    cli/ server/  >  workflows/  >  jobs/  >  backends/  >  media/  >  lint/  >  prompts/  >  brief/  >  contract/

`cinebrief.errors` and the package root `cinebrief` are the shared base every layer may use. `contract/`
imports nothing of ours but `cinebrief.errors`; `brief/` imports `contract/` too (its seconds are the
contract's). Modules at the package root take the place listed in ROOT_MODULES; a new one must be placed
there on purpose.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "cinebrief"

BASE = 0  # cinebrief, cinebrief.errors
LAYERS = {
    "contract": 1,
    "brief": 1.2,
    "prompts": 2,
    "lint": 3,
    "media": 4,
    "backends": 5,
    "jobs": 6,
    "workflows": 7,
    "cli": 8,
    "server": 8,
}
ROOT_MODULES = {
    "__init__": BASE,
    "errors": BASE,
    "process": BASE,  # start-up and memory settings of a process, for the entry points and the backends
    "settings": 1.5,  # reads cinebrief.toml; stands on the contract, used by the layers above it
    "served_models": 5.5,  # just above backends: builds them from settings to read their capabilities
    "__main__": 9,  # entry points: above everything
    "demo": 9,
}
BOTTOM = ("contract",)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> list[tuple[str, Path]]:
    return sorted((module_name(path), path) for path in PACKAGE.rglob("*.py"))


def rank(module: str) -> float:
    parts = module.split(".")
    if len(parts) == 1:
        return BASE
    if parts[1] in LAYERS:
        return LAYERS[parts[1]]
    if parts[1] in ROOT_MODULES:
        return ROOT_MODULES[parts[1]]
    raise AssertionError(
        f"{module} has no layer: place it in a layer package, or give it a rank in ROOT_MODULES with a reason"
    )


def imports_of(module: str, path: Path) -> list[tuple[str, int]]:
    """Every `cinebrief...` module imported anywhere in the file, with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((target, node.lineno))
            # `from cinebrief import prompts` imports the subpackage.
            if target == "cinebrief":
                found.extend((f"{target}.{alias.name}", node.lineno) for alias in node.names if is_module(alias.name))
    return [(name, line) for name, line in found if name == "cinebrief" or name.startswith("cinebrief.")]


def is_module(name: str) -> bool:
    return (PACKAGE / name).is_dir() or (PACKAGE / f"{name}.py").is_file()


def layer_of(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else ""


MODULES = modules()


def test_every_module_has_a_layer() -> None:
    for module, _ in MODULES:
        rank(module)


def upward_imports(module: str, path: Path) -> list[str]:
    own_layer, own_rank = layer_of(module), rank(module)
    upward = []
    for imported, line in imports_of(module, path):
        target_layer = layer_of(imported)
        if imported == "cinebrief" or target_layer in ("errors", "") or target_layer == own_layer:
            continue
        if own_layer in BOTTOM:
            upward.append(f"line {line}: {imported} ({own_layer}/ may import only cinebrief.errors)")
        elif own_layer == "brief" and target_layer != "contract":
            upward.append(f"line {line}: {imported} (brief/ may import only contract/ and cinebrief.errors)")
        elif rank(imported) >= own_rank and not (own_rank == 8 and rank(imported) == 8):
            upward.append(f"line {line}: {imported} is not below {own_layer or module}")
    return upward


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[module for module, _ in MODULES])
def test_imports_point_down(module: str, path: Path) -> None:
    upward = upward_imports(module, path)
    assert not upward, f"{path.relative_to(PACKAGE.parent)} imports upward:\n" + "\n".join(upward)


def test_the_check_sees_relative_and_lazy_imports(tmp_path: Path) -> None:
    sample = tmp_path / "cinebrief" / "prompts" / "sample.py"
    sample.parent.mkdir(parents=True)
    sample.write_text("from ..lint import rules\n\ndef f():\n    import cinebrief.jobs.store\n", encoding="utf-8")
    found = imports_of("cinebrief.prompts.sample", sample)
    assert found == [("cinebrief.lint", 1), ("cinebrief.jobs.store", 4)]


def test_the_check_flags_upward_and_sideways_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from cinebrief.lint import rules\nfrom cinebrief.errors import InputError\n", encoding="utf-8")
    assert upward_imports("cinebrief.prompts.sample", sample) == ["line 1: cinebrief.lint is not below prompts"]
    sample.write_text("from cinebrief.brief import Brief\n", encoding="utf-8")
    assert upward_imports("cinebrief.contract.sample", sample) == [
        "line 1: cinebrief.brief (contract/ may import only cinebrief.errors)"
    ]
    sample.write_text("from cinebrief.contract import DEFAULTS\n", encoding="utf-8")
    assert upward_imports("cinebrief.brief.sample", sample) == []
    assert upward_imports("cinebrief.prompts.sample", sample) == []
    sample.write_text("from cinebrief.settings import load_settings\n", encoding="utf-8")
    assert upward_imports("cinebrief.brief.sample", sample) == [
        "line 1: cinebrief.settings (brief/ may import only contract/ and cinebrief.errors)"
    ]
