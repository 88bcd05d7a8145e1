"""The `remote` backend: forwards a job to another /v1/videos server with the official openai SDK.

Generating one clip, in order:
1. if an earlier attempt checkpointed an upstream id, resume polling it (never pay for a second job);
2. otherwise create the upstream job (or a remix of the source's upstream job) and checkpoint its id
   and polling deadline BEFORE the first poll;
3. poll until it completes or fails, reporting its progress, within our own deadline (the SDK has none);
4. a failed upstream job fails ours with the upstream's code and message;
5. download all three variants into the output folder.

Model settings (`[models.NAME]` in cinebrief.toml): `base_url`, `api_key`, `upstream_model` (default: the
same name), `poll_interval_seconds`, `deadline_seconds`, `request_timeout_seconds`, `max_retries`.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cinebrief.backends.base import (
    OUTPUT_FILES,
    CancelledFn,
    CheckpointFn,
    GenerationRequest,
    GenerationResult,
    ProgressFn,
)
from cinebrief.contract.answers import answer_message
from cinebrief.contract.capabilities import Capabilities
from cinebrief.contract.profile import SIZE_720P, SIZE_PRO_TALL_WIDE, STANDARD_SECONDS
from cinebrief.contract.reference import MIME_TYPES, sniff_format
from cinebrief.errors import BackendError, CancelledError, ConfigError

if TYPE_CHECKING:
    from openai import OpenAI
    from openai.types import Video as UpstreamVideo


class RemoteBackend:
    """Another /v1/videos server (cinebrief or any compatible one) as a backend."""

    name = "remote"

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        upstream_model: str | None = None,
        poll_interval_seconds: float = 2.0,
        deadline_seconds: float = 3600.0,
        request_timeout_seconds: float = 120.0,
        max_retries: int = 3,
    ) -> None:
        for key, value in (("base_url", base_url), ("api_key", api_key), ("upstream_model", upstream_model)):
            if value is not None and not isinstance(value, str):
                raise ConfigError(f"remote backend: `{key}` must be text, got {value!r}.")
        for key, seconds in (
            ("poll_interval_seconds", poll_interval_seconds),
            ("deadline_seconds", deadline_seconds),
            ("request_timeout_seconds", request_timeout_seconds),
        ):  # 0 would poll in a tight loop; nan and inf (TOML allows them) would never end a wait
            if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not 0 < seconds < math.inf:
                raise ConfigError(f"remote backend: `{key}` must be a number above 0, got {seconds!r}.")
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            wanted = "a whole number of 0 or more"
            raise ConfigError(f"remote backend: `max_retries` must be {wanted}, got {max_retries!r}.")
        if not base_url.startswith(("http://", "https://")):
            raise ConfigError(f"remote backend: base_url '{base_url}' must be an http(s) URL ending in /v1.")
        self.base_url = base_url
        self.api_key = api_key
        self.upstream_model = upstream_model
        self.poll_interval_seconds = float(poll_interval_seconds)
        self.deadline_seconds = float(deadline_seconds)
        self.request_timeout_seconds = float(request_timeout_seconds)
        self.max_retries = int(max_retries)

    def capabilities(self, model: str) -> Capabilities:
        """Sora model names keep the contract's sizes; any other name leaves the sizes to the upstream."""
        upstream = self.upstream_model or model
        if upstream.startswith("sora-2"):
            sizes = SIZE_720P + SIZE_PRO_TALL_WIDE if upstream.startswith("sora-2-pro") else SIZE_720P
        else:
            sizes = ()
        return Capabilities(
            backend=self.name,
            sizes=sizes,
            seconds=STANDARD_SECONDS,
            notes=f"forwards to {self.base_url} as '{upstream}'",
        )

    def client(self) -> OpenAI:
        from openai import OpenAI

        return OpenAI(
            base_url=self.base_url,
            api_key=self.api_key or "no-key",
            max_retries=self.max_retries,
            timeout=self.request_timeout_seconds,
        )

    def generate(
        self,
        request: GenerationRequest,
        output_dir: Path,
        *,
        progress: ProgressFn,
        cancelled: CancelledFn,
        checkpoint: CheckpointFn = lambda state: None,
    ) -> GenerationResult:
        import openai

        client = self.client()
        try:
            # 1. and 2. resume or create, and checkpoint before polling
            state = dict(request.resume_state)
            if not state.get("upstream_id"):
                upstream = self._create(client, request)
                state = {"upstream_id": upstream.id, "deadline_at": time.time() + self.deadline_seconds}
                checkpoint(state)
            upstream_id = str(state["upstream_id"])
            # 3. poll
            video = self._poll(client, upstream_id, float(state.get("deadline_at", 0)), progress, cancelled)
            # 4. an upstream failure is ours
            if video.status != "completed":
                error = video.error
                raise BackendError(
                    f"The upstream server {self.base_url} failed video '{upstream_id}': "
                    f"{error.message if error else 'no reason given'}",
                    code=error.code if error and error.code else "backend_error",
                )
            # 5. download every variant
            for variant, file_name in OUTPUT_FILES.items():
                client.videos.download_content(upstream_id, variant=variant).write_to_file(output_dir / file_name)  # type: ignore[arg-type]
        except openai.APIStatusError as exc:
            raise BackendError(
                f"The upstream server {self.base_url} answered {exc.status_code}: {answer_message(exc)}",
                code=exc.code or "backend_error",
            ) from None
        except openai.APIConnectionError as exc:
            raise BackendError(f"Cannot reach the upstream server {self.base_url}: {exc}") from None
        finally:
            client.close()
        return GenerationResult(directory=output_dir, metadata={"upstream_id": upstream_id, "base_url": self.base_url})

    def _create(self, client: OpenAI, request: GenerationRequest) -> UpstreamVideo:
        headers = {"Idempotency-Key": _idempotency_key(request)}
        source_state: Mapping[str, Any] = request.remix.resume_state if request.remix is not None else {}
        if request.remix is not None and source_state.get("upstream_id"):
            return client.videos.remix(
                str(source_state["upstream_id"]), prompt=request.remix.change, extra_headers=headers
            )
        arguments: dict[str, Any] = {
            "prompt": request.prompt,
            "model": self.upstream_model or request.model,
            "size": request.size,
            "seconds": request.seconds,
        }
        if request.input_reference is not None:
            image_format = sniff_format(request.input_reference) or "png"
            arguments["input_reference"] = (
                f"input_reference.{image_format}",
                request.input_reference,
                MIME_TYPES.get(image_format, "image/png"),
            )
        return client.videos.create(**arguments, extra_headers=headers)

    def _poll(
        self, client: OpenAI, upstream_id: str, deadline_at: float, progress: ProgressFn, cancelled: CancelledFn
    ) -> UpstreamVideo:
        import openai

        deadline_at = deadline_at or time.time() + self.deadline_seconds
        while True:
            try:
                video = client.videos.retrieve(upstream_id)
            except openai.APIConnectionError:
                video = None  # the upstream may be restarting: keep polling until the deadline
            if video is not None:
                if video.status in ("completed", "failed"):
                    return video
                if video.progress:
                    progress(video.progress / 100)
            if time.time() > deadline_at:
                raise BackendError(
                    f"The upstream video '{upstream_id}' on {self.base_url} did not finish within "
                    f"{self.deadline_seconds:.0f} s.",
                    code="timeout",
                )
            _sleep(self.poll_interval_seconds, cancelled)


def _sleep(seconds: float, cancelled: CancelledFn) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if cancelled():
            raise CancelledError("Stopped while polling the upstream server; polling resumes on the next start.")
        time.sleep(min(0.1, max(0.0, end - time.monotonic())))


def _idempotency_key(request: GenerationRequest) -> str:
    """The same request (seed included) gets the same key, so a retried create is not billed twice."""
    digest = hashlib.sha256()
    for part in (request.prompt, request.model, request.size, request.seconds, str(request.seed)):
        digest.update(part.encode() + b"\0")
    digest.update(request.input_reference or b"")
    if request.remix is not None:
        digest.update(f"{request.remix.video_id}\0{request.remix.change}".encode())
    return f"cinebrief-{digest.hexdigest()[:48]}"
