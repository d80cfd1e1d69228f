"""Stage bookkeeping shared by the key stores: current, pending, previous."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from domain.errors import Conflict
from domain.ports.keys import KeyVersion

CURRENT, PENDING, PREVIOUS = "current", "pending", "previous"
REFRESH_SECONDS = 60.0  # a running process sees another process's rotate or promote within this


def new_kid(now: datetime) -> str:
    return f"vantrexia-{now:%Y%m%d}-{secrets.token_hex(3)}"


def check_promotable(pending: KeyVersion | None, now: datetime, wait: timedelta) -> KeyVersion:
    if pending is None:
        raise Conflict("there is no pending key: run `vantrexia keys rotate` first")
    if pending.age(now) < wait:
        ready = pending.created_at + wait
        raise Conflict(f"the pending key was published less than {int(wait.total_seconds())} s ago "
                       f"(JWKS max-age); promote after {ready.isoformat(timespec='seconds')}")
    return pending
