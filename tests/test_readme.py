"""The README's examples are real: its settings file loads, and its quick start is the two make targets."""

from __future__ import annotations

import re
from pathlib import Path

from cinebrief.backends.registry import model_backend
from cinebrief.settings import load_settings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_quick_start_is_the_two_commands() -> None:
    text = README.read_text()
    quick_start = text.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = [line.split("#")[0].strip() for line in quick_start.splitlines() if line.startswith("make ")]
    assert commands == ["make demo", "make test"]


def test_settings_example_loads(tmp_path: Path) -> None:
    block = re.search(r"```toml\n(.*?)```", README.read_text(), re.S)
    assert block is not None
    config = tmp_path / "cinebrief.toml"
    config.write_text(block.group(1))
    settings = load_settings(config=config, environ={})
    assert settings.server.api_keys == ["sk-local-1"]
    assert settings.models["wan-ti2v"].backend == "diffusers"
    assert settings.models["upstream-sora"].backend == "remote"
    assert settings.models["sora-2"].backend == "previz"
    assert settings.backends["previz"].concurrency == 2
    for name, model in settings.models.items():  # every backend takes the settings the example gives it
        model_backend(name, model.backend, model.backend_settings)
