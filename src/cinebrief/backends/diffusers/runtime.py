"""Loading pipelines offline, choosing device and dtype, and keeping loaded pipelines warm between jobs.

Torch and diffusers are imported inside these functions only. A `PipelineCache` holds loaded pipelines,
most recently used last, and evicts the least recently used ones when the estimated bytes of their weights
would pass its budget. The text- and image-to-video pipelines of one folder share their weights
(`from_pipe`), so they share one cache entry and are counted once.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cinebrief.errors import ConfigError

DTYPES = ("auto", "bfloat16", "float16", "float32")


@dataclass(frozen=True)
class RuntimeOptions:
    """Where and how a folder's pipelines run; part of the cache key."""

    device: str  # "cuda", "cuda:1", "cpu"
    dtype: str  # "bfloat16" | "float16" | "float32"
    cpu_offload: bool = False
    vae_tiling: bool = False


def choose_device(setting: str = "auto") -> str:
    """CUDA when present (or when asked for), else the CPU."""
    import torch

    if setting == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if setting.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError(f"device '{setting}' was asked for, but torch sees no CUDA device. Use 'auto' or 'cpu'.")
    return setting


def choose_dtype(device: str, setting: str = "auto") -> str:
    """bfloat16 on CUDA (the dtype Wan and LTX-Video are trained in), float32 on CPU (bf16 is slow there)."""
    if setting not in DTYPES:
        raise ConfigError(f"dtype '{setting}' is not supported. Allowed: {', '.join(DTYPES)}.")
    if setting != "auto":
        return setting
    return "bfloat16" if device.startswith("cuda") else "float32"


def default_budget_bytes(device: str) -> int:
    """How many bytes of weights to keep loaded: 80 % of the GPU's memory, or half of the machine's RAM."""
    if device.startswith("cuda"):
        import torch

        return int(torch.cuda.get_device_properties(torch.device(device)).total_memory * 0.8)
    import psutil

    return int(psutil.virtual_memory().total * 0.5)


def pipeline_bytes(pipeline: Any) -> int:
    """The bytes of every parameter and buffer of the pipeline's torch modules."""
    import torch

    total = 0
    for component in pipeline.components.values():
        if isinstance(component, torch.nn.Module):
            for tensor in [*component.parameters(), *component.buffers()]:
                total += tensor.numel() * tensor.element_size()
    return total


def quiet_libraries() -> None:
    """Progress goes through our callback, not tqdm bars; notices such as the torchvision one are noise here."""
    from diffusers.utils import logging as diffusers_logging
    from huggingface_hub.utils import disable_progress_bars
    from transformers.utils import logging as transformers_logging

    diffusers_logging.set_verbosity_error()
    diffusers_logging.disable_progress_bar()
    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()
    disable_progress_bars()


def load_pipeline(path: Path, class_name: str, options: RuntimeOptions) -> Any:
    """Load `class_name` from the local folder, strictly offline, and apply the memory options."""
    # The hub reads these when it is first imported; local_files_only covers the case it already was.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    import diffusers
    import torch

    quiet_libraries()
    pipeline_type = getattr(diffusers, class_name)
    try:
        pipeline = pipeline_type.from_pretrained(str(path), dtype=getattr(torch, options.dtype), local_files_only=True)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"Model folder '{path}' could not be loaded as {class_name}: {exc}") from None
    pipeline.set_progress_bar_config(disable=True)
    apply_memory_options(pipeline, options)
    return pipeline


def derive_pipeline(base: Any, class_name: str, options: RuntimeOptions) -> Any:
    """Another pipeline class over the same loaded weights (no copy)."""
    import diffusers

    quiet_libraries()
    pipeline = getattr(diffusers, class_name).from_pipe(base)
    pipeline.set_progress_bar_config(disable=True)
    apply_memory_options(pipeline, options)
    return pipeline


def apply_memory_options(pipeline: Any, options: RuntimeOptions) -> None:
    """Model CPU offload (weights move to the GPU one component at a time) or all on the device; VAE tiling."""
    if options.cpu_offload and options.device.startswith("cuda"):
        pipeline.enable_model_cpu_offload(device=options.device)
    else:
        pipeline.to(options.device)
    if options.vae_tiling and hasattr(pipeline.vae, "enable_tiling"):
        pipeline.vae.enable_tiling()


@dataclass
class _Entry:
    pipelines: dict[str, Any]
    nbytes: int
    active: str
    lock: threading.Lock = field(default_factory=threading.Lock)


class PipelineCache:
    """Loaded pipelines by (folder, runtime options), least recently used evicted past `budget_bytes`."""

    def __init__(self, budget_bytes: int | None = None) -> None:
        self.budget_bytes = budget_bytes
        self._entries: OrderedDict[tuple[str, RuntimeOptions], _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self.loads = 0  # how many times a folder was read from disk
        self.evictions = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def nbytes(self) -> int:
        return sum(entry.nbytes for entry in self._entries.values())

    def keys(self) -> list[tuple[str, RuntimeOptions]]:
        return list(self._entries)

    def get(
        self,
        path: Path,
        class_name: str,
        options: RuntimeOptions,
        *,
        loader: Callable[[Path, str, RuntimeOptions], Any] = load_pipeline,
        budget_bytes: int | None = None,
    ) -> Any:
        """The pipeline of `class_name` over the folder's weights, loading the folder on first use."""
        key = (str(Path(path).resolve()), options)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
        if entry is None:
            pipeline = loader(Path(path), class_name, options)
            entry = _Entry({class_name: pipeline}, pipeline_bytes(pipeline), class_name)
            with self._lock:
                self.loads += 1
                self._entries[key] = entry
                self._evict(keep=key, budget=budget_bytes or self.budget_bytes or default_budget_bytes(options.device))
        with entry.lock:
            if class_name not in entry.pipelines:
                base = next(iter(entry.pipelines.values()))
                entry.pipelines[class_name] = derive_pipeline(base, class_name, options)
            elif entry.active != class_name and options.cpu_offload:
                apply_memory_options(entry.pipelines[class_name], options)  # re-attach the offload hooks
            entry.active = class_name
            return entry.pipelines[class_name]

    def _evict(self, *, keep: tuple[str, RuntimeOptions], budget: int) -> None:
        evicted = False
        while self.nbytes > budget and len(self._entries) > 1:
            oldest = next(iter(self._entries))
            if oldest == keep:
                break
            del self._entries[oldest]
            self.evictions += 1
            evicted = True
        if evicted:
            _release_memory()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
        _release_memory()


def _release_memory() -> None:
    import gc

    gc.collect()
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is present whenever a pipeline was loaded
        return
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


SHARED_CACHE = PipelineCache()  # one per process: pipelines stay warm across backend instances and jobs
