"""Owners (tenants): whose rows a caller sees, and what a new row records as its owner.

Each API key is a tenant. A row (a job or a character) records the owner id of the key that made it: a
short SHA-256 of the key (`key_` + 16 hex digits), stable across restarts and never the key itself. With no
keys configured (a loopback server) everything belongs to `LOCAL_OWNER`; rows made before owners existed
were given that owner by the migration. An admin key (`server.admin_keys`) sees and acts on every owner's
rows, and what it makes is its own.

Another owner's row is answered exactly like a missing one (404), so an id never reveals that it exists.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

LOCAL_OWNER = "local"


def owner_id(key: str) -> str:
    """The non-secret, stable owner id of an API key."""
    return "key_" + hashlib.sha256(key.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Owner:
    """Who is asking: `id` owns what they make; `admin` sees every owner's rows."""

    id: str = LOCAL_OWNER
    admin: bool = False

    @property
    def scope(self) -> str | None:
        """The owner id rows are filtered by, or None (an admin: no filter)."""
        return None if self.admin else self.id


# In-process use (the CLI's embedded engine, the studio's runs, a loopback server with no keys): one user.
LOCAL = Owner(LOCAL_OWNER, admin=True)

__all__ = ["LOCAL", "LOCAL_OWNER", "Owner", "owner_id"]
