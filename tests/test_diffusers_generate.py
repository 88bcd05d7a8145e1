"""The diffusers backend end to end on tiny random-weight Wan and LTX folders, on the CPU, offline.

The folders are written once per session by the same code as `cinebrief dev tiny-model`. Outputs are
checked by decoding what was written: size, frame count, fps, the silent AAC track, thumbnail, spritesheet.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from cinebrief.backends.base import GenerationRequest
from cinebrief.backends.diffusers import DiffusersBackend, PipelineCache
from cinebrief.cli.app import app
from cinebrief.errors import CancelledError
from cinebrief.media.probe import probe, read_frames

FAMILIES = ("wan", "ltx")


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A tiny folder per family, written through `cinebrief dev tiny-model`."""
    root = tmp_path_factory.mktemp("tiny-models")
    folders = {}
    for family in FAMILIES:
        result = CliRunner().invoke(app, ["dev", "tiny-model", str(root / family), "--family", family])
        assert result.exit_code == 0, result.output
        assert "noise" in result.stdout
        folders[family] = root / family
    return folders


def _reference(width: int = 1280, height: int = 720) -> bytes:
    image = Image.new("RGB", (width, height), (210, 40, 30))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _generate(backend: DiffusersBackend, out: Path, **request_fields):
    # Small by default to keep the encoder quick; the size tests ask for the contract's sizes.
    fields = {"prompt": "a red cat dance in the city at night", "model": "tiny", "size": "256x144", "seconds": "4"}
    fields.update(request_fields)
    seen: list[float] = []
    result = backend.generate(GenerationRequest(**fields), out, progress=seen.append, cancelled=lambda: False)
    return result, seen


@pytest.mark.parametrize(("family", "size"), [("wan", "1280x720"), ("ltx", "720x1280"), ("ltx", "256x144")])
def test_text_to_video_writes_the_requested_size(tiny_models, tmp_path: Path, family: str, size: str) -> None:
    backend = DiffusersBackend(path=str(tiny_models[family]))
    result, seen = _generate(backend, tmp_path / "job", size=size, seed=3)

    info = probe(result.video)
    width, height = (int(side) for side in size.split("x"))
    assert info.size == size
    assert info.video_codec == "h264" and info.pixel_format == "yuv420p"
    # 4 s at the tiny folder's 8 fps is 32 frames; the 4k+1 / 8k+1 rules make it 33.
    assert info.frames == result.metadata["frames"] == 33
    assert info.fps == 8
    assert info.audio_codec == "aac" and abs(info.audio_duration - info.video_duration) < 0.05
    with Image.open(result.thumbnail) as thumbnail:
        assert (thumbnail.format, thumbnail.size) == ("WEBP", (width, height))
    with Image.open(result.spritesheet) as sheet:
        assert sheet.format == "JPEG"

    meta = result.metadata
    assert meta["mode"] == "text-to-video" and meta["family"] == family
    assert meta["size"] == size and meta["generated_size"] != size
    assert meta["device"] == "cpu" and meta["dtype"] == "float32"
    assert len(meta["changes"]) == 2  # the working size and the frame count, both said out loud
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) >= 4


@pytest.mark.parametrize("family", FAMILIES)
def test_image_to_video_uses_the_reference(tiny_models, tmp_path: Path, family: str) -> None:
    backend = DiffusersBackend(path=str(tiny_models[family]))
    with_reference, _ = _generate(backend, tmp_path / "i2v", seed=5, input_reference=_reference(256, 144))
    without, _ = _generate(backend, tmp_path / "t2v", seed=5)

    assert with_reference.metadata["mode"] == "image-to-video"
    assert with_reference.metadata["pipeline"].endswith("ImageToVideoPipeline")
    info = probe(with_reference.video)
    assert (info.size, info.frames) == ("256x144", 33)
    first_i2v = read_frames(with_reference.video, [0])[0].astype(int)
    first_t2v = read_frames(without.video, [0])[0].astype(int)
    assert not np.array_equal(first_i2v, first_t2v)  # the reference changed the clip


def test_same_seed_same_frames_other_seed_other_frames(tiny_models, tmp_path: Path) -> None:
    backend = DiffusersBackend(path=str(tiny_models["wan"]))
    first, _ = _generate(backend, tmp_path / "a", seed=11)
    again, _ = _generate(backend, tmp_path / "b", seed=11)
    other, _ = _generate(backend, tmp_path / "c", seed=12)
    frames = [read_frames(result.video, [10])[10].astype(int) for result in (first, again, other)]
    assert np.array_equal(frames[0], frames[1])
    assert np.abs(frames[0] - frames[2]).mean() > 1


def test_options_override_steps_and_guidance(tiny_models, tmp_path: Path) -> None:
    backend = DiffusersBackend(path=str(tiny_models["ltx"]), steps=3)
    result, seen = _generate(backend, tmp_path / "job", options={"guidance": 1.0, "negative_prompt": "blur"})
    assert (result.metadata["steps"], result.metadata["guidance"]) == (3, 1.0)
    assert result.metadata["negative_prompt"] == "blur"
    assert len([value for value in seen if 0.05 < value <= 0.9]) == 3  # one report per denoising step


def test_cancel_stops_between_steps_and_leaves_no_video(tiny_models, tmp_path: Path) -> None:
    backend = DiffusersBackend(path=str(tiny_models["wan"]), steps=4)
    seen: list[float] = []
    out = tmp_path / "job"
    request = GenerationRequest(prompt="a dog", model="tiny", size="1280x720", seconds="4")
    with pytest.raises(CancelledError, match="after step 2 of 4"):
        # Cancelled once two steps have reported: the third step never runs.
        backend.generate(request, out, progress=seen.append, cancelled=lambda: len(seen) >= 4)
    assert max(seen) < 0.9
    assert not (out / "video.mp4").exists()


def test_pipelines_stay_warm_and_are_evicted_by_memory(tiny_models, tmp_path: Path) -> None:
    cache = PipelineCache()
    wan = DiffusersBackend(path=str(tiny_models["wan"]), cache=cache)
    first, _ = _generate(wan, tmp_path / "1")
    second, _ = _generate(wan, tmp_path / "2", input_reference=_reference(256, 144))
    assert first.metadata["pipeline_loaded"] and not second.metadata["pipeline_loaded"]
    assert (cache.loads, len(cache)) == (1, 1)  # text- and image-to-video share the loaded weights

    # A budget smaller than two tiny models: loading LTX evicts Wan, the least recently used.
    ltx = DiffusersBackend(path=str(tiny_models["ltx"]), cache=cache, cache_bytes=cache.nbytes + 1)
    _generate(ltx, tmp_path / "3")
    assert (cache.loads, len(cache), cache.evictions) == (2, 1, 1)
    assert cache.keys()[0][0] == str(tiny_models["ltx"].resolve())


def test_models_command_lists_capabilities(tiny_models, tmp_path: Path, cli) -> None:
    config = tmp_path / "cinebrief.toml"
    config.write_text(
        f'[models.wan-tiny]\nbackend = "diffusers"\npath = "{tiny_models["wan"]}"\n\n'
        f'[models.ltx-gone]\nbackend = "diffusers"\npath = "{tmp_path / "gone"}"\nfamily = "ltx"\n'
    )
    result = cli("models", "--config", config)
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert "t2v+i2v" in lines["wan-tiny"] and "frames 4k+1" in lines["wan-tiny"] and "8 fps" in lines["wan-tiny"]
    assert "unavailable" in lines["ltx-gone"] and "does not exist" in lines["ltx-gone"]


def test_tiny_model_refuses_a_full_folder_and_an_unknown_family(tmp_path: Path, cli) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    refused = cli("dev", "tiny-model", tmp_path / "full", "--family", "wan")
    assert refused.exit_code == 2 and "not empty" in refused.stderr
    unknown = cli("dev", "tiny-model", tmp_path / "new", "--family", "sdxl")
    assert unknown.exit_code == 2 and "wan, wan2.1-t2v" in unknown.stderr


# -- no network --------------------------------------------------------------------------------------

# Run in a child: any socket that connects beyond loopback fails the run; under `unshare -n` (when this
# machine allows it) the child has no network interface besides its own loopback at all.
_OFFLINE_GUARD = """
import runpy, socket, sys
_connect = socket.socket.connect
def guarded(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if self.family != socket.AF_UNIX and host not in ("127.0.0.1", "::1", "localhost"):
        sys.stderr.write(f"NETWORK USED: {address}\\n")
        raise SystemExit(99)
    return _connect(self, address)
socket.socket.connect = guarded
sys.argv = ["cinebrief", *sys.argv[1:]]
runpy.run_module("cinebrief", run_name="__main__")
"""


def _offline_prefix() -> list[str]:
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0:
        return [unshare, "-n"]
    return []


def run_offline(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("HF_", "TRANSFORMERS_"))}
    command = [*_offline_prefix(), sys.executable, "-c", _OFFLINE_GUARD, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=environment)


def test_models_command_runs_offline(tiny_models, tmp_path: Path) -> None:
    config = tmp_path / "cinebrief.toml"
    config.write_text(f'[models.ltx-tiny]\nbackend = "diffusers"\npath = "{tiny_models["ltx"]}"\n')
    result = run_offline("models", "--config", str(config), "--json")
    assert result.returncode == 0, result.stderr
    assert '"frame_rule": "8k+1"' in result.stdout


# -- through the server ------------------------------------------------------------------------------


@pytest.fixture
def outbound_connections(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every socket connect in this process that goes beyond loopback (the test asserts there are none)."""
    import socket

    seen: list[object] = []
    original = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else address
        if self.family != socket.AF_UNIX and host not in ("127.0.0.1", "::1", "localhost"):
            seen.append(address)
            raise OSError(f"network disabled in this test: {address}")
        return original(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    return seen


def test_generation_through_the_server(tiny_models, tmp_path: Path, outbound_connections: list[object]) -> None:
    from openai import OpenAI

    from server_harness import ServerThread
    from server_models import served_settings

    models = {f"{family}-tiny": {"backend": "diffusers", "path": str(tiny_models[family])} for family in FAMILIES}
    settings = served_settings(tmp_path / "data", api_keys=["k"], poll_after_ms=50, models=models)
    with ServerThread(settings) as server:
        client = OpenAI(base_url=server.url, api_key="k", max_retries=0)
        listed = {model.id: model.model_extra["capabilities"] for model in client.models.list()}
        assert listed["wan-tiny"]["frame_rule"] == "4k+1" and listed["ltx-tiny"]["frame_rule"] == "8k+1"

        text = client.videos.create_and_poll(prompt="a dog run on the sea", model="wan-tiny", size="1280x720")
        image = client.videos.create_and_poll(
            prompt="the red sky",
            model="ltx-tiny",
            size="720x1280",
            seconds="4",
            input_reference=("first.png", _reference(720, 1280), "image/png"),
        )
        for video, size in ((text, "1280x720"), (image, "720x1280")):
            assert (video.status, video.progress, video.size, video.error) == ("completed", 100, size, None)
            target = tmp_path / f"{video.id}.mp4"
            client.videos.download_content(video.id, variant="video").write_to_file(target)
            info = probe(target)
            assert (info.size, info.frames, info.audio_codec) == (size, 33, "aac")
    assert outbound_connections == []


@pytest.mark.parametrize("family", FAMILIES)
def test_generate_command_runs_a_folder_offline(tiny_models, tmp_path: Path, family: str) -> None:
    reference = tmp_path / "first.png"
    reference.write_bytes(_reference(256, 144))
    out = tmp_path / "clip.mp4"
    result = run_offline(
        "generate",
        "a blue car in the night city",
        "--backend",
        "diffusers",
        "--model-path",
        str(tiny_models[family]),
        "--model",
        f"{family}-tiny",
        "--size",
        "256x144",
        "--input-reference",
        str(reference),
        "-o",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    assert "NETWORK USED" not in result.stderr
    assert "generated 33 (frame rule" in result.stderr  # the mapping is said, not done silently
    info = probe(out)
    assert (info.size, info.frames, info.audio_codec) == ("256x144", 33, "aac")
    assert (tmp_path / "clip.thumbnail.webp").is_file() and (tmp_path / "clip.spritesheet.jpg").is_file()


def test_generate_command_names_a_missing_folder(tmp_path: Path, cli) -> None:
    out = tmp_path / "clip.mp4"
    result = cli("generate", "a cat", "--model-path", tmp_path / "nowhere", "--size", "1280x720", "-o", out)
    assert result.exit_code == 2
    assert "nowhere' (model 'nowhere') does not exist" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()
