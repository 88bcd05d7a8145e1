"""Settings come from defaults, cinebrief.toml, CINEBRIEF_* variables and overrides, in that order."""

from __future__ import annotations

from pathlib import Path

import pytest

from cinebrief.contract import OFFICIAL_MODELS
from cinebrief.errors import ConfigError
from cinebrief.settings import load_settings


def test_defaults_route_every_official_model_to_previz(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(environ={})
    assert settings.server.host == "127.0.0.1"
    assert settings.server.port == 8000
    assert settings.server.retention_seconds == 3600
    assert settings.server.data_dir == tmp_path / ".cinebrief"
    assert settings.server.resolved_database_url == f"sqlite:///{tmp_path / '.cinebrief' / 'cinebrief.db'}"
    assert {name: model.backend for name, model in settings.models.items()} == dict.fromkeys(OFFICIAL_MODELS, "previz")
    assert settings.concurrency_for("previz") == 1
    assert (settings.isolation_for("previz"), settings.isolation_for("remote")) == ("process", "thread")
    assert not settings.webhooks.enabled


def test_file_then_environment_then_overrides(tmp_path: Path) -> None:
    config = tmp_path / "conf" / "cinebrief.toml"
    config.parent.mkdir()
    config.write_text(
        """
[server]
port = 9001
api_keys = ["from-file"]
data_dir = "state"
profile = "extended"

[models.sora-2]
backend = "remote"
base_url = "http://127.0.0.1:9/v1"
api_key = "upstream"

[models.wan-small]
backend = "diffusers"
path = "/models/wan"

[backends.previz]
concurrency = 3

[webhooks]
url = "http://127.0.0.1:9/hook"
secret = "whsec_c2VjcmV0"
"""
    )
    environ = {"CINEBRIEF_CONFIG": str(config), "CINEBRIEF_API_KEYS": "a, b,,", "CINEBRIEF_PORT": "9002"}
    settings = load_settings(environ=environ, overrides={"server": {"port": 9003, "host": None}})
    assert settings.config_path == config
    assert settings.server.port == 9003
    assert settings.server.api_keys == ["a", "b"]
    assert settings.server.data_dir == (config.parent / "state").resolve()
    assert settings.server.profile == "extended"
    assert settings.models["sora-2"].backend == "remote"
    assert settings.models["sora-2"].backend_settings == {"base_url": "http://127.0.0.1:9/v1", "api_key": "upstream"}
    assert settings.models["wan-small"].backend_settings == {"path": "/models/wan"}
    assert settings.models["sora-2-pro"].backend == "previz"  # defaults stay
    assert settings.backend_for("previz").concurrency == 3
    assert settings.webhooks.enabled


def test_mistakes_name_the_file_and_the_field(tmp_path: Path) -> None:
    config = tmp_path / "cinebrief.toml"
    config.write_text("[server]\nport = 'eighty'\n")
    with pytest.raises(ConfigError, match=r"cinebrief.toml: 'server.port': .*'eighty'"):
        load_settings(config, environ={})
    config.write_text("[server]\ncolour = 'blue'\n")
    with pytest.raises(ConfigError, match=r"'server.colour'"):
        load_settings(config, environ={})
    config.write_text("[server\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(config, environ={})
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "missing.toml", environ={})


def test_a_backends_section_that_applies_to_no_model_is_refused(tmp_path: Path) -> None:
    """`[backends.previs]` (a typo) would be dropped: every model would keep the default concurrency."""
    config = tmp_path / "cinebrief.toml"
    config.write_text("[backends.previs]\nconcurrency = 4\n")
    with pytest.raises(ConfigError) as refused:
        load_settings(config, environ={})
    assert str(refused.value) == (
        f"{config}: [backends.previs] applies to no model: no model uses a backend named 'previs'. "
        "The models' backends: previz."
    )
    config.write_text("[backends.previz]\nconcurrency = 4\n")
    assert load_settings(config, environ={}).concurrency_for("previz") == 4


def test_webhooks_need_a_secret(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"webhooks\.secret is not"):
        load_settings(environ={"CINEBRIEF_WEBHOOK_URL": "http://127.0.0.1:9/hook"})


def test_admin_keys_and_the_queue_limit_from_the_environment(tmp_path: Path) -> None:
    environ = {"CINEBRIEF_ADMIN_KEYS": "root-1, ,root-2", "CINEBRIEF_MAX_QUEUED_PER_KEY": "25"}
    server = load_settings(environ=environ).server
    assert server.admin_keys == ["root-1", "root-2"] and server.max_queued_per_key == 25
    assert server.all_keys == ["root-1", "root-2"]  # admin keys alone turn authentication on
    assert load_settings(environ={}).server.max_queued_per_key == 0  # no limit by default
    with pytest.raises(ConfigError, match="max_queued_per_key"):
        load_settings(environ={"CINEBRIEF_MAX_QUEUED_PER_KEY": "-1"})


def test_ray_placement_defaults_and_keys_that_need_the_ray_executor() -> None:
    models = {"wan": {"backend": "diffusers", "path": "/models/wan", "workers": 2}, "sketch": {"backend": "previz"}}
    settings = load_settings(environ={"CINEBRIEF_EXECUTOR": "ray"}, overrides={"models": models})
    assert settings.models["wan"].placement == (2, 1.0, 1.0)  # a GPU backend takes one GPU per worker
    assert settings.models["sketch"].placement == (1, 0.0, 1.0)
    assert "workers" not in settings.models["wan"].backend_settings  # placement is not a backend setting
    with pytest.raises(ConfigError, match=r"models\.wan\.workers places workers on the Ray executor.*'local'"):
        load_settings(environ={}, overrides={"models": models})
