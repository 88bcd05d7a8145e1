"""Webhooks: video.completed and video.failed, signed so that the openai SDK's `webhooks.unwrap` accepts them."""

from __future__ import annotations

import base64
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import openai

from server_harness import ServerProcess, ServerThread
from server_models import SMALL_MODEL, SMALL_SIZE, served_settings

SECRET = "whsec_" + base64.b64encode(b"a secret of thirty-two bytes....").decode()


class Receiver(BaseHTTPRequestHandler):
    """Answers 500 to the first delivery (to make the server retry), 204 afterwards."""

    deliveries: list[tuple[dict[str, str], bytes, int]] = []  # noqa: RUF012

    def status(self) -> int:
        return 500 if not self.deliveries else 204

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        status = self.status()
        self.deliveries.append(({key.lower(): value for key, value in self.headers.items()}, body, status))
        self.send_response(status)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_signed_webhooks_are_delivered_and_retried(tmp_path: Path) -> None:
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    Receiver.deliveries.clear()
    settings = served_settings(
        tmp_path,
        models={"unreachable": {"backend": "remote", "base_url": "http://127.0.0.1:9/v1", "max_retries": 0}},
    )
    settings.webhooks.secret = SECRET
    settings.webhooks.url = f"http://127.0.0.1:{receiver.server_port}/hook"
    settings.webhooks.backoff_seconds = 0.05
    try:
        with ServerThread(settings) as server:
            client = openai.OpenAI(base_url=server.url, api_key="any", max_retries=0, webhook_secret=SECRET)
            done = client.videos.create_and_poll(prompt="Hooked", model=SMALL_MODEL, size=SMALL_SIZE)
            failed = client.videos.create_and_poll(prompt="Hooked", model="unreachable", size=SMALL_SIZE)
            deadline = time.monotonic() + 20
            while len(Receiver.deliveries) < 3 and time.monotonic() < deadline:
                time.sleep(0.02)
    finally:
        receiver.shutdown()
    received = {}
    for headers, body, status in Receiver.deliveries:
        event = client.webhooks.unwrap(body, headers)  # raises unless the signature verifies
        assert headers["webhook-signature"].startswith("v1,")
        received.setdefault(event.id, []).append((event.type, event.data.id, status))
    assert sorted(attempts[-1][:2] for attempts in received.values()) == sorted(
        [("video.completed", done.id), ("video.failed", failed.id)]
    )
    assert [status for attempts in received.values() for *_, status in attempts].count(500) == 1
    assert all(attempts[-1][2] == 204 for attempts in received.values())


class FlakyReceiver(Receiver):
    """Answers 500 while `failing`, 204 afterwards; records every delivery."""

    failing = True
    deliveries: list[tuple[dict[str, str], bytes, int]] = []  # noqa: RUF012

    def status(self) -> int:
        return 500 if FlakyReceiver.failing else 204


def test_a_delivery_waiting_for_its_retry_survives_a_crash(tmp_path: Path) -> None:
    """kill -9 while a delivery waits for its retry: the restarted server sends it, with the same webhook-id."""
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), FlakyReceiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    FlakyReceiver.deliveries.clear()
    FlakyReceiver.failing = True
    config = tmp_path / "cinebrief.toml"
    config.write_text(
        f'[server]\napi_keys = ["test-key"]\n\n[models.{SMALL_MODEL}]\nbackend = "previz"\n\n'
        f'[webhooks]\nurl = "http://127.0.0.1:{receiver.server_port}/hook"\nsecret = "{SECRET}"\n'
        "backoff_seconds = 2.0\n"
    )
    server = ServerProcess(tmp_path / "data", config=config)
    try:
        server.start()
        client = openai.OpenAI(base_url=server.url, api_key="test-key", max_retries=0, webhook_secret=SECRET)
        video = client.videos.create_and_poll(prompt="Hooked", model=SMALL_MODEL, size=SMALL_SIZE)
        deadline = time.monotonic() + 20
        while not FlakyReceiver.deliveries and time.monotonic() < deadline:
            time.sleep(0.02)
        server.kill()  # the retry is 2 s away
        assert [status for *_, status in FlakyReceiver.deliveries] == [500]
        FlakyReceiver.failing = False
        server.start()
        deadline = time.monotonic() + 30
        while len(FlakyReceiver.deliveries) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        server.stop()
        receiver.shutdown()
    (first, _, _), (headers, body, status) = FlakyReceiver.deliveries[:2]
    assert status == 204 and headers["webhook-id"] == first["webhook-id"]
    event = client.webhooks.unwrap(body, headers)
    assert event.type == "video.completed" and event.data.id == video.id
    assert len(FlakyReceiver.deliveries) == 2
