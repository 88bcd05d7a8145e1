"""Commands: serve (the /v1/videos server), videos (a client of any /v1/videos server, via the openai SDK)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from cinebrief.cli.app import app
from cinebrief.cli.output import stdout
from cinebrief.contract.answers import sdk_errors
from cinebrief.errors import ConfigError, InputError, storage_error

if TYPE_CHECKING:
    from openai import OpenAI

videos_app = typer.Typer(
    name="videos",
    help="Work with the videos of any /v1/videos server (cinebrief serve, or another).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(videos_app)

VARIANT_SUFFIXES = {"video": "mp4", "thumbnail": "webp", "spritesheet": "jpg"}


def writable_data_dir(folder: Path) -> None:
    """The data folder exists and takes a file; a full or read-only disk is one line and exit code 2."""
    import tempfile

    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-check-"):
            pass
    except OSError as exc:
        raise storage_error(exc, folder) or ConfigError(
            f"Cannot write to the data folder {folder}: {exc.strerror or exc}."
        ) from None


@app.command("serve")
def serve(
    host: str | None = typer.Option(None, "--host", help="Address to bind (default 127.0.0.1)."),
    port: int | None = typer.Option(None, "--port", help="Port to listen on (default 8000)."),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="Folder for jobs and files (default .cinebrief)."),
    config: Path | None = typer.Option(None, "--config", help="Settings file (default: ./cinebrief.toml)."),
    log_level: str = typer.Option("info", "--log-level", help="uvicorn log level: critical, error, warning, info."),
) -> None:
    """Serve the Sora 2 compatible /v1/videos API; jobs survive restarts."""
    import uvicorn

    from cinebrief.jobs.engine import Engine
    from cinebrief.server import create_app
    from cinebrief.settings import load_settings

    settings = load_settings(
        config, overrides={"server": {"host": host, "port": port, "data_dir": str(data_dir) if data_dir else None}}
    )
    server = settings.server
    if not server.loopback_only and not server.all_keys:
        raise ConfigError(
            f"Refusing to listen on {server.host}: beyond loopback the server needs an API key. "
            "Set server.api_keys (or admin_keys) in cinebrief.toml or CINEBRIEF_API_KEYS, or bind to 127.0.0.1."
        )
    if server.max_queued_per_key and not server.all_keys:
        raise ConfigError(
            f"server.max_queued_per_key = {server.max_queued_per_key} limits each API key's queue, but no keys are "
            "set: every request is the local user, whose queue has no limit. Set server.api_keys, or leave "
            "max_queued_per_key at 0."
        )
    writable_data_dir(server.data_dir)
    # Started before uvicorn: an unreachable database or Ray cluster, or a model's setting its backend refuses,
    # is one line and exit code 2.
    engine = Engine(settings)  # an engine that cannot start closes itself
    address = f"http://{server.host}:{server.port}/v1"
    stdout().print(f"cinebrief serving {address}  (data in {server.data_dir})", markup=False)
    try:
        # The app closes the engine at shutdown (SIGTERM, Ctrl-C): running jobs go back to the queue before
        # uvicorn hands the signal on and the process ends.
        uvicorn.run(
            create_app(settings, engine=engine, close_engine=True),
            host=server.host,
            port=server.port,
            log_level=log_level,
            timeout_graceful_shutdown=10,
        )
    finally:
        engine.close()  # uvicorn could not start (a port in use): close what was started


# -- the client ----------------------------------------------------------------------------------------

BaseUrl = typer.Option(
    "http://127.0.0.1:8000/v1", "--base-url", envvar="CINEBRIEF_BASE_URL", help="The server's /v1 URL."
)
ApiKey = typer.Option(
    None, "--api-key", envvar="CINEBRIEF_API_KEY", help="Bearer key (also $CINEBRIEF_API_KEY).", show_default=False
)


def _client(base_url: str, api_key: str | None) -> OpenAI:
    from openai import OpenAI

    return OpenAI(base_url=base_url, api_key=api_key or "no-key", max_retries=2, timeout=60)


def _run(base_url: str, api_key: str | None, action: Callable[[OpenAI], Any]) -> Any:
    with sdk_errors(base_url):
        return action(_client(base_url, api_key))


def _row(video: Any) -> str:
    error = f"  {video.error.code}: {video.error.message}" if video.error else ""
    return f"{video.id}  {video.status:<11} {video.progress:>3}%  {video.model}  {video.size}  {video.seconds}s{error}"


@videos_app.command("list")
def list_videos(
    limit: int = typer.Option(20, "--limit", min=0, max=100, help="Videos per page."),
    order: str = typer.Option("desc", "--order", help="asc or desc (by creation)."),
    every: bool = typer.Option(False, "--all", help="Follow every page, not only the first."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON lines."),
    base_url: str = BaseUrl,
    api_key: str | None = ApiKey,
) -> None:
    """List videos, newest first."""

    def action(client: OpenAI) -> None:
        page = client.videos.list(limit=limit, order=order)  # type: ignore[arg-type]
        videos = page if every else page.data
        for video in videos:
            stdout().print(json.dumps(video.model_dump()) if as_json else _row(video), markup=False)

    _run(base_url, api_key, action)


@videos_app.command("get")
def get_video(
    video_id: str = typer.Argument(..., help="The video id (video_...)."),
    as_json: bool = typer.Option(False, "--json", help="Print the Video object as JSON."),
    base_url: str = BaseUrl,
    api_key: str | None = ApiKey,
) -> None:
    """Show one video's status and progress."""
    from cinebrief.workflows.lineage import describe_change, remix_record

    video = _run(base_url, api_key, lambda client: client.videos.retrieve(video_id))
    if as_json:
        stdout().print(json.dumps(video.model_dump(), indent=2), markup=False)
        return
    stdout().print(_row(video), markup=False)
    if (record := remix_record(video)) is not None:  # a remix: what it rendered and what it changed
        stdout().print(f"change: {video.prompt}\n{describe_change(video)}", markup=False)
        stdout().print(f"effective prompt:\n{record.get('effective_prompt', '')}", markup=False)


@videos_app.command("download")
def download(
    video_id: str = typer.Argument(..., help="The video id (video_...)."),
    variant: str = typer.Option("video", "--variant", help="video, thumbnail, spritesheet, or all."),
    output: Path | None = typer.Option(None, "-o", "--output", help="File (one variant) or folder (all)."),
    base_url: str = BaseUrl,
    api_key: str | None = ApiKey,
) -> None:
    """Save a completed video's files."""
    variants = list(VARIANT_SUFFIXES) if variant == "all" else [variant]
    if any(name not in VARIANT_SUFFIXES for name in variants):
        raise InputError(
            f"--variant '{variant}' is not supported. Allowed: video, thumbnail, spritesheet, all.", field="variant"
        )

    def action(client: OpenAI) -> None:
        for name in variants:
            default = Path(f"{video_id}.{VARIANT_SUFFIXES[name]}")
            if output is None:
                target = default
            elif len(variants) > 1 or output.is_dir():
                target = output / default
            else:
                target = output
            target.parent.mkdir(parents=True, exist_ok=True)
            client.videos.download_content(video_id, variant=name).write_to_file(target)  # type: ignore[arg-type]
            stdout().print(str(target), markup=False)

    _run(base_url, api_key, action)


@videos_app.command("delete")
def delete(
    video_id: str = typer.Argument(..., help="The video id (video_...)."),
    base_url: str = BaseUrl,
    api_key: str | None = ApiKey,
) -> None:
    """Delete a finished video and its files (or cancel a queued one)."""
    result = _run(base_url, api_key, lambda client: client.videos.delete(video_id))
    stdout().print(f"deleted {result.id}", markup=False)


@videos_app.command("remix")
def remix(
    video_id: str = typer.Argument(..., help="A completed video's id."),
    prompt: str = typer.Option(..., "--prompt", "--change", help="The one change to make."),
    wait: bool = typer.Option(False, "--wait", help="Poll until the remix completes or fails."),
    base_url: str = BaseUrl,
    api_key: str | None = ApiKey,
) -> None:
    """Remix a completed video with one change; a new job that keeps its model, size and length."""

    def action(client: OpenAI) -> Any:
        video = client.videos.remix(video_id, prompt=prompt)
        return client.videos.poll(video.id) if wait else video

    video = _run(base_url, api_key, action)
    stdout().print(_row(video), markup=False)
    if video.status == "failed":
        raise typer.Exit(1)
