"""`cinebrief serve` and `cinebrief videos ...` (a client of the server through the openai SDK)."""

from __future__ import annotations

from pathlib import Path

import av
import openai
from PIL import Image

from server_harness import ServerThread, free_port
from server_models import SMALL_MODEL, SMALL_SIZE, served_settings


def test_videos_commands_against_a_running_server(cli, tmp_path: Path, monkeypatch) -> None:
    with ServerThread(served_settings(tmp_path / "data", api_keys=["cli-key"])) as server:
        monkeypatch.setenv("CINEBRIEF_BASE_URL", server.url)
        monkeypatch.setenv("CINEBRIEF_API_KEY", "cli-key")
        client = openai.OpenAI(base_url=server.url, api_key="cli-key")
        video = client.videos.create_and_poll(prompt="CLI clip", model=SMALL_MODEL, size=SMALL_SIZE)

        listed = cli("videos", "list")
        assert listed.exit_code == 0 and video.id in listed.stdout and "completed" in listed.stdout
        shown = cli("videos", "get", video.id, "--json")
        assert shown.exit_code == 0 and f'"id": "{video.id}"' in shown.stdout

        result = cli("videos", "download", video.id, "--variant", "all", "-o", tmp_path / "out")
        assert result.exit_code == 0
        with av.open(str(tmp_path / "out" / f"{video.id}.mp4")) as container:
            assert container.streams.video[0].codec_context.name == "h264"
        assert Image.open(tmp_path / "out" / f"{video.id}.webp").format == "WEBP"
        assert Image.open(tmp_path / "out" / f"{video.id}.jpg").format == "JPEG"

        remixed = cli("videos", "remix", video.id, "--change", "Make it rain", "--wait")
        assert remixed.exit_code == 0 and "completed" in remixed.stdout
        assert cli("videos", "delete", video.id).stdout.strip() == f"deleted {video.id}"

        missing = cli("videos", "get", video.id)
        assert missing.exit_code == 2 and f"No video found with id '{video.id}'" in missing.stderr
        wrong_key = cli("videos", "list", "--api-key", "nope")
        assert wrong_key.exit_code == 2 and "Incorrect API key" in wrong_key.stderr
    unreachable = cli("videos", "list", "--base-url", f"http://127.0.0.1:{free_port()}/v1")
    assert unreachable.exit_code == 1 and "Cannot reach the server" in unreachable.stderr
    assert "Traceback" not in unreachable.stderr


def test_serve_refuses_to_listen_beyond_loopback_without_a_key(cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("CINEBRIEF_API_KEYS", raising=False)
    result = cli("serve", "--host", "0.0.0.0", "--data-dir", tmp_path)
    assert result.exit_code == 2
    assert "Refusing to listen on 0.0.0.0" in result.stderr and "CINEBRIEF_API_KEYS" in result.stderr
    for host in ("127.attacker.example", "127.0.0.1.nip.io"):  # names, not loopback addresses
        refused = cli("serve", "--host", host, "--data-dir", tmp_path)
        assert refused.exit_code == 2 and f"Refusing to listen on {host}" in refused.stderr, host


def test_serve_refuses_a_queue_limit_it_could_not_apply(cli, tmp_path: Path, monkeypatch) -> None:
    """Without keys every request is the local user, whose queue has no limit: the setting would do nothing."""
    monkeypatch.delenv("CINEBRIEF_API_KEYS", raising=False)
    monkeypatch.setenv("CINEBRIEF_MAX_QUEUED_PER_KEY", "5")
    result = cli("serve", "--data-dir", tmp_path)
    assert result.exit_code == 2 and "max_queued_per_key = 5" in result.stderr and "server.api_keys" in result.stderr
    assert "Traceback" not in result.stderr


def test_loopback_means_every_address_is_loopback() -> None:
    from cinebrief.settings import is_loopback

    assert is_loopback("127.0.0.1") and is_loopback("127.0.0.2") and is_loopback("::1") and is_loopback("[::1]")
    assert is_loopback("localhost")
    for host in ("0.0.0.0", "127.attacker.example", "::", "10.0.0.1", "", "256.0.0.1"):
        assert not is_loopback(host), host
