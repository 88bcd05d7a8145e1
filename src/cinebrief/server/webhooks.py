"""Webhooks: `video.completed` and `video.failed`, signed the Standard Webhooks way and retried with backoff.

Deliveries run on one background thread from the store's outbox (`jobs/outbox.py`), so a slow or failing
receiver never holds up a job, and a delivery waiting for its retry survives a restart (same `webhook-id`).
The payload carries only the id, as OpenAI's did; the receiver then retrieves the video.

Signing: ``base64(HMAC-SHA256(key, f"{webhook-id}.{webhook-timestamp}.{body}"))`` sent as ``v1,<sig>``
in `webhook-signature`; the key is the base64-decoded part of a ``whsec_`` secret, else the secret's bytes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import threading
import time

import httpx

from cinebrief.jobs.events import EventBus, JobEvent
from cinebrief.jobs.outbox import EVENT_TYPES, Outbox, OutboxEvent
from cinebrief.settings import WebhookSettings

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 300.0
POLL_SECONDS = 0.5  # the outbox is read this often, and at once when a job of this server ends


def signing_key(secret: str) -> bytes:
    if secret.startswith("whsec_"):
        return base64.b64decode(secret.removeprefix("whsec_"))
    return secret.encode()


def sign(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(signing_key(secret), signed, hashlib.sha256).digest()
    return f"v1,{base64.b64encode(digest).decode()}"


class WebhookSender:
    """Delivers the events in the store's webhook outbox to `settings.url`; job events only wake it early."""

    def __init__(self, settings: WebhookSettings, events: EventBus, outbox: Outbox) -> None:
        self.settings = settings
        self.outbox = outbox
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._client = httpx.Client(timeout=settings.timeout_seconds)
        self._thread = threading.Thread(target=self._loop, name="cinebrief-webhooks", daemon=True)
        self._thread.start()
        self._unsubscribe = events.subscribe(self._on_event)

    def close(self) -> None:
        self._unsubscribe()
        self._stopped.set()
        self._wake.set()
        self._thread.join(5 + self.settings.timeout_seconds)
        self._client.close()

    def _on_event(self, event: JobEvent) -> None:
        if event.type == "status" and event.video.status in EVENT_TYPES:
            self._wake.set()

    def _loop(self) -> None:
        while not self._stopped.is_set():
            try:
                due = self.outbox.claim_due(time.time(), hold_seconds=self.settings.timeout_seconds + 5)
                for event in due:
                    if self._stopped.is_set():
                        break
                    self._deliver(event)
            except Exception:  # the database is away for a moment: try again at the next poll
                log.exception("webhook outbox: reading or updating failed")
            self._wake.wait(POLL_SECONDS)
            self._wake.clear()

    def _deliver(self, event: OutboxEvent) -> None:
        body = json.dumps(event.payload()).encode()
        attempt = event.attempts + 1
        timestamp = int(time.time())
        headers = {
            "content-type": "application/json",
            "webhook-id": event.id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(self.settings.secret or "", event.id, timestamp, body),
        }
        try:
            response = self._client.post(self.settings.url or "", content=body, headers=headers)
            if 200 <= response.status_code < 300:
                self.outbox.delivered(event.id)
                return
            problem = f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            problem = f"{type(exc).__name__}: {exc}"
        if attempt >= self.settings.max_attempts:
            log.warning("webhook %s given up after %d attempts (%s)", event.id, attempt, problem)
            self.outbox.delivered(event.id)
            return
        delay = min(MAX_BACKOFF_SECONDS, self.settings.backoff_seconds * 2 ** (attempt - 1))
        log.info("webhook %s attempt %d failed (%s); retrying in %.1f s", event.id, attempt, problem, delay)
        self.outbox.retry(event.id, attempt, time.time() + delay)
