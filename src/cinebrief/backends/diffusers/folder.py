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

from cinebrief.backends.diffusers.families import FAMILIES, PIPELINE_FAMILY, Variant, variant_for
from cinebrief.backends.diffusers.mapping import OVERRIDABLE
from cinebrief.contract.capabilities import FrameRule
from cinebrief.errors import ConfigError

__all__ = ["FAMILIES", "FOLDER_DEFAULTS_FILE", "MODEL_INDEX", "ModelFolder", "inspect_folder"]

MODEL_INDEX = "model_index.json"
FOLDER_DEFAULTS_FILE = "cinebrief.json"  # optional per-folder defaults (fps, steps, max_area, ...)

_WEIGHT_SUFFIXES = (".safetensors", ".bin")
_TOKENIZER_FILES = ("tokenizer.json", "spiece.model", "vocab.json")


@dataclass(frozen=True)
class ModelFolder:
    """A checked model folder and the numbers its configs imply."""

    path: Path
    variant: Variant
    pipeline_class: str  # the folder's own class (model_index `_class_name`)
    size_multiple: int
    frame_rule: FrameRule
    defaults: dict[str, Any] = field(default_factory=dict)  # from cinebrief.json, when the folder has one

    @property
    def family(self) -> str:
        return self.variant.family

    @property
    def text_to_video_class(self) -> str | None:
        return self.variant.text_to_video

    @property
    def image_to_video_class(self) -> str | None:
        return self.variant.image_to_video

    @property
    def video_to_video_class(self) -> str | None:
        return self.variant.video_to_video

    @property
    def modes(self) -> str:
        """`t2v`, `i2v` or `ti2v`: what the folder can make from a prompt and an image."""
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
    elif class_name.endswith("Guidance"):  # a guider (HunyuanVideo 1.5): its settings, no weights
        required = ("guider_config.json",)
    elif "Tokenizer" in class_name:
        # A byte-level tokenizer (ByT5) has no vocabulary file: its tokenizer_config.json is all there is.
        found = any((folder / f).is_file() for f in (*_TOKENIZER_FILES, "tokenizer_config.json"))
        return [] if found else [f"{name}/tokenizer.json"]
    elif "Processor" in class_name:
        required = ("preprocessor_config.json",)
    else:
        required = ("config.json",)
        missing = [f"{name}/{f}" for f in required if not (folder / f).is_file()]
        return missing + _missing_weights(folder)
    return [f"{name}/{f}" for f in required if not (folder / f).is_file()]


def _compression(vae: dict[str, Any], family: str) -> tuple[int, int]:
    """The VAE's spatial and temporal compression, from its config."""
    if family == "wan":
        return int(vae.get("scale_factor_spatial") or 8), int(vae.get("scale_factor_temporal") or 4)
    if vae.get("spatial_compression_ratio"):
        return int(vae["spatial_compression_ratio"]), int(vae.get("temporal_compression_ratio") or 4)
    # LTX-style VAEs: every scaling block halves the sides (and, unless it is spatial only, the frames).
    scaling = vae.get("spatio_temporal_scaling") or (True, True, True, False)
    kinds = vae.get("downsample_type") or ["spatiotemporal"] * len(scaling)
    spatial = sum(bool(on) and kind != "temporal" for on, kind in zip(scaling, kinds, strict=False))
    temporal = sum(bool(on) and kind != "spatial" for on, kind in zip(scaling, kinds, strict=False))
    patch = int(vae.get("patch_size") or 1)
    return patch * 2**spatial, int(vae.get("patch_size_t") or 1) * 2**temporal


def _geometry(root: Path, variant: Variant, components: dict[str, str]) -> tuple[int, FrameRule]:
    """Size multiple and frame rule from the VAE's compression and the transformer's patch size."""
    vae = _read_json(root / "vae" / "config.json")
    transformer_name = "transformer" if "transformer" in components else "transformer_2"
    transformer = _read_json(root / transformer_name / "config.json")
    spatial, temporal = _compression(vae, variant.family)
    patch = transformer.get("patch_size") or 1
    spatial_patch = int(patch[-1]) if isinstance(patch, list) else int(patch)
    size_multiple = math.lcm(variant.size_multiple, spatial * spatial_patch)
    frame_multiple = math.lcm(variant.frame_multiple, temporal)
    return size_multiple, FrameRule(frame_multiple, 1)


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
    variant = variant_for(class_name, index)
    size_multiple, frame_rule = _geometry(root, variant, components)
    defaults_file = root / FOLDER_DEFAULTS_FILE
    defaults = _read_json(defaults_file) if defaults_file.is_file() else {}
    allowed = ("family", *OVERRIDABLE)  # the values are checked where they are applied (`ModelDefaults`)
    if unknown := sorted(set(defaults) - set(allowed)):
        raise ConfigError(f"'{defaults_file}' has unknown key(s) {', '.join(unknown)}. Allowed: {', '.join(allowed)}.")
    if defaults.get("family", detected) != detected:
        raise ConfigError(
            f"'{defaults_file}' says family '{defaults['family']}', but the folder holds a {detected} model "
            f"({class_name})."
        )
    return ModelFolder(
        path=root,
        variant=variant,
        pipeline_class=class_name,
        size_multiple=size_multiple,
        frame_rule=frame_rule,
        defaults=defaults,
    )
