"""Settings: the one module that reads `cinebrief.toml` and the `CINEBRIEF_*` environment variables.

Where settings come from, later ones winning:

1. the defaults below (models `sora-2`, `sora-2-pro` and their dated aliases route to `previz`);
2. the TOML file: `--config PATH`, else `$CINEBRIEF_CONFIG`, else `./cinebrief.toml` when it exists;
3. environment variables (`CINEBRIEF_API_KEYS` is comma-separated; see `ENVIRONMENT`);
4. explicit overrides from the command line (`load_settings(..., overrides=...)`).

Example::

    [server]
    host = "127.0.0.1"
    port = 8000
    api_keys = ["sk-local-1"]          # each key sees only its own videos
    admin_keys = ["sk-admin-1"]        # sees every key's videos
    max_queued_per_key = 50            # 0 (default): no limit
    retention_seconds = 3600          # 0: assets never expire

    [models.wan-small]
    backend = "diffusers"
    path = "/models/wan-1.3b"         # anything besides `backend` goes to the backend's constructor

    [models.sora-2]
    backend = "remote"
    base_url = "http://gpu-box:8000/v1"
    api_key = "sk-upstream"

    [backends.previz]
    concurrency = 2

    [webhooks]
    url = "http://127.0.0.1:9000/hooks"
    secret = "whsec_..."
"""

from __future__ import annotations

import ipaddress
import os
import socket
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from cinebrief.contract.profile import OFFICIAL_MODELS
from cinebrief.errors import ConfigError, explain_invalid

CONFIG_FILE_NAME = "cinebrief.toml"
CONFIG_ENV = "CINEBRIEF_CONFIG"
DATABASE_FILE_NAME = "cinebrief.db"
DEFAULT_BACKEND = "previz"


def is_loopback(host: str) -> bool:
    """An address literal is parsed; a name is resolved, and every address it gives must be loopback
    (`127.attacker.example` is a name, not an address). A name that does not resolve is not loopback."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return False
    addresses = {str(info[4][0]).split("%")[0] for info in found}
    return bool(addresses) and all(ipaddress.ip_address(address).is_loopback for address in addresses)


THREAD_BACKENDS = ("remote",)  # they only poll another server: no need for a process of their own
# One worker per GPU by default, worker i pinned to GPU i; on the Ray executor each worker takes one GPU
# unless told otherwise.
GPU_BACKENDS = ("diffusers",)

# Environment variable -> (section, key). Lists are comma-separated.
ENVIRONMENT: dict[str, tuple[str, str]] = {
    "CINEBRIEF_HOST": ("server", "host"),
    "CINEBRIEF_PORT": ("server", "port"),
    "CINEBRIEF_API_KEYS": ("server", "api_keys"),
    "CINEBRIEF_ADMIN_KEYS": ("server", "admin_keys"),
    "CINEBRIEF_MAX_QUEUED_PER_KEY": ("server", "max_queued_per_key"),
    "CINEBRIEF_DATA_DIR": ("server", "data_dir"),
    "CINEBRIEF_DATABASE_URL": ("server", "database_url"),
    "CINEBRIEF_RETENTION_SECONDS": ("server", "retention_seconds"),
    "CINEBRIEF_PROFILE": ("server", "profile"),
    "CINEBRIEF_POLL_AFTER_MS": ("server", "poll_after_ms"),
    "CINEBRIEF_MAX_REQUEST_BYTES": ("server", "max_request_bytes"),
    "CINEBRIEF_LEASE_SECONDS": ("server", "lease_seconds"),
    "CINEBRIEF_EXECUTOR": ("executor", "kind"),
    "CINEBRIEF_RAY_ADDRESS": ("executor", "address"),
    "CINEBRIEF_WEBHOOK_URL": ("webhooks", "url"),
    "CINEBRIEF_WEBHOOK_SECRET": ("webhooks", "secret"),
    "CINEBRIEF_WEBHOOK_MAX_ATTEMPTS": ("webhooks", "max_attempts"),
}
_LIST_KEYS = {("server", "api_keys"), ("server", "admin_keys")}


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ServerSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    # Each key is a tenant: it sees only the videos, characters and Idempotency-Keys it made.
    api_keys: list[str] = Field(default_factory=list)
    admin_keys: list[str] = Field(default_factory=list)  # authenticate too, and see and act on every key's rows
    # A create, remix, edit or extension beyond this many queued + running jobs of one key is a 429; 0: no limit.
    max_queued_per_key: int = Field(0, ge=0)
    data_dir: Path = Path(".cinebrief")
    database_url: str | None = None  # default: SQLite (WAL) at data_dir/cinebrief.db
    retention_seconds: int = Field(3600, ge=0)  # 0: assets never expire
    profile: Literal["standard", "extended"] = "standard"
    poll_after_ms: int = Field(2000, ge=0)
    # A data: URL input_reference may be up to 20 MiB of text; leave room for the rest of the body.
    max_request_bytes: int = Field(32 * 1024 * 1024, ge=1024)
    # A running job's lease: renewed by its worker every third of this; a job whose lease ran out (its
    # server was killed, its node lost) is taken by another worker. Longer: slower recovery after a crash.
    lease_seconds: float = Field(30.0, ge=1.0, le=3600.0)

    @field_validator("api_keys", "admin_keys")
    @classmethod
    def _no_blank_keys(cls, keys: list[str]) -> list[str]:
        return [key.strip() for key in keys if key.strip()]

    @property
    def all_keys(self) -> list[str]:
        """Every key that authenticates: the tenants' and the admins'. Empty: no authentication (loopback)."""
        return [*self.api_keys, *self.admin_keys]

    @property
    def loopback_only(self) -> bool:
        """True only when every address `host` stands for is a loopback address (a name is resolved)."""
        return is_loopback(self.host)

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / DATABASE_FILE_NAME}"


class ModelSettings(BaseModel):
    """One served model: the backend it routes to and that backend's settings (every other key).

    `workers`, `num_gpus`, `num_cpus` and `warm` place the model's pool on the Ray executor and are not
    passed to the backend.
    """

    model_config = ConfigDict(extra="allow")

    backend: str = DEFAULT_BACKEND
    workers: int | None = Field(None, ge=1, le=256)  # Ray actors in this model's pool (default 1)
    num_gpus: float | None = Field(None, ge=0)  # per actor; default 1 for diffusers, 0 otherwise
    num_cpus: float | None = Field(None, ge=0)  # per actor; default 1
    warm: bool | None = None  # true: each actor builds its backend at start, not on its first job

    @property
    def backend_settings(self) -> dict[str, Any]:
        return dict(self.model_extra or {})

    @property
    def placement(self) -> tuple[int, float, float]:
        """(workers, GPUs per worker, CPUs per worker) on the Ray executor."""
        gpus = self.num_gpus if self.num_gpus is not None else (1.0 if self.backend in GPU_BACKENDS else 0.0)
        return self.workers or 1, gpus, self.num_cpus if self.num_cpus is not None else 1.0

    def ray_keys(self) -> list[str]:
        return [key for key in ("workers", "num_gpus", "num_cpus", "warm") if getattr(self, key) is not None]


class BackendSettings(_Section):
    # How many jobs run at once; None: one per visible GPU for GPU backends, else 1.
    concurrency: int | None = Field(None, ge=1, le=64)
    # "process": each worker renders in its own child process, so rendering never slows the API down;
    # "thread": in the server's process (cheaper for backends that only wait). None: the backend's default.
    isolation: Literal["process", "thread"] | None = None


class ExecutorSettings(_Section):
    """Where jobs render: "local" (worker threads and child processes of this server, the default) or "ray"
    (a pool of Ray actors per model, on the machines of a Ray cluster)."""

    kind: Literal["local", "ray"] = "local"
    # "local": start a one-machine Ray cluster in this process; "auto": join the cluster `ray start` runs on
    # this machine; "ray://host:10001": a remote cluster through Ray Client; or a cluster's "host:port".
    address: str = "local"


class WebhookSettings(_Section):
    url: str | None = None
    secret: str | None = None  # `whsec_<base64>` (Standard Webhooks); any other text is used as UTF-8 bytes
    max_attempts: int = Field(5, ge=1, le=20)
    timeout_seconds: float = Field(10.0, gt=0)
    backoff_seconds: float = Field(1.0, gt=0)  # first retry after this, doubling each time

    @property
    def enabled(self) -> bool:
        return bool(self.url)

    @model_validator(mode="after")
    def _secret_with_url(self) -> WebhookSettings:
        if self.url and not self.secret:
            raise ValueError("webhooks.url is set but webhooks.secret is not; deliveries must be signed (whsec_...)")
        return self


def visible_gpus() -> list[str]:
    """The GPUs this process may use: `CUDA_VISIBLE_DEVICES` when set, else every CUDA device torch sees."""
    listed = os.environ.get("CUDA_VISIBLE_DEVICES")
    if listed is not None:
        return [gpu.strip() for gpu in listed.split(",") if gpu.strip() and not gpu.strip().startswith("-")]
    import importlib.util

    if importlib.util.find_spec("torch") is None:
        return []
    import torch

    return [str(index) for index in range(torch.cuda.device_count())]


def gpu_for_worker(backend: str, index: int) -> str | None:
    """The GPU worker `index` of `backend` is pinned to (GPU i for worker i), or None for CPU backends."""
    if backend not in GPU_BACKENDS:
        return None
    gpus = visible_gpus()
    return gpus[index % len(gpus)] if gpus else None


def _default_models() -> dict[str, ModelSettings]:
    return {name: ModelSettings(backend=DEFAULT_BACKEND) for name in OFFICIAL_MODELS}


class Settings(_Section):
    server: ServerSettings = Field(default_factory=ServerSettings)
    models: dict[str, ModelSettings] = Field(default_factory=_default_models)
    backends: dict[str, BackendSettings] = Field(default_factory=dict)
    webhooks: WebhookSettings = Field(default_factory=WebhookSettings)
    executor: ExecutorSettings = Field(default_factory=ExecutorSettings)
    config_path: Path | None = None  # the file these settings came from, if any

    def backend_for(self, backend: str) -> BackendSettings:
        return self.backends.get(backend) or BackendSettings()

    def concurrency_for(self, backend: str) -> int:
        """The configured concurrency, or one worker per GPU for GPU backends (at least one)."""
        configured = self.backend_for(backend).concurrency
        if configured is not None:
            return configured
        if backend in GPU_BACKENDS:
            return max(1, len(visible_gpus()))
        return 1

    def isolation_for(self, backend: str) -> str:
        """Renders run in child processes, except for backends that only wait on the network."""
        return self.backend_for(backend).isolation or ("thread" if backend in THREAD_BACKENDS else "process")

    def model(self, name: str) -> ModelSettings | None:
        return self.models.get(name)

    def on_ray(self, backend: str) -> bool:
        """Whether jobs of `backend` run on Ray actors (backends that only wait on the network stay local)."""
        return self.executor.kind == "ray" and backend not in THREAD_BACKENDS

    @model_validator(mode="after")
    def _backends_in_use(self) -> Settings:
        """A [backends.NAME] section applies to the models of that backend: one that no model uses (a typo,
        say `previs`) would be dropped silently, so it is refused."""
        used = sorted({model.backend for model in self.models.values()})
        for name in sorted(set(self.backends) - set(used)):
            raise ValueError(
                f"[backends.{name}] applies to no model: no model uses a backend named '{name}'. "
                f"The models' backends: {', '.join(used)}."
            )
        return self

    @model_validator(mode="after")
    def _ray_keys_need_ray(self) -> Settings:
        if self.executor.kind == "local":
            for name, model in self.models.items():
                if keys := model.ray_keys():
                    raise ValueError(
                        f"models.{name}.{keys[0]} places workers on the Ray executor, but [executor] kind is "
                        "'local'; set [executor] kind = 'ray' or remove it"
                    )
        return self


def find_config(config: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Path | None:
    """The config file to read: the explicit path (must exist), `$CINEBRIEF_CONFIG`, or `./cinebrief.toml`."""
    environ = os.environ if environ is None else environ
    explicit = config if config is not None else environ.get(CONFIG_ENV) or None
    if explicit is not None:
        path = Path(explicit).expanduser()
        if not path.is_file():
            source = "--config" if config is not None else f"${CONFIG_ENV}"
            raise ConfigError(f"Config file '{path}' (from {source}) does not exist.")
        return path
    default = Path(CONFIG_FILE_NAME)
    return default if default.is_file() else None


def load_settings(
    config: str | Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> Settings:
    """Defaults, then the TOML file, then `CINEBRIEF_*` variables, then `overrides` ({section: {key: value}})."""
    environ = os.environ if environ is None else environ
    path = find_config(config, environ)
    data: dict[str, Any] = _read_toml(path) if path else {}
    file_data_dir = data.get("server", {}).get("data_dir")
    if path is not None and isinstance(file_data_dir, str) and not Path(file_data_dir).expanduser().is_absolute():
        # A relative data_dir in the file is relative to the file; from env or flags, to the working dir.
        data["server"]["data_dir"] = str(path.parent / file_data_dir)
    for variable, (section, key) in ENVIRONMENT.items():
        raw = environ.get(variable)
        if raw is None or raw == "":
            continue
        value: Any = raw.split(",") if (section, key) in _LIST_KEYS else raw
        data.setdefault(section, {})[key] = value
    for section, values in (overrides or {}).items():
        data.setdefault(section, {}).update({key: value for key, value in values.items() if value is not None})
    if "models" in data:
        # Configured models add to (or replace) the defaults; they do not remove the official aliases.
        data["models"] = {**{name: {"backend": DEFAULT_BACKEND} for name in OFFICIAL_MODELS}, **data["models"]}
    try:
        settings = Settings.model_validate({**data, "config_path": path})
    except ValidationError as exc:
        raise ConfigError(_describe(exc, path)) from None
    settings.server.data_dir = settings.server.data_dir.expanduser().resolve()
    return settings


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}).") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror}).") from None


def _describe(exc: ValidationError, path: Path | None) -> str:
    where = str(path) if path else "settings"
    problems = []
    for error in exc.errors():
        field = ".".join(str(part) for part in error["loc"])  # empty for a check of the whole file
        problems.append(f"{where}: {f'{field!r}: ' if field else ''}{explain_invalid(error)}")
    return "; ".join(problems)
