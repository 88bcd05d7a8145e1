"""The diffusers backend without torch: frame and size rules, the plan, settings and folder checks, lazy imports."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from cinebrief.backends.diffusers import DiffusersBackend
from cinebrief.backends.diffusers.families import WAN21_T2V, WAN22_TI2V
from cinebrief.backends.diffusers.folder import inspect_folder
from cinebrief.backends.diffusers.mapping import (
    ModelDefaults,
    frame_count,
    make_call_plan,
    nearest_multiple,
    working_size,
)
from cinebrief.contract.capabilities import FrameRule
from cinebrief.errors import ConfigError, InputError

WAN = FrameRule(4, 1)
LTX = FrameRule(8, 1)


@pytest.mark.parametrize(
    ("seconds", "fps", "rule", "frames"),
    [
        (4, 24, WAN, 97),  # 96 -> 4k+1
        (5, 24, WAN, 121),  # Wan 2.2 TI2V-5B's native length
        (4, 16, WAN, 65),
        (8, 16, WAN, 129),
        (4, 24, LTX, 97),
        (12, 24, LTX, 289),
        (4, 8, WAN, 33),
        (4, 8, LTX, 33),
        (4, 25, LTX, 97),  # 100 -> 97 (8*12+1) is nearer than 105
    ],
)
def test_frame_count_follows_the_frame_rule(seconds: int, fps: int, rule: FrameRule, frames: int) -> None:
    assert frame_count(seconds, fps, rule) == frames
    assert (frames - 1) % rule.multiple == 0


def test_nearest_multiple_ties_go_down_and_never_below_one_multiple() -> None:
    assert nearest_multiple(720, 16) == 720
    assert nearest_multiple(720, 32) == 704  # 704 and 736 are equally near: the smaller spares memory
    assert nearest_multiple(721, 32) == 736
    assert nearest_multiple(5, 32) == 32


@pytest.mark.parametrize(
    ("size", "multiple", "max_area", "expected"),
    [
        ((1280, 720), 16, 1280 * 720, (1280, 720)),
        ((1280, 720), 32, 1280 * 720, (1280, 704)),  # Wan 2.2 TI2V-5B
        ((720, 1280), 32, 1280 * 720, (704, 1280)),
        ((1280, 720), 32, 768 * 512, (832, 480)),  # LTX-Video's working area
        ((1792, 1024), 16, 1280 * 720, (1264, 720)),
        ((1280, 720), 16, 64 * 64, (80, 48)),
    ],
)
def test_working_size_keeps_the_aspect_within_the_area(
    size: tuple[int, int], multiple: int, max_area: int, expected: tuple[int, int]
) -> None:
    width, height = working_size(*size, multiple=multiple, max_area=max_area)
    assert (width, height) == expected
    assert width % multiple == 0 and height % multiple == 0


def _plan(**changes):
    arguments = {
        "prompt": "a cat",
        "width": 1280,
        "height": 720,
        "seconds": 4,
        "seed": 7,
        "mode": "text-to-video",
        "pipeline_class": "WanPipeline",
        "size_multiple": 32,
        "frame_rule": WAN,
        "defaults": ModelDefaults.for_variant(WAN22_TI2V),
        "options": {},
    }
    arguments.update(changes)
    return make_call_plan(**arguments)


def test_plan_records_every_change() -> None:
    plan = _plan()
    meta = plan.metadata()
    assert (plan.width, plan.height, plan.frames, plan.fps) == (1280, 704, 97, 24)
    assert meta["size"] == "1280x720" and meta["generated_size"] == "1280x704"
    assert meta["steps"] == 50 and meta["guidance"] == 5.0 and meta["seed"] == 7
    assert "overexposed" in meta["negative_prompt"]
    assert any("1280x704" in change for change in meta["changes"])
    assert any("97" in change and "4k+1" in change for change in meta["changes"])


def test_plan_without_changes_lists_none() -> None:
    plan = _plan(
        size_multiple=16, frame_rule=FrameRule(1, 0), defaults=replace(ModelDefaults.for_variant(WAN21_T2V), fps=16)
    )
    assert plan.changes == ()
    assert (plan.width, plan.height, plan.frames) == (1280, 720, 64)


def test_request_options_override_defaults() -> None:
    plan = _plan(options={"steps": 8, "guidance": 1, "negative_prompt": "blur"})
    assert (plan.steps, plan.guidance, plan.negative_prompt) == (8, 1.0, "blur")


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"stepz": 3}, ["stepz", "steps, guidance, guidance_2, negative_prompt, remix_strength, fit"]),
        ({"fit": "stretch"}, ["fit", "cover, letterbox", "'stretch'"]),
        ({"remix_strength": 1.5}, ["remix_strength", "0 to 1"]),
        ({"steps": 0}, ["steps", "at least 1"]),
        ({"steps": "many"}, ["steps", "'many'"]),
        ({"guidance": 99}, ["guidance", "0 to 30"]),
        ({"negative_prompt": 3}, ["negative_prompt", "text"]),
    ],
)
def test_bad_options_teach(options: dict, words: list[str]) -> None:
    with pytest.raises(InputError) as caught:
        _plan(options=options)
    for word in words:
        assert word in str(caught.value)


def test_seconds_beyond_the_models_limit() -> None:
    # Wan 2.2 TI2V-5B was trained on 121 frames at 24 fps: 5 s.
    with pytest.raises(InputError, match="at most 5"):
        _plan(seconds=8)


# -- settings and folders ----------------------------------------------------------------------------


def test_settings_need_a_path_and_known_keys() -> None:
    with pytest.raises(ConfigError, match="needs `path`"):
        DiffusersBackend()
    with pytest.raises(ConfigError, match=r"Unknown setting\(s\).*stepz.*Allowed: path"):
        DiffusersBackend(path="/x", stepz=3)
    with pytest.raises(ConfigError, match="family 'sd'"):
        DiffusersBackend(path="/x", family="sd")
    with pytest.raises(ConfigError, match="dtype 'int8'"):
        DiffusersBackend(path="/x", dtype="int8")
    with pytest.raises(ConfigError, match="cpu_offload"):
        DiffusersBackend(path="/x", cpu_offload="yes")


def _write_folder(root: Path, *, class_name: str = "WanPipeline", skip: tuple[str, ...] = ()) -> Path:
    """A folder with the layout of a Wan pipeline and empty weight files (enough for the checks)."""
    index = {
        "_class_name": class_name,
        "scheduler": ["diffusers", "FlowMatchEulerDiscreteScheduler"],
        "text_encoder": ["transformers", "UMT5EncoderModel"],
        "tokenizer": ["transformers", "T5Tokenizer"],
        "transformer": ["diffusers", "WanTransformer3DModel"],
        "transformer_2": [None, None],
        "vae": ["diffusers", "AutoencoderKLWan"],
    }
    files = {
        "model_index.json": json.dumps(index),
        "scheduler/scheduler_config.json": "{}",
        "text_encoder/config.json": "{}",
        "text_encoder/model.safetensors": "",
        "tokenizer/tokenizer.json": "{}",
        "transformer/config.json": json.dumps({"patch_size": [1, 2, 2]}),
        "transformer/diffusion_pytorch_model.safetensors": "",
        "vae/config.json": json.dumps({"scale_factor_spatial": 16, "scale_factor_temporal": 4}),
        "vae/diffusion_pytorch_model.safetensors": "",
    }
    for name, text in files.items():
        if any(name.startswith(prefix) for prefix in skip):
            continue
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_missing_folder_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"Model folder '.*absent' \(model 'wan-ti2v'\) does not exist"):
        DiffusersBackend(path=str(tmp_path / "absent")).capabilities("wan-ti2v")


def test_folder_without_model_index(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"missing model_index\.json"):
        inspect_folder(tmp_path)


def test_incomplete_folder_names_every_missing_piece(tmp_path: Path) -> None:
    root = _write_folder(tmp_path, skip=("transformer/", "vae/diffusion", "tokenizer/"))
    with pytest.raises(ConfigError) as caught:
        inspect_folder(root)
    message = str(caught.value)
    assert "transformer/ (the WanTransformer3DModel folder)" in message
    assert "vae/ weights (*.safetensors or *.bin)" in message
    assert "tokenizer/ (the T5Tokenizer folder)" in message
    assert "text_encoder" not in message


def test_missing_weight_shard_is_named(tmp_path: Path) -> None:
    root = _write_folder(tmp_path)
    shard_index = {"weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}
    (root / "text_encoder" / "model.safetensors.index.json").write_text(json.dumps(shard_index))
    (root / "text_encoder" / "model-00001-of-00002.safetensors").write_text("")
    with pytest.raises(ConfigError, match=r"text_encoder/model-00002-of-00002.safetensors \(a weight shard"):
        inspect_folder(root)


def test_wrong_family_and_unknown_pipeline(tmp_path: Path) -> None:
    root = _write_folder(tmp_path / "wan")
    with pytest.raises(ConfigError, match=r"holds a wan model .* settings say family 'ltx'"):
        inspect_folder(root, family="ltx")
    other = _write_folder(tmp_path / "flux", class_name="FluxPipeline")
    with pytest.raises(ConfigError, match=r"'FluxPipeline'.*Supported pipelines: WanPipeline"):
        inspect_folder(other)


def test_a_folder_defaults_file_with_a_typo_or_another_family_is_a_config_error(tmp_path: Path) -> None:
    root = _write_folder(tmp_path / "wan")
    (root / "cinebrief.json").write_text(json.dumps({"family": "wan", "step": 30}))
    with pytest.raises(ConfigError, match=r"cinebrief.json' has unknown key\(s\) step\. Allowed: family, fps, steps"):
        inspect_folder(root)
    (root / "cinebrief.json").write_text(json.dumps({"family": "ltx", "steps": 30}))
    with pytest.raises(ConfigError, match=r"says family 'ltx', but the folder holds a wan model \(WanPipeline\)"):
        inspect_folder(root)
    (root / "cinebrief.json").write_text(json.dumps({"family": "wan", "steps": 30}))
    assert DiffusersBackend(path=str(root)).defaults("wan").steps == 30


def test_geometry_comes_from_the_configs(tmp_path: Path) -> None:
    folder = inspect_folder(_write_folder(tmp_path))
    # Wan 2.2's VAE compresses 16x and the transformer patches 2x2: sides are multiples of 32.
    assert folder.size_multiple == 32
    assert folder.frame_rule == FrameRule(4, 1)
    assert folder.modes == "t2v" and folder.variant.name == "wan2.1-t2v" and folder.variant.fps == 16
    capabilities = DiffusersBackend(path=str(tmp_path)).capabilities("wan")
    assert capabilities.text_to_video and not capabilities.image_to_video
    assert capabilities.as_dict()["frame_rule"] == "4k+1"
    # Any even size is accepted and resized back; the native multiple is said in the notes.
    assert capabilities.accepts_size("1280x720") and "sides multiple of 32" in capabilities.notes


def test_image_to_video_folder_needs_a_reference(tmp_path: Path) -> None:
    from cinebrief.backends.base import GenerationRequest

    backend = DiffusersBackend(path=str(_write_folder(tmp_path, class_name="WanImageToVideoPipeline")))
    request = GenerationRequest(prompt="a cat", model="wan-i2v", size="1280x720", seconds="4")
    with pytest.raises(InputError, match="needs an input_reference"):
        backend.call_plan(request)


# -- heavy imports stay out ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "module",
    ["cinebrief.backends.diffusers", "cinebrief.cli.app", "cinebrief.server"],
)
def test_import_does_not_load_torch(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        "heavy = sorted(name for name in ('torch', 'diffusers', 'transformers') if name in sys.modules)\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
