"""MioConnect webhooks: verified (Standard Webhooks HMAC), stored raw, answered quickly.

The handlers take nothing from dishka per request: they opt out of the request scope and use the
process's WebhookReceiver (APP scope, made once), since webhooks are the hottest path of the API.
"""

from __future__ import annotations

from litestar import Controller, post
from litestar.response.base import ASGIResponse

from adapters.mioconnect.inbound import status_delivery, telemetry_delivery
from entrypoints.http import dto
from entrypoints.http.openapi import success
from entrypoints.http.request_scope import WITHOUT_REQUEST_SCOPE, app_container
from entrypoints.http.security import PUBLIC, AnyRequest
from entrypoints.http.webhook_receiver import WebhookReceiver

WEBHOOK_OPT = {**PUBLIC, **WITHOUT_REQUEST_SCOPE}
RECEIVER_KEY = "webhook_receiver"


class WebhookController(Controller):
    """MioConnect's signed webhooks."""

    @post(
        "/api/v1/webhooks/mioconnect/telemetry", opt=WEBHOOK_OPT,
        operation_id="receiveTelemetry", tags=["webhooks"], status_code=202,
        summary="A measurement forwarded by MioConnect (signed per Standard Webhooks)",
        responses=success(202, dto.WebhookAck, "Taken in (accepted, duplicate, discarded or quarantined)"),
    )
    async def telemetry(self, request: AnyRequest) -> ASGIResponse:
        return await (await _receiver(request)).receive(request, telemetry_delivery)

    @post(
        "/api/v1/webhooks/mioconnect/status", opt=WEBHOOK_OPT,
        operation_id="receiveDeviceStatus", tags=["webhooks"], status_code=202,
        summary="A device status report forwarded by MioConnect (battery, signal, firmware)",
        responses=success(202, dto.WebhookAck, "Taken in (status updated or duplicate)"),
    )
    async def status(self, request: AnyRequest) -> ASGIResponse:
        return await (await _receiver(request)).receive(request, status_delivery)


async def _receiver(request: AnyRequest) -> WebhookReceiver:
    """The process's receiver: made on first use, then kept in the app's state (the container's own
    lookup takes its lock on every call, for every webhook)."""
    state = request.app.state
    receiver: WebhookReceiver | None = state.get(RECEIVER_KEY)
    if receiver is None:
        receiver = state[RECEIVER_KEY] = await app_container(request.app).get(WebhookReceiver)
    return receiver
