"""The speed and memory settings of one model, checked once, applied to a loaded pipeline's modules.

Each setting maps onto one diffusers feature, applied where diffusers documents it:

| setting             | what it does                                               | diffusers call            |
|---------------------|------------------------------------------------------------|---------------------------|
| `attention_backend` | the attention kernel of every transformer (offline only)   | `set_attention_backend`   |
| `compile`           | compiles the repeated blocks once per warm worker          | `compile_repeated_blocks` |
| `step_cache`        | skips transformer work on steps that barely change         | `enable_cache`            |
| `group_offload`     | streams weight groups to the GPU as they are needed        | `enable_group_offload`    |
| `fp8_storage`       | stores transformer weights in float8, computes in `dtype`  | `enable_layerwise_casting`|
| `quantization`      | quantizes the transformer at load time                     | `PipelineQuantizationConfig` |

`cpu_offload` and `vae_tiling` (memory, not speed) are applied with the placement in `runtime.place`.
Torch and diffusers are imported inside the functions only.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cinebrief.errors import ConfigError

# Attention kernels that run without downloading anything, and the package each needs when it is not torch's.
ATTENTION_BACKENDS: dict[str, str | None] = {
    "native": None,
    "_native_cudnn": None,
    "_native_flash": None,
    "_native_efficient": None,
    "flash": "flash_attn",
    "sage": "sageattention",
}
STEP_CACHES = ("first_block", "mag")
# `quantization = "BACKEND:TYPE"`: the backends diffusers drives and the package each needs.
QUANTIZATION_BACKENDS = {"torchao": "torchao", "bitsandbytes_8bit": "bitsandbytes", "bitsandbytes_4bit": "bitsandbytes"}
# torchao's kinds by their short names, and the torchao config class of each.
TORCHAO_KINDS = {
    "int8wo": "Int8WeightOnlyConfig",
    "int8dq": "Int8DynamicActivationInt8WeightConfig",
    "int4wo": "Int4WeightOnlyConfig",
    "float8wo": "Float8WeightOnlyConfig",
    "float8dq": "Float8DynamicActivationFloat8WeightConfig",
}
TRANSFORMERS = ("transformer", "transformer_2")  # Wan 2.2 A14B has two experts; each gets the same settings

SPEED_KEYS = (
    "attention_backend",
    "compile",
    "step_cache",
    "step_cache_threshold",
    "mag_ratios",
    "group_offload",
    "fp8_storage",
    "quantization",
)


@dataclass(frozen=True)
class SpeedOptions:
    """How a model's modules are set up for speed; all off by default (the authors' plain pipeline)."""

    attention_backend: str | None = None
    compile: bool = False
    step_cache: str | None = None  # "first_block" | "mag"
    step_cache_threshold: float | None = None  # the cache's own default when None
    mag_ratios: tuple[float, ...] = ()  # MagCache's per-model calibration (required for "mag")
    group_offload: bool = False
    fp8_storage: bool = False
    quantization: str | None = None  # "torchao:int8wo", "bitsandbytes_4bit:nf4", ...

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> SpeedOptions:
        """Check every speed setting; each error names the key, the value and what is allowed."""
        attention = values.get("attention_backend")
        if attention is not None:
            if str(attention).endswith("_hub"):
                raise ConfigError(
                    f"attention_backend '{attention}' downloads its kernel at run time, and this server never "
                    f"downloads. Allowed: {', '.join(ATTENTION_BACKENDS)}."
                )
            if attention not in ATTENTION_BACKENDS:
                raise ConfigError(
                    f"attention_backend '{attention}' is not supported. Allowed: {', '.join(ATTENTION_BACKENDS)}."
                )
        for flag in ("compile", "group_offload", "fp8_storage"):
            if not isinstance(values.get(flag, False), bool):
                raise ConfigError(f"`{flag}` must be true or false, got {values[flag]!r}.")
        step_cache = values.get("step_cache")
        if step_cache is not None and step_cache not in STEP_CACHES:
            raise ConfigError(f"step_cache '{step_cache}' is not supported. Allowed: {', '.join(STEP_CACHES)}.")
        threshold = values.get("step_cache_threshold")
        if threshold is not None and (isinstance(threshold, bool) or not isinstance(threshold, int | float)):
            raise ConfigError(f"`step_cache_threshold` must be a number, got {threshold!r}.")
        ratios = values.get("mag_ratios") or ()
        for tuning in ("step_cache_threshold", "mag_ratios"):
            if values.get(tuning) is not None and step_cache is None:
                raise ConfigError(
                    f"`{tuning}` tunes a step cache, but `step_cache` is not set; set step_cache to one of "
                    f"{', '.join(STEP_CACHES)} or remove `{tuning}`."
                )
        if step_cache == "mag" and not ratios:
            raise ConfigError(
                "step_cache 'mag' needs `mag_ratios`, the model's calibrated magnitude ratios (one number per step); "
                "use step_cache 'first_block' when you have none."
            )
        quantization = values.get("quantization")
        if quantization is not None:
            backend, _, kind = str(quantization).partition(":")
            if backend == "torchao" and kind not in TORCHAO_KINDS:
                raise ConfigError(f"quantization '{quantization}': torchao's kinds are {', '.join(TORCHAO_KINDS)}.")
            if backend not in QUANTIZATION_BACKENDS or not kind:
                raise ConfigError(
                    f"quantization '{quantization}' is not supported. Write BACKEND:TYPE with BACKEND one of "
                    f"{', '.join(QUANTIZATION_BACKENDS)} (e.g. 'torchao:int8wo', 'bitsandbytes_4bit:nf4')."
                )
        return cls(
            attention_backend=attention,
            compile=bool(values.get("compile", False)),
            step_cache=step_cache,
            step_cache_threshold=float(threshold) if threshold is not None else None,
            mag_ratios=tuple(float(ratio) for ratio in ratios),
            group_offload=bool(values.get("group_offload", False)),
            fp8_storage=bool(values.get("fp8_storage", False)),
            quantization=quantization,
        )

    def as_dict(self) -> dict[str, Any]:
        """The settings that are on, as `cinebrief models` and the job metadata show them."""
        shown = {
            "attention_backend": self.attention_backend,
            "compile": self.compile or None,
            "step_cache": self.step_cache,
            "step_cache_threshold": self.step_cache_threshold,
            "group_offload": self.group_offload or None,
            "fp8_storage": self.fp8_storage or None,
            "quantization": self.quantization,
        }
        return {key: value for key, value in shown.items() if value is not None}


def quantization_config(speed: SpeedOptions) -> Any:
    """The `PipelineQuantizationConfig` for `from_pretrained`, or None; a missing package is a `ConfigError`."""
    if speed.quantization is None:
        return None
    backend, _, kind = speed.quantization.partition(":")
    package = QUANTIZATION_BACKENDS[backend]
    if importlib.util.find_spec(package) is None:
        raise ConfigError(f"quantization '{speed.quantization}' needs the '{package}' package: pip install {package}")
    from diffusers import BitsAndBytesConfig, PipelineQuantizationConfig, TorchAoConfig

    if backend == "torchao":
        import torchao.quantization

        config: Any = TorchAoConfig(getattr(torchao.quantization, TORCHAO_KINDS[kind])())
    elif backend == "bitsandbytes_4bit":
        config = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type=kind)
    else:
        config = BitsAndBytesConfig(load_in_8bit=True)
    # The denoising transformers only: the text encoder and the VAE keep their dtypes.
    return PipelineQuantizationConfig(quant_mapping={name: config for name in TRANSFORMERS})


def transformers_of(pipeline: Any) -> list[Any]:
    """The pipeline's denoising transformers (one, or Wan 2.2 A14B's two experts)."""
    return [module for name in TRANSFORMERS if (module := getattr(pipeline, name, None)) is not None]


def apply_speed(pipeline: Any, speed: SpeedOptions, *, compute_dtype: str) -> None:
    """Set up the loaded pipeline's transformers for `speed` (placement is `runtime.place`'s job)."""
    import torch

    for transformer in transformers_of(pipeline):
        if speed.attention_backend is not None:
            package = ATTENTION_BACKENDS[speed.attention_backend]
            if package is not None and importlib.util.find_spec(package) is None:
                needs = f"needs the '{package}' package: pip install {package}"
                raise ConfigError(f"attention_backend '{speed.attention_backend}' {needs}")
            transformer.set_attention_backend(speed.attention_backend)
        if speed.fp8_storage:
            transformer.enable_layerwise_casting(
                storage_dtype=torch.float8_e4m3fn, compute_dtype=getattr(torch, compute_dtype)
            )
        if speed.step_cache is not None:
            transformer.enable_cache(_cache_config(speed))
        if speed.compile:
            transformer.compile_repeated_blocks(fullgraph=False)


def _cache_config(speed: SpeedOptions) -> Any:
    from diffusers import FirstBlockCacheConfig, MagCacheConfig

    threshold = {} if speed.step_cache_threshold is None else {"threshold": speed.step_cache_threshold}
    if speed.step_cache == "first_block":
        return FirstBlockCacheConfig(**threshold)
    return MagCacheConfig(mag_ratios=list(speed.mag_ratios), num_inference_steps=len(speed.mag_ratios), **threshold)
