"""Standard Webhooks verification (HMAC-SHA256) for MioConnect deliveries, via `standardwebhooks`.

The scheme is our reading of the product's "HMAC-SHA256 on every payload"; it stays behind this
module so the vendor's real scheme can replace it.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")


class InvalidSignature(Exception):
    """The delivery's signature headers are missing, malformed, stale or do not match."""


class WebhookVerifier:
    """Accepts a delivery signed with any configured secret (current first, then previous)."""

    def __init__(self, secrets_: Sequence[str]) -> None:
        self._webhooks = [Webhook(secret) for secret in secrets_ if secret]
        if not self._webhooks:
            raise ValueError("at least one webhook secret is required")

    def verify(self, headers: Mapping[str, str], body: bytes) -> str:
        """The webhook id of a correctly signed delivery; InvalidSignature otherwise."""
        wanted = {name: value for name, value in headers.items() if name.lower() in _HEADERS}
        lowered = {name.lower(): value for name, value in wanted.items()}
        if any(not lowered.get(name) for name in _HEADERS):
            raise InvalidSignature("missing webhook-id, webhook-timestamp or webhook-signature header")
        reason = "signature does not match"
        for webhook in self._webhooks:
            try:
                webhook.verify(body, lowered, json_parse=False)
                return lowered["webhook-id"]
            except WebhookVerificationError as error:
                reason = _reason(str(error))
            except (ValueError, binascii.Error, UnicodeDecodeError, TypeError):
                reason = "malformed webhook signature header or body encoding"
        raise InvalidSignature(reason)


def _reason(library_message: str) -> str:
    known = {
        "Message timestamp too old": "webhook timestamp older than 5 minutes",
        "Message timestamp too new": "webhook timestamp more than 5 minutes in the future",
        "Invalid Signature Headers": "malformed webhook-timestamp header",
    }
    return known.get(library_message, "signature does not match")


class WebhookSigner:
    """Signs deliveries the way the device cloud does (for the simulator and tests)."""

    def __init__(self, secret: str) -> None:
        self._webhook = Webhook(secret)

    def headers(self, webhook_id: str, body: bytes, timestamp: datetime) -> dict[str, str]:
        moment = timestamp.astimezone(UTC)
        return {
            "webhook-id": webhook_id,
            "webhook-timestamp": str(int(moment.timestamp())),
            "webhook-signature": self._webhook.sign(webhook_id, moment, body.decode()),
        }


def new_webhook_secret() -> str:
    """A fresh secret in Standard Webhooks' `whsec_<base64>` form."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
