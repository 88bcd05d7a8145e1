"""Webhooks: `video.completed` and `video.failed`, signed the Standard Webhooks way and retried with backoff.

Deliveries run on one background thread with a schedule, so a slow or failing receiver never holds up a
job. The payload carries only the id, as OpenAI's did; the receiver then retrieves the video.

Signing: ``base64(HMAC-SHA256(key, f"{webhook-id}.{webhook-timestamp}.{body}"))`` sent as ``v1,<sig>``
in `webhook-signature`; the key is the base64-decoded part of a ``whsec_`` secret, else the secret's bytes.
"""

from __future__ import annotations

import base64
import hashlib
import heapq
import hmac
import itertools
import json
import logging
import threading
import time
from dataclasses import dataclass

import httpx

from cinebrief.contract.video import new_id
from cinebrief.jobs.events import EventBus, JobEvent
from cinebrief.settings import WebhookSettings

log = logging.getLogger(__name__)

EVENT_TYPES = {"completed": "video.completed", "failed": "video.failed"}
MAX_BACKOFF_SECONDS = 300.0


def signing_key(secret: str) -> bytes:
    if secret.startswith("whsec_"):
        return base64.b64decode(secret.removeprefix("whsec_"))
    return secret.encode()


def sign(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(signing_key(secret), signed, hashlib.sha256).digest()
    return f"v1,{base64.b64encode(digest).decode()}"


@dataclass
class Delivery:
    event_id: str
    body: bytes
    attempt: int = 0


class WebhookSender:
    """Subscribes to job events and delivers the terminal ones to `settings.url`."""

    def __init__(self, settings: WebhookSettings, events: EventBus) -> None:
        self.settings = settings
        self._schedule: list[tuple[float, int, Delivery]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._stopped = False
        self._client = httpx.Client(timeout=settings.timeout_seconds)
        self._thread = threading.Thread(target=self._loop, name="cinebrief-webhooks", daemon=True)
        self._thread.start()
        self._unsubscribe = events.subscribe(self._on_event)

    def close(self) -> None:
        self._unsubscribe()
        with self._wake:
            self._stopped = True
            self._wake.notify()
        self._thread.join(5)
        self._client.close()

    def _on_event(self, event: JobEvent) -> None:
        kind = EVENT_TYPES.get(event.video.status)
        if event.type != "status" or kind is None:
            return
        created_at = int(time.time())
        payload = {
            "id": new_id("evt", created_at=created_at),
            "object": "event",
            "created_at": created_at,
            "type": kind,
            "data": {"id": event.video_id},
        }
        self._enqueue(Delivery(event_id=payload["id"], body=json.dumps(payload).encode()), delay=0.0)

    def _enqueue(self, delivery: Delivery, *, delay: float) -> None:
        with self._wake:
            heapq.heappush(self._schedule, (time.monotonic() + delay, next(self._order), delivery))
            self._wake.notify()

    def _loop(self) -> None:
        while True:
            with self._wake:
                while not self._stopped and (not self._schedule or self._schedule[0][0] > time.monotonic()):
                    timeout = self._schedule[0][0] - time.monotonic() if self._schedule else None
                    self._wake.wait(timeout)
                if self._stopped:
                    return
                _, _, delivery = heapq.heappop(self._schedule)
            self._deliver(delivery)

    def _deliver(self, delivery: Delivery) -> None:
        delivery.attempt += 1
        timestamp = int(time.time())
        headers = {
            "content-type": "application/json",
            "webhook-id": delivery.event_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(self.settings.secret or "", delivery.event_id, timestamp, delivery.body),
        }
        try:
            response = self._client.post(self.settings.url or "", content=delivery.body, headers=headers)
            if 200 <= response.status_code < 300:
                return
            problem = f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            problem = f"{type(exc).__name__}: {exc}"
        if delivery.attempt >= self.settings.max_attempts:
            log.warning("webhook %s given up after %d attempts (%s)", delivery.event_id, delivery.attempt, problem)
            return
        delay = min(MAX_BACKOFF_SECONDS, self.settings.backoff_seconds * 2 ** (delivery.attempt - 1))
        log.info(
            "webhook %s attempt %d failed (%s); retrying in %.1f s", delivery.event_id, delivery.attempt, problem, delay
        )
        self._enqueue(delivery, delay=delay)
