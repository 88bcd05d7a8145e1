"""A local diffusers model folder: is it complete, which family and pipelines, which sizes and frame counts.

Everything here reads JSON and lists files; nothing imports torch. A folder that cannot be used raises one
`ConfigError` naming every missing piece (model_index.json, component folders, configs, weight shards).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cinebrief.contract.capabilities import FrameRule
from cinebrief.errors import ConfigError

MODEL_INDEX = "model_index.json"
FOLDER_DEFAULTS_FILE = "cinebrief.json"  # optional per-folder defaults (fps, steps, max_area, ...)
FAMILIES = ("wan", "ltx")

# model_index `_class_name` -> family. Each family's text- and image-to-video classes are below.
PIPELINE_FAMILY = {
    "WanPipeline": "wan",
    "WanImageToVideoPipeline": "wan",
    "LTXPipeline": "ltx",
    "LTXImageToVideoPipeline": "ltx",
}
TEXT_TO_VIDEO = {"wan": "WanPipeline", "ltx": "LTXPipeline"}
IMAGE_TO_VIDEO = {"wan": "WanImageToVideoPipeline", "ltx": "LTXImageToVideoPipeline"}

# What each family's pipeline demands: sides a multiple of this, frames `multiple * k + 1`.
FAMILY_SIZE_MULTIPLE = {"wan": 16, "ltx": 32}
FAMILY_FRAME_MULTIPLE = {"wan": 4, "ltx": 8}

_WEIGHT_SUFFIXES = (".safetensors", ".bin")
_TOKENIZER_FILES = ("tokenizer.json", "spiece.model", "vocab.json")


@dataclass(frozen=True)
class ModelFolder:
    """A checked model folder and the numbers its configs imply."""

    path: Path
    family: str
    pipeline_class: str
    text_to_video_class: str | None
    image_to_video_class: str | None
    size_multiple: int
    frame_rule: FrameRule
    native_fps: int
    defaults: dict[str, Any] = field(default_factory=dict)  # from cinebrief.json, when the folder has one

    @property
    def variant(self) -> str:
        """`t2v`, `i2v` or `ti2v`: what the folder can make."""
        if self.text_to_video_class and self.image_to_video_class:
            return "ti2v"
        return "t2v" if self.text_to_video_class else "i2v"


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"'{path}' cannot be read as JSON ({exc}).") from None
    if not isinstance(data, dict):
        raise ConfigError(f"'{path}' must hold a JSON object.")
    return data


def _components(index: dict[str, Any]) -> dict[str, str]:
    """Component name -> class name, for every component the index does not leave empty."""
    found: dict[str, str] = {}
    for name, value in index.items():
        if name.startswith("_") or not isinstance(value, list) or len(value) != 2:
            continue
        library, class_name = value
        if library is not None and class_name is not None:
            found[name] = str(class_name)
    return found


def _missing_weights(folder: Path) -> list[str]:
    """The weight files a model component lacks: none at all, or shards its index names but are absent."""
    missing: list[str] = []
    for index_file in folder.glob("*.index.json"):
        weight_map = _read_json(index_file).get("weight_map", {})
        for shard in sorted(set(weight_map.values())):
            if not (folder / shard).is_file():
                missing.append(f"{folder.name}/{shard} (a weight shard listed in {index_file.name})")
    has_weights = any(p.suffix in _WEIGHT_SUFFIXES and p.is_file() for p in folder.iterdir())
    if not has_weights and not missing:
        missing.append(f"{folder.name}/ weights (*.safetensors or *.bin)")
    return missing


def _missing_in_component(root: Path, name: str, class_name: str) -> list[str]:
    folder = root / name
    if not folder.is_dir():
        return [f"{name}/ (the {class_name} folder)"]
    if class_name.endswith("Scheduler"):
        required: tuple[str, ...] = ("scheduler_config.json",)
    elif "Tokenizer" in class_name:
        return [] if any((folder / f).is_file() for f in _TOKENIZER_FILES) else [f"{name}/tokenizer.json"]
    elif "Processor" in class_name:
        required = ("preprocessor_config.json",)
    else:
        required = ("config.json",)
        missing = [f"{name}/{f}" for f in required if not (folder / f).is_file()]
        return missing + _missing_weights(folder)
    return [f"{name}/{f}" for f in required if not (folder / f).is_file()]


def _geometry(root: Path, family: str, components: dict[str, str]) -> tuple[int, FrameRule]:
    """Size multiple and frame rule from the VAE's compression and the transformer's patch size."""
    vae = _read_json(root / "vae" / "config.json")
    transformer_name = "transformer" if "transformer" in components else "transformer_2"
    transformer = _read_json(root / transformer_name / "config.json")
    if family == "wan":
        spatial = int(vae.get("scale_factor_spatial") or 8)
        temporal = int(vae.get("scale_factor_temporal") or 4)
        patch = transformer.get("patch_size") or [1, 2, 2]
        spatial_patch = int(patch[1])
    else:
        scaling = sum(bool(s) for s in vae.get("spatio_temporal_scaling") or (True, True, True, False))
        spatial = int(vae.get("spatial_compression_ratio") or int(vae.get("patch_size") or 4) * 2**scaling)
        temporal = int(vae.get("temporal_compression_ratio") or int(vae.get("patch_size_t") or 1) * 2**scaling)
        spatial_patch = int(transformer.get("patch_size") or 1)
    size_multiple = math.lcm(FAMILY_SIZE_MULTIPLE[family], spatial * spatial_patch)
    frame_multiple = math.lcm(FAMILY_FRAME_MULTIPLE[family], temporal)
    return size_multiple, FrameRule(frame_multiple, 1)


def _pipelines(family: str, class_name: str, index: dict[str, Any]) -> tuple[str | None, str | None]:
    """Which text-to-video and image-to-video classes this folder can load."""
    if family == "ltx":
        return TEXT_TO_VIDEO["ltx"], IMAGE_TO_VIDEO["ltx"]
    # Wan 2.2 TI2V (`expand_timesteps`) conditions on the first latent frame: one folder does both.
    if index.get("expand_timesteps"):
        return TEXT_TO_VIDEO["wan"], IMAGE_TO_VIDEO["wan"]
    if class_name == IMAGE_TO_VIDEO["wan"]:
        return None, IMAGE_TO_VIDEO["wan"]
    return TEXT_TO_VIDEO["wan"], None


def inspect_folder(path: str | Path, *, family: str | None = None, model: str | None = None) -> ModelFolder:
    """Check `path` is a complete diffusers Wan or LTX-Video folder and describe it."""
    root = Path(path).expanduser()
    label = f"Model folder '{root}'" + (f" (model '{model}')" if model else "")
    if not root.is_dir():
        raise ConfigError(f"{label} does not exist. Set `path` to a local diffusers folder; nothing is downloaded.")
    if not (root / MODEL_INDEX).is_file():
        raise ConfigError(f"{label} is incomplete: missing {MODEL_INDEX} (not a diffusers pipeline folder).")
    index = _read_json(root / MODEL_INDEX)
    class_name = str(index.get("_class_name", ""))
    detected = PIPELINE_FAMILY.get(class_name)
    if detected is None:
        raise ConfigError(
            f"{label} holds a '{class_name}', which this backend does not run. "
            f"Supported pipelines: {', '.join(PIPELINE_FAMILY)}."
        )
    if family is not None and family != detected:
        raise ConfigError(f"{label} holds a {detected} model ({class_name}), but settings say family '{family}'.")
    components = _components(index)
    missing = [item for name, cls in components.items() for item in _missing_in_component(root, name, cls)]
    if missing:
        raise ConfigError(f"{label} is incomplete: missing {', '.join(missing)}.")
    size_multiple, frame_rule = _geometry(root, detected, components)
    text_class, image_class = _pipelines(detected, class_name, index)
    defaults_file = root / FOLDER_DEFAULTS_FILE
    defaults = _read_json(defaults_file) if defaults_file.is_file() else {}
    # Wan 2.1 and 2.2 A14B run at 16 fps; Wan 2.2 TI2V-5B and LTX-Video at 24.
    native_fps = 24 if detected == "ltx" or index.get("expand_timesteps") else 16
    return ModelFolder(
        path=root,
        family=detected,
        pipeline_class=class_name,
        text_to_video_class=text_class,
        image_to_video_class=image_class,
        size_multiple=size_multiple,
        frame_rule=frame_rule,
        native_fps=native_fps,
        defaults=defaults,
    )
