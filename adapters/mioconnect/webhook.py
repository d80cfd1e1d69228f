"""Standard Webhooks verification (HMAC-SHA256) for MioConnect deliveries.

The scheme is our reading of the product's "HMAC-SHA256 on every payload"; it stays behind this
module so the vendor's real scheme can replace it. The MAC is computed here over bytes, as the spec
defines it (`{id}.{timestamp}.{body}`): the `standardwebhooks` library decodes the body as UTF-8
first, which refused correctly signed bodies that are not UTF-8 (those must be kept as rejected).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import math
import re
import time
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from secrets import token_bytes

SECRET_PREFIX = "whsec_"  # noqa: S105 - the scheme's prefix, not a secret
# The spec's (and the library's) fixed ±5 minutes; a configured tolerance can only narrow it.
MAX_TOLERANCE = timedelta(minutes=5)
SIGNATURE_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")
# The scheme says integer seconds (the library would also take "1.5e9" or " 17…").
_TIMESTAMP = re.compile(r"[0-9]{1,10}")  # 10 digits reach 2286, within datetime's range
_MAC_BYTES = 32


class InvalidSignature(Exception):
    """The delivery's signature headers are missing, malformed, stale or do not match."""


class WebhookVerifier:
    """Accepts a delivery signed with any configured secret (current first, then previous)."""

    def __init__(self, secrets: Sequence[str | None], tolerance: timedelta = MAX_TOLERANCE) -> None:
        if not timedelta(0) < tolerance <= MAX_TOLERANCE:
            raise ValueError("webhook tolerance must be positive and at most 5 minutes")
        # each key's HMAC state is made once: a delivery copies it rather than keying SHA-256 afresh
        self._keyed = [hmac.new(_key(secret), digestmod="sha256") for secret in secrets if secret]
        if not self._keyed:
            raise ValueError("at least one webhook secret is required")
        self._tolerance_seconds = tolerance.total_seconds()

    def verify(self, headers: Mapping[str, str], body: bytes) -> str:
        """The webhook id of a correctly signed delivery, whatever the body's bytes; InvalidSignature otherwise."""
        found = {name.lower(): value for name, value in headers.items()}
        webhook_id, timestamp, signature = map(found.get, SIGNATURE_HEADERS)
        if not (webhook_id and timestamp and signature):
            raise InvalidSignature("missing webhook-id, webhook-timestamp or webhook-signature header")
        if not (isinstance(webhook_id, str) and isinstance(timestamp, str) and isinstance(signature, str)):
            raise InvalidSignature("malformed webhook headers")
        self._check_timestamp(timestamp)
        offered = _offered(signature)
        if not offered:
            raise InvalidSignature("malformed webhook-signature header")
        content = _signed_content(webhook_id, timestamp, body)
        for keyed in self._keyed:
            mac = keyed.copy()
            mac.update(content)
            expected = mac.digest()
            for candidate in offered:
                if hmac.compare_digest(expected, candidate):
                    return webhook_id
        raise InvalidSignature("signature does not match")

    def _check_timestamp(self, header: str) -> None:
        if not _TIMESTAMP.fullmatch(header):
            raise InvalidSignature("malformed webhook-timestamp header")
        skew = int(header) - time.time()  # seconds, as datetimes would give them, without making two
        if skew < -self._tolerance_seconds:
            raise InvalidSignature("webhook timestamp older than the tolerance")
        if skew > self._tolerance_seconds:
            raise InvalidSignature("webhook timestamp further in the future than the tolerance")


class WebhookSigner:
    """Signs deliveries the way the device cloud does (for the simulator and tests)."""

    def __init__(self, secret: str) -> None:
        self._key = _key(secret)

    def headers(self, webhook_id: str, body: bytes, timestamp: datetime) -> dict[str, str]:
        """The three Standard Webhooks headers for `body` sent at `timestamp` (an aware datetime)."""
        if timestamp.tzinfo is None:
            raise ValueError("timestamp must be timezone-aware")
        stamp = str(math.floor(timestamp.timestamp()))
        mac = _mac(self._key, _signed_content(webhook_id, stamp, body))
        return {"webhook-id": webhook_id, "webhook-timestamp": stamp,
                "webhook-signature": "v1," + base64.b64encode(mac).decode()}


def new_webhook_secret() -> str:
    """A fresh secret in Standard Webhooks' `whsec_<base64>` form (32 random bytes)."""
    return SECRET_PREFIX + base64.b64encode(token_bytes(32)).decode()


def _signed_content(webhook_id: str, timestamp: str, body: bytes) -> bytes:
    """`{id}.{timestamp}.{body}` as bytes. Header values arrive as their wire bytes read as latin-1
    (ASGI), so encoding back gives the bytes that were signed; a str beyond latin-1 (a caller's, not
    HTTP's) is taken as UTF-8, as the reference libraries do."""
    try:
        identifier = webhook_id.encode("latin-1")
    except UnicodeEncodeError:
        identifier = webhook_id.encode("utf-8", "surrogatepass")
    return identifier + b"." + timestamp.encode("ascii") + b"." + body


def _mac(key: bytes, content: bytes) -> bytes:
    return hmac.digest(key, content, "sha256")  # one-shot: no HMAC object (OpenSSL's fast path)


def _offered(header: str) -> list[bytes]:
    """The well-formed `v1,<base64 of 32 bytes>` signatures of a space-separated header."""
    offered = []
    for part in header.split(" "):
        version, _, encoded = part.partition(",")
        if version != "v1":
            continue
        try:
            signature = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            continue
        if len(signature) == _MAC_BYTES:
            offered.append(signature)
    return offered


def _key(secret: str) -> bytes:
    """The secret's key bytes, decoded strictly: a typo must fail at start-up, not drop characters."""
    encoded = secret.removeprefix(SECRET_PREFIX) if secret.startswith(SECRET_PREFIX) else None
    try:
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True) if encoded else b""
    except (binascii.Error, ValueError):
        key = b""
    if not key:
        raise ValueError("a webhook secret is not of the form whsec_<base64>")
    return key
