"""Standard Webhooks verification (HMAC-SHA256) for MioConnect deliveries, via `standardwebhooks`.

The scheme is our reading of the product's "HMAC-SHA256 on every payload"; it stays behind this
module so the vendor's real scheme can replace it.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from secrets import token_bytes

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

SECRET_PREFIX = "whsec_"  # noqa: S105 - the scheme's prefix, not a secret
# standardwebhooks checks a fixed ±5 minutes itself; a configured tolerance can only narrow it.
LIBRARY_TOLERANCE = timedelta(minutes=5)
_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")
# The library would also take "1.5e9" or " 17…" (float()); the scheme says integer seconds.
_TIMESTAMP = re.compile(r"[0-9]{1,10}")  # 10 digits reach 2286, within datetime's range
_LIBRARY_REASONS = {
    "Message timestamp too old": "webhook timestamp older than the tolerance",
    "Message timestamp too new": "webhook timestamp further in the future than the tolerance",
    "Invalid Signature Headers": "malformed webhook-timestamp header",
}


class InvalidSignature(Exception):
    """The delivery's signature headers are missing, malformed, stale or do not match."""


class WebhookVerifier:
    """Accepts a delivery signed with any configured secret (current first, then previous)."""

    def __init__(self, secrets: Sequence[str | None], tolerance: timedelta = LIBRARY_TOLERANCE) -> None:
        if not timedelta(0) < tolerance <= LIBRARY_TOLERANCE:
            raise ValueError("webhook tolerance must be positive and at most 5 minutes")
        self._webhooks = [_webhook(secret) for secret in secrets if secret]
        if not self._webhooks:
            raise ValueError("at least one webhook secret is required")
        self._tolerance = tolerance

    def verify(self, headers: Mapping[str, str], body: bytes) -> str:
        """The webhook id of a correctly signed delivery; InvalidSignature otherwise."""
        found = {name.lower(): value for name, value in headers.items() if name.lower() in _HEADERS}
        if any(not found.get(name) for name in _HEADERS):
            raise InvalidSignature("missing webhook-id, webhook-timestamp or webhook-signature header")
        if not all(isinstance(value, str) for value in found.values()):
            raise InvalidSignature("malformed webhook headers")
        self._check_timestamp(found["webhook-timestamp"])
        reason = "signature does not match"
        for webhook in self._webhooks:
            try:
                webhook.verify(body, found, json_parse=False)
            except WebhookVerificationError as error:
                reason = _LIBRARY_REASONS.get(str(error), "signature does not match")
            except (ValueError, binascii.Error, UnicodeDecodeError, TypeError):
                # The library unpacks "v1,<sig>" and base64-decodes without guarding either.
                reason = "malformed webhook-signature header or body encoding"
            else:
                return found["webhook-id"]
        raise InvalidSignature(reason)

    def _check_timestamp(self, header: str) -> None:
        if not _TIMESTAMP.fullmatch(header):
            raise InvalidSignature("malformed webhook-timestamp header")
        skew = datetime.fromtimestamp(int(header), UTC) - datetime.now(UTC)
        if skew < -self._tolerance:
            raise InvalidSignature("webhook timestamp older than the tolerance")
        if skew > self._tolerance:
            raise InvalidSignature("webhook timestamp further in the future than the tolerance")


class WebhookSigner:
    """Signs deliveries the way the device cloud does (for the simulator and tests)."""

    def __init__(self, secret: str) -> None:
        self._webhook = _webhook(secret)

    def headers(self, webhook_id: str, body: bytes, timestamp: datetime) -> dict[str, str]:
        """The three Standard Webhooks headers for `body` sent at `timestamp` (an aware datetime)."""
        if timestamp.tzinfo is None:
            raise ValueError("timestamp must be timezone-aware")
        # The library's sign() replaces tzinfo instead of converting: hand it UTC, whole seconds.
        moment = datetime.fromtimestamp(math.floor(timestamp.timestamp()), UTC)
        return {
            "webhook-id": webhook_id,
            "webhook-timestamp": str(int(moment.timestamp())),
            "webhook-signature": self._webhook.sign(webhook_id, moment, body.decode()),
        }


def new_webhook_secret() -> str:
    """A fresh secret in Standard Webhooks' `whsec_<base64>` form (32 random bytes)."""
    return SECRET_PREFIX + base64.b64encode(token_bytes(32)).decode()


def _webhook(secret: str) -> Webhook:
    """The library decodes leniently (bad characters silently dropped); a typo must fail at start-up."""
    encoded = secret.removeprefix(SECRET_PREFIX) if secret.startswith(SECRET_PREFIX) else None
    try:
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True) if encoded else b""
    except (binascii.Error, ValueError):
        key = b""
    if not key:
        raise ValueError("a webhook secret is not of the form whsec_<base64>")
    return Webhook(key)
