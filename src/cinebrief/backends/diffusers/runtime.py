"""Loading pipelines offline, choosing device and dtypes, and keeping loaded pipelines warm between jobs.

Torch and diffusers are imported inside these functions only. A `PipelineCache` holds loaded pipelines,
most recently used last. Before it loads a folder it evicts the least recently used idle ones until the new
folder's estimated bytes fit its budget, so two models never need to fit at once. The text-, image- and
video-to-video pipelines of one folder share their modules (built from the base's components, each module
keeping the dtype it was loaded in), so they share one cache entry, counted once.

A pipeline runs one job at a time: `PipelineCache.lease` holds the entry's lock for the whole job (the
pipelines of one folder share a scheduler and modules, so two threads in one would corrupt each other).
Concurrency means more pipelines on more GPUs, never two threads in one. Two threads asking for the same
cold folder load it once.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cinebrief.backends.diffusers.speed import SpeedOptions, apply_speed, quantization_config
from cinebrief.errors import ConfigError

DTYPES = ("auto", "bfloat16", "float16", "float32")


@dataclass(frozen=True)
class RuntimeOptions:
    """Where and how a folder's pipelines run; part of the cache key."""

    device: str  # "cuda", "cuda:1", "cpu"
    dtype: str  # "bfloat16" | "float16" | "float32": every component not named in `component_dtypes`
    component_dtypes: tuple[tuple[str, str], ...] = ()  # (component, dtype), e.g. (("vae", "float32"),)
    cpu_offload: bool = False
    vae_tiling: bool = False
    speed: SpeedOptions = field(default_factory=SpeedOptions)

    def dtype_of(self, component: str) -> str:
        return dict(self.component_dtypes).get(component, self.dtype)

    def describe_dtypes(self) -> dict[str, str]:
        """`{"default": ..., "vae": ...}` as the job metadata records it."""
        return {"default": self.dtype, **dict(self.component_dtypes)}


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
    """The bytes of every parameter and buffer of the pipeline's torch modules, each module counted once."""
    import torch

    total = 0
    seen: set[int] = set()
    for component in pipeline.components.values():
        if isinstance(component, torch.nn.Module) and id(component) not in seen:
            seen.add(id(component))
            for tensor in [*component.parameters(), *component.buffers()]:
                total += tensor.numel() * tensor.element_size()
    return total


def folder_bytes(path: Path, options: RuntimeOptions) -> int:
    """The bytes a folder's weights will take once loaded in `options`' dtypes, read from the file headers."""
    from safetensors import safe_open

    sizes = {"float32": 4, "float16": 2, "bfloat16": 2}
    total = 0
    for weights in sorted(Path(path).glob("*/*.safetensors")):
        element = sizes.get(options.dtype_of(weights.parent.name), 2)
        with safe_open(str(weights), framework="pt") as handle:
            for key in handle.keys():  # noqa: SIM118 - safe_open is not a mapping
                count = 1
                for side in handle.get_slice(key).get_shape():
                    count *= side
                total += count * element
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
    """Load `class_name` from the local folder, strictly offline, in its dtypes, set up for speed and placed."""
    # The hub reads these when it is first imported; local_files_only covers the case it already was.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    import diffusers
    import torch

    quiet_libraries()
    pipeline_type = getattr(diffusers, class_name)
    dtypes = {name: getattr(torch, dtype) for name, dtype in options.describe_dtypes().items()}
    extra: dict[str, Any] = {}
    if (quantization := quantization_config(options.speed)) is not None:
        extra["quantization_config"] = quantization
    if options.device.startswith("cuda") and not (options.cpu_offload or options.speed.group_offload):
        extra["device_map"] = options.device  # weights go straight to the GPU, no host copy first
    try:
        pipeline = pipeline_type.from_pretrained(str(path), dtype=dtypes, local_files_only=True, **extra)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"Model folder '{path}' could not be loaded as {class_name}: {exc}") from None
    pipeline.set_progress_bar_config(disable=True)
    apply_speed(pipeline, options.speed, compute_dtype=options.dtype)
    place(pipeline, options)
    return pipeline


def derive_pipeline(base: Any, class_name: str) -> Any:
    """Another pipeline class over the base's modules: no copy, and every module keeps its dtype and device.

    (`from_pipe` without a dtype casts every shared module to float32; building the class from the base's
    components keeps each one as loaded.) Config values both classes know, such as Wan's `expand_timesteps`
    and `boundary_ratio`, are carried over.
    """
    import diffusers

    quiet_libraries()
    pipeline_type = getattr(diffusers, class_name)
    expected, optional = pipeline_type._get_signature_keys(pipeline_type)
    components = base.components
    modules = {name: components.get(name) for name in expected}
    config = {name: base.config[name] for name in optional if name in base.config and name not in components}
    pipeline = pipeline_type(**modules, **config)
    pipeline.set_progress_bar_config(disable=True)
    return pipeline


def place(pipeline: Any, options: RuntimeOptions) -> None:
    """Put the modules where they run: offloaded, grouped, or all on the device; VAE tiling."""
    if options.cpu_offload and options.device.startswith("cuda"):
        pipeline.enable_model_cpu_offload(device=options.device)
    elif options.speed.group_offload:
        import torch

        pipeline.enable_group_offload(
            onload_device=torch.device(options.device),
            offload_device=torch.device("cpu"),
            offload_type="leaf_level",
            use_stream=options.device.startswith("cuda"),
        )
    else:
        pipeline.to(options.device)  # a no-op for weights that were loaded straight onto the device
    if options.vae_tiling and hasattr(pipeline.vae, "enable_tiling"):
        pipeline.vae.enable_tiling()


@dataclass
class _Entry:
    pipelines: dict[str, Any]
    nbytes: int
    active: str  # the class whose offload hooks are attached
    lock: threading.Lock = field(default_factory=threading.Lock)  # held by the one job running on it

    @property
    def busy(self) -> bool:
        return self.lock.locked()


Loader = Callable[[Path, str, RuntimeOptions], Any]
Estimator = Callable[[Path, RuntimeOptions], int]


class PipelineCache:
    """Loaded pipelines by (folder, runtime options), least recently used evicted before a load past the budget."""

    def __init__(self, budget_bytes: int | None = None) -> None:
        self.budget_bytes = budget_bytes
        self._entries: OrderedDict[tuple[str, RuntimeOptions], _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._loading: dict[tuple[str, RuntimeOptions], threading.Lock] = {}
        self.loads = 0  # how many times a folder was read from disk
        self.evictions = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def nbytes(self) -> int:
        return sum(entry.nbytes for entry in self._entries.values())

    def keys(self) -> list[tuple[str, RuntimeOptions]]:
        return list(self._entries)

    @contextmanager
    def lease(
        self,
        path: Path,
        class_name: str,
        options: RuntimeOptions,
        *,
        loader: Loader = load_pipeline,
        estimate: Estimator = folder_bytes,
        budget_bytes: int | None = None,
    ) -> Iterator[Any]:
        """The pipeline of `class_name` over the folder's weights, held by this job alone until the block ends."""
        key = (str(Path(path).resolve()), options)
        entry = self._entry(key, class_name, loader, estimate, budget_bytes)
        with entry.lock:
            if class_name not in entry.pipelines:
                base = next(iter(entry.pipelines.values()))
                entry.pipelines[class_name] = derive_pipeline(base, class_name)
            pipeline = entry.pipelines[class_name]
            if entry.active != class_name and options.cpu_offload and options.device.startswith("cuda"):
                pipeline.enable_model_cpu_offload(device=options.device)  # offload hooks belong to one pipeline
            entry.active = class_name
            yield pipeline

    def get(self, path: Path, class_name: str, options: RuntimeOptions, **kwargs: Any) -> Any:
        """The pipeline without holding it (for inspection; jobs use `lease`)."""
        with self.lease(path, class_name, options, **kwargs) as pipeline:
            return pipeline

    def _entry(
        self,
        key: tuple[str, RuntimeOptions],
        class_name: str,
        loader: Loader,
        estimate: Estimator,
        budget_bytes: int | None,
    ) -> _Entry:
        with self._lock:
            if (entry := self._entries.get(key)) is not None:
                self._entries.move_to_end(key)
                return entry
            loading = self._loading.setdefault(key, threading.Lock())
        with loading:  # one load per folder, whoever asks first; the others wait for it
            with self._lock:
                if (entry := self._entries.get(key)) is not None:
                    return entry
            path, options = Path(key[0]), key[1]
            budget = budget_bytes or self.budget_bytes or default_budget_bytes(options.device)
            self._evict(budget - estimate(path, options))
            pipeline = loader(path, class_name, options)
            entry = _Entry({class_name: pipeline}, pipeline_bytes(pipeline), class_name)
            with self._lock:
                self.loads += 1
                self._entries[key] = entry
                self._loading.pop(key, None)
            return entry

    def _evict(self, room: int) -> None:
        """Drop idle entries, least recently used first, until what stays loaded fits in `room` bytes."""
        evicted = False
        with self._lock:
            for key in list(self._entries):
                if self.nbytes <= room:
                    break
                if not self._entries[key].busy:
                    del self._entries[key]
                    self.evictions += 1
                    evicted = True
        if evicted:
            release_memory()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
        release_memory()


def release_memory() -> None:
    import gc

    gc.collect()
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is present whenever a pipeline was loaded
        return
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


SHARED_CACHE = PipelineCache()  # one per process: pipelines stay warm across backend instances and jobs
