"""Hostile but correctly signed webhooks, and what the database kept of them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.tables import deliveries
from tests.support.app import TELEMETRY, WEBHOOK_SECRET, fixture

STATUS = "/api/v1/webhooks/mioconnect/status"


def signed_raw(body: bytes, webhook_id: str) -> dict[str, Any]:
    """Standard Webhooks headers for any body bytes and any id, signed here from the spec (HMAC-SHA256
    of `{id}.{timestamp}.{body}` bytes), not by the code under test. The id goes out as the very
    bytes signed (the test client would otherwise refuse or re-encode it)."""
    identifier, stamp = webhook_id.encode("latin-1"), str(int(time.time()))
    key = base64.b64decode(WEBHOOK_SECRET.removeprefix("whsec_"))
    mac = hmac.new(key, identifier + b"." + stamp.encode() + b"." + body, hashlib.sha256).digest()
    return {"webhook-id": identifier, "webhook-timestamp": stamp, "content-type": "application/json",
            "webhook-signature": "v1," + base64.b64encode(mac).decode()}


async def kept(engine: AsyncEngine, delivery_id: str) -> Row[Any] | None:
    """The deliveries row with this id, read straight from the table."""
    async with engine.connect() as connection:
        result = await connection.execute(select(deliveries).where(deliveries.c.id == delivery_id))
        return result.one_or_none()


def nested(depth: int) -> bytes:
    """A telemetry message carrying an unknown field nested `depth` arrays deep."""
    return (b'{"deviceId":"860013045678901","data":{"data_type":"bpm_gen2_measure","ts":1795183194,"x":'
            + b"[" * depth + b"]" * depth + b"}}")


# the unreadable deliveries of features/device_readings.feature, by their plain-language description
UNREADABLE: dict[str, tuple[str, bytes]] = {
    "nests its contents a thousand levels deep": (TELEMETRY, nested(1_000)),
    "is not readable text": (TELEMETRY, json.dumps(fixture("bp_normal")).encode().replace(b"TMB", b"\xff\xfe")),
    "names a device model longer than the system can hold": (
        TELEMETRY, json.dumps({**fixture("bp_normal"), "modelNumber": "TMB-2092-G" * 7}).encode()),
    "hides a control character in the patient's user slot": (
        TELEMETRY, json.dumps(fixture("bp_normal", uid="1\u0000")).encode()),
    "reports a battery level no device could have": (STATUS, json.dumps(fixture("status_bp", bat=2**63)).encode()),
}
