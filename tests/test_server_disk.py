"""A full or read-only disk under the data folder: a job fails naming the disk, a create is a 507 in the
envelope, and `serve` on a read-only folder is one line and exit code 2.

The disks are real: small tmpfs mounts (this needs root with mount rights, as the suite has here).
"""

from __future__ import annotations

import base64
import errno
import io
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from openai import OpenAI
from PIL import Image

from server_harness import ServerThread
from server_models import SMALL_MODEL, SMALL_SIZE, served_settings

KEY = "disk-key"


def _can_mount(path: Path) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(path)], capture_output=True)
    if done.returncode == 0:
        subprocess.run(["umount", str(path)], check=True)
    return done.returncode == 0


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[callable]:
    mounted: list[Path] = []
    if not _can_mount(tmp_path / "probe"):
        pytest.skip("mounting a tmpfs needs root with mount rights")

    @contextmanager
    def mount(name: str, size: str = "4m") -> Iterator[Path]:
        path = tmp_path / name
        path.mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], check=True)
        mounted.append(path)
        yield path

    yield mount
    for path in mounted:
        subprocess.run(["umount", "-l", str(path)], check=False)


def fill(disk: Path) -> None:
    """Write until the disk is full. Unbuffered: a partly written block left in a buffer would fail again on close."""
    with (disk / "filler").open("wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


def read_only(disk: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)


def png_url() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", tuple(int(part) for part in SMALL_SIZE.split("x")), (20, 90, 200)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def test_a_job_on_a_full_disk_fails_naming_the_disk(small_disk, tmp_path: Path) -> None:
    with small_disk("data") as data:
        settings = served_settings(data, api_keys=[KEY], database_url=f"sqlite:///{tmp_path / 'jobs.db'}")
        with ServerThread(settings) as server:
            fill(data)
            client = OpenAI(base_url=server.url, api_key=KEY, max_retries=0)
            video = client.videos.create_and_poll(
                prompt="A paper boat", model=SMALL_MODEL, size=SMALL_SIZE, poll_interval_ms=50
            )
            assert video.status == "failed"
            assert video.error.code == "storage_error"
            assert str(data) in video.error.message and "full" in video.error.message


def test_a_create_on_a_full_disk_is_a_507(small_disk) -> None:
    """The job store (SQLite) sits on the full disk too: its insert fails, and says so."""
    with small_disk("data") as data, ServerThread(served_settings(data, api_keys=[KEY])) as server:
        fill(data)
        error = _create_error(server, {"prompt": "A paper boat " * 2000})
        assert "full" in error["message"] and str(data) in error["message"]


def test_a_create_on_a_read_only_disk_is_a_507(small_disk, tmp_path: Path) -> None:
    """The reference image cannot be kept: the data folder is read-only (the job store is elsewhere)."""
    with small_disk("data") as data:
        settings = served_settings(data, api_keys=[KEY], database_url=f"sqlite:///{tmp_path / 'jobs.db'}")
        with ServerThread(settings) as server:
            read_only(data)
            error = _create_error(server, {"prompt": "A paper boat", "input_reference": {"image_url": png_url()}})
            assert "read-only" in error["message"] and str(data) in error["message"]


def _create_error(server: ServerThread, body: dict) -> dict:
    body = {"model": SMALL_MODEL, "size": SMALL_SIZE, **body}
    response = httpx.post(f"{server.url}/videos", json=body, headers={"authorization": f"Bearer {KEY}"})
    assert response.status_code == 507, response.text
    error = response.json()["error"]
    assert error["code"] == "storage_error" and error["type"] == "server_error"
    return error


def test_serve_on_a_read_only_data_dir_is_one_line_and_exit_2(small_disk, cli) -> None:
    with small_disk("data") as data:
        read_only(data)
        result = cli("serve", "--data-dir", data / "cinebrief", "--port", "1")
        assert result.exit_code == 2
        assert "read-only" in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
