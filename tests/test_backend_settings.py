"""A model's backend settings (`[models.NAME]` keys in cinebrief.toml) are applied, or refused by name.

Each backend takes its own settings; a key it does not know, or a value it cannot use, is a ConfigError that
names the model, the key and what is allowed: exit code 2 from `generate` and from `serve` (before it
listens), never a setting silently dropped.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import av
import openai
import pytest

from cinebrief.backends.registry import create_backend
from cinebrief.errors import BackendUnavailableError, ConfigError
from server_harness import ServerThread

SMALL = ("--size", "128x72", "--seconds", "4")


def _config(tmp_path: Path, body: str, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "cinebrief.toml").write_text(body)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CINEBRIEF_CONFIG", raising=False)


def _x264_options(path: Path) -> str:
    """The option line x264 writes into the stream (an SEI message), e.g. `... rc=cqp ... qp=30 ...`."""
    data = path.read_bytes()
    start = data.index(b"x264 - core")
    return data[start : data.index(b"\x00", start)].decode("ascii", "replace")


def test_previz_encoder_settings_from_the_settings_file_are_applied(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _config(
        tmp_path,
        '[models.fixed-q]\nbackend = "previz"\nqp = 30\n\n'
        '[models.by-crf]\nbackend = "previz"\ncrf = 28\npreset = "veryfast"\n',
        monkeypatch,
    )
    for model in ("fixed-q", "by-crf"):
        result = cli("generate", "A kite over a ridge", "--model", model, *SMALL, "-o", tmp_path / f"{model}.mp4")
        assert result.exit_code == 0, result.stderr
    fixed, by_crf = _x264_options(tmp_path / "fixed-q.mp4"), _x264_options(tmp_path / "by-crf.mp4")
    assert "rc=cqp" in fixed and " qp=30 " in fixed
    assert "rc=crf" in by_crf and "crf=28.0" in by_crf
    assert "subme=0" in fixed and "subme=2" in by_crf  # ultrafast (the default) against veryfast
    with av.open(str(tmp_path / "by-crf.mp4")) as container:
        assert sum(1 for _ in container.decode(video=0)) == 96


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ('presset = "fast"', ["presset", "Allowed: preset, crf, qp"]),
        ('preset = "quick"', ["preset 'quick'", "ultrafast", "placebo"]),
        ("qp = 60", ["qp 60", "0 to 51"]),
        ('crf = "high"', ["crf 'high'", "0 to 51"]),
        ("qp = 20\ncrf = 20", ["qp", "crf", "one of them"]),
    ],
)
def test_a_previz_setting_it_cannot_apply_is_exit_2_naming_the_model_and_key(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: str, named: list[str]
) -> None:
    _config(tmp_path, f'[models.clip]\nbackend = "previz"\n{settings}\n', monkeypatch)
    result = cli("generate", "A kite over a ridge", "--model", "clip", *SMALL, "-o", tmp_path / "out.mp4")
    assert result.exit_code == 2, result.output
    assert "models.clip" in result.stderr and all(part in result.stderr for part in named), result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "out.mp4").exists()


def test_the_remote_backend_names_an_unknown_or_missing_setting() -> None:
    with pytest.raises(ConfigError, match=r"base_ulr.*Allowed: base_url, api_key, upstream_model"):
        create_backend("remote", base_url="http://127.0.0.1:9/v1", base_ulr="http://127.0.0.1:9/v1")
    with pytest.raises(ConfigError, match="needs `base_url`"):
        create_backend("remote", api_key="sk-upstream")


def test_the_diffusers_backend_names_an_unknown_setting() -> None:
    with pytest.raises(ConfigError, match=r"pathh.*Allowed: path, family"):
        create_backend("diffusers", path="/models/wan", pathh="/models/wan")


def test_serve_refuses_a_model_whose_settings_it_cannot_apply(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _config(
        tmp_path,
        '[models.good]\nbackend = "previz"\n\n[models.upstream]\nbackend = "remote"\n'
        'base_url = "http://127.0.0.1:9/v1"\nbase_ulr = "typo"\n',
        monkeypatch,
    )
    result = cli("serve", "--data-dir", tmp_path / "data")
    assert result.exit_code == 2, result.output
    assert "models.upstream" in result.stderr and "base_ulr" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_refuses_a_model_routed_to_a_backend_that_is_not_installed(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _config(tmp_path, '[models.clip]\nbackend = "previs"\n', monkeypatch)
    result = cli("serve", "--data-dir", tmp_path / "data")
    assert result.exit_code == 2, result.output
    assert "models.clip" in result.stderr and "previs" in result.stderr and "previz" in result.stderr


def test_an_in_process_engine_refuses_to_start_with_a_setting_its_backend_refuses(tmp_path: Path) -> None:
    """The engine of `cinebrief run` and of the studio checks like `serve` does, before any job is taken."""
    from cinebrief.jobs import Engine
    from cinebrief.settings import load_settings

    config = tmp_path / "cinebrief.toml"
    config.write_text('[models.clip]\nbackend = "previz"\nqp = 99\n')
    settings = load_settings(config, environ={}, overrides={"server": {"data_dir": str(tmp_path / "data")}})
    with pytest.raises(ConfigError, match=r"models\.clip: .*qp 99 is not a whole number from 0 to 51"):
        Engine(settings)


class PluginBackend:
    """A backend another package could register: named settings, no catch-all."""

    name = "plugin"

    def __init__(self, folder: str, steps: int = 8) -> None:
        if steps < 1:
            raise ValueError(f"steps must be at least 1, got {steps}")
        self.folder, self.steps = folder, steps


def test_another_packages_backend_has_its_setting_names_checked_too(monkeypatch: pytest.MonkeyPatch) -> None:
    from cinebrief.backends.registry import backend_class as real

    monkeypatch.setattr(
        "cinebrief.backends.registry.backend_class", lambda name: PluginBackend if name == "plugin" else real(name)
    )
    assert create_backend("plugin", folder="/models/x", steps=4).steps == 4
    with pytest.raises(ConfigError, match=r"for the plugin backend: stepz\. Allowed: folder, steps\."):
        create_backend("plugin", folder="/models/x", stepz=4)
    with pytest.raises(ConfigError, match=r"The plugin backend needs `folder`\."):
        create_backend("plugin", steps=4)
    with pytest.raises(ConfigError, match=r"The plugin backend refused a setting: steps must be at least 1, got 0"):
        create_backend("plugin", folder="/models/x", steps=0)
    # A class whose signature cannot be read (a compiled one here): the call itself says what it refuses.
    monkeypatch.setattr("cinebrief.backends.registry.backend_class", lambda name: datetime.timedelta)
    assert create_backend("plugin", days=1) == datetime.timedelta(days=1)
    with pytest.raises(ConfigError, match=r"The plugin backend does not take these settings: .*stepz"):
        create_backend("plugin", stepz=4)


def test_a_remote_value_of_the_wrong_kind_is_refused_by_name() -> None:
    with pytest.raises(ConfigError, match=r"`poll_interval_seconds` must be a number above 0, got 'fast'"):
        create_backend("remote", base_url="http://127.0.0.1:9/v1", poll_interval_seconds="fast")
    with pytest.raises(ConfigError, match=r"`base_url` must be text, got 5"):
        create_backend("remote", base_url=5)
    with pytest.raises(ConfigError, match=r"`max_retries` must be a whole number of 0 or more, got 2.5"):
        create_backend("remote", base_url="http://127.0.0.1:9/v1", max_retries=2.5)
    with pytest.raises(ConfigError, match=r"`poll_interval_seconds` must be a number above 0, got 0"):
        create_backend("remote", base_url="http://127.0.0.1:9/v1", poll_interval_seconds=0)
    for endless in (float("nan"), float("inf")):  # TOML spells them nan and inf: a wait that would never end
        with pytest.raises(ConfigError, match=r"`deadline_seconds` must be a number above 0"):
            create_backend("remote", base_url="http://127.0.0.1:9/v1", deadline_seconds=endless)
    assert create_backend("remote", base_url="http://127.0.0.1:9/v1", poll_interval_seconds=0.5, max_retries=0)


def test_a_diffusers_cache_from_the_settings_file_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"for the diffusers backend: cache\."):
        create_backend("diffusers", path="/models/wan", cache="big")


def _engine_settings(tmp_path: Path, models: dict[str, dict[str, object]]):
    from cinebrief.settings import load_settings

    overrides = {"server": {"data_dir": str(tmp_path / "data")}, "models": models}
    return load_settings(environ={}, overrides=overrides)


def test_an_engine_that_cannot_start_closes_its_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cinebrief.jobs import Engine, JobStore

    closed: list[JobStore] = []
    close = JobStore.close
    monkeypatch.setattr(JobStore, "close", lambda store: (closed.append(store), close(store))[1])
    with pytest.raises(ConfigError, match=r"models\.clip: .*qp 99"):
        Engine(_engine_settings(tmp_path, {"clip": {"backend": "previz", "qp": 99}}))
    assert len(closed) == 1


def test_a_server_whose_engine_cannot_start_closes_it(tmp_path: Path) -> None:
    import asyncio

    from cinebrief.server import create_app

    app = create_app(_engine_settings(tmp_path, {"clip": {"backend": "previz", "preset": "quick"}}))
    engine = app.state.engine

    async def start() -> None:
        async with app.router.lifespan_context(app):
            pass

    with pytest.raises(ConfigError, match=r"models\.clip: .*preset 'quick'"):
        asyncio.run(start())
    assert engine._closed.is_set()


def test_a_backend_that_cannot_be_built_here_does_not_stop_the_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Its settings are fine; this machine lacks what it needs. The others serve; its requests are refused."""
    from cinebrief.jobs import Engine, VideoRequest
    from cinebrief.jobs.owners import LOCAL

    built: list[str] = []

    def factory(name: str, **settings: object):
        built.append(name)
        if name == "remote":
            raise RuntimeError("no route to the upstream's certificate store")
        return create_backend(name, **settings)

    monkeypatch.setattr("cinebrief.jobs.pool.create_backend", factory)
    models = {"here": {"backend": "previz"}, "elsewhere": {"backend": "remote", "base_url": "http://127.0.0.1:9/v1"}}
    with Engine(_engine_settings(tmp_path, models)) as engine:
        assert "models.elsewhere: backend 'remote' cannot be built here" in caplog.text
        listed = {info.name: info for info in engine.models()}
        assert listed["here"].capabilities is not None and "certificate store" in (listed["elsewhere"].error or "")
        with pytest.raises(BackendUnavailableError, match="cannot be built here"):
            engine.submit(VideoRequest(prompt="A kite over a ridge", model="elsewhere", size="256x144"), owner=LOCAL)
        video = engine.submit(VideoRequest(prompt="A kite over a ridge", model="here", size="256x144"), owner=LOCAL)
        assert engine.wait(video.id, timeout=60, owner=LOCAL).status == "completed"
        previz_models = [name for name, model in engine.settings.models.items() if model.backend == "previz"]
    assert built.count("previz") == len(previz_models)  # each built once, at start: requests reuse it
    # Through the server and the official SDK: a 503 naming the model, and the other models still serve.
    with ServerThread(_engine_settings(tmp_path, models)) as server:
        client = openai.OpenAI(base_url=server.url, api_key="any")  # the SDK's own retries: it is told not to
        with pytest.raises(openai.InternalServerError) as refused:
            client.videos.create(prompt="A kite over a ridge", model="elsewhere", size="256x144")
        assert refused.value.status_code == 503 and "models.elsewhere" in refused.value.message
        assert refused.value.code == "backend_unavailable"
        assert refused.value.response.headers["x-should-retry"] == "false"
        assert client.videos.create(prompt="A kite over a ridge", model="here", size="256x144").status == "queued"


def test_a_model_whose_weights_folder_is_missing_here_is_a_503_not_a_server_error(tmp_path: Path) -> None:
    """The settings are well formed, but the folder is not on this host: the model is unavailable (told not
    to retry), listed with the reason; it is not a 500."""
    models = {"wan": {"backend": "diffusers", "path": str(tmp_path / "nowhere" / "wan")}}
    with ServerThread(_engine_settings(tmp_path, models)) as server:
        client = openai.OpenAI(base_url=server.url, api_key="any")
        with pytest.raises(openai.InternalServerError) as refused:
            client.videos.create(prompt="A kite over a ridge", model="wan", size="256x144")
        assert refused.value.status_code == 503 and refused.value.code == "backend_unavailable"
        assert "does not exist" in refused.value.message and "nowhere" in refused.value.message
        assert refused.value.response.headers["x-should-retry"] == "false"


def test_models_says_which_settings_are_invalid_and_exits_2(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`cinebrief models` is where a settings file is checked: a setting the backend refuses is `invalid`
    (exit 2, as `serve` would); a folder missing on this host is only `unavailable` (exit 0)."""
    gone = tmp_path / "gone"
    _config(
        tmp_path,
        f'[models.clip]\nbackend = "previz"\n\n[models.wan]\nbackend = "diffusers"\npath = "{gone}"\n',
        monkeypatch,
    )
    fine = cli("models")
    assert fine.exit_code == 0, fine.output
    lines = {line.split()[0]: line for line in fine.stdout.splitlines()}
    assert "unavailable: " in lines["wan"] and "does not exist" in lines["wan"]
    _config(
        tmp_path, '[models.clip]\nbackend = "previz"\npreset = "warp"\n\n[models.ok]\nbackend = "previz"\n', monkeypatch
    )
    refused = cli("models")
    assert refused.exit_code == 2
    lines = {line.split()[0]: line for line in refused.stdout.splitlines()}
    assert "invalid: models.clip:" in lines["clip"] and "preset 'warp'" in lines["clip"] and "fps" in lines["ok"]
    as_json = cli("models", "--json")
    assert as_json.exit_code == 2 and '"invalid": "models.clip:' in as_json.stdout
