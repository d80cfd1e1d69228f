"""MioConnect webhooks: verified (Standard Webhooks HMAC), stored raw, answered quickly."""

from __future__ import annotations

import structlog
from dishka import FromDishka
from litestar import Request, Response, post

from adapters.mioconnect.parse import MalformedMessage, parse_telemetry
from adapters.mioconnect.webhook import InvalidSignature, WebhookVerifier
from application.auditing import Auditor
from application.context import WEBHOOK_SERVICE, Actor
from application.record_reading import RecordDelivery, RecordReading
from domain.audit import AuditOutcome
from domain.deliveries import DeliveryStatus
from entrypoints.http import dto
from entrypoints.http.problems import problem
from entrypoints.http.security import PUBLIC, request_id_of
from entrypoints.settings import Settings
from entrypoints.worker import WorkerWakeup

SOURCE = "mioconnect"
_log = structlog.get_logger("vantrexia.webhooks")


@post(
    "/api/v1/webhooks/mioconnect/telemetry", opt=PUBLIC, tags=["webhooks"], status_code=202,
    summary="A reading forwarded by MioConnect (signed per Standard Webhooks)",
)
async def telemetry(
    request: Request,  # type: ignore[type-arg]
    settings: FromDishka[Settings],
    verifier: FromDishka[WebhookVerifier],
    record: FromDishka[RecordReading],
    auditor: FromDishka[Auditor],
    wakeup: FromDishka[WorkerWakeup],
) -> Response[dto.WebhookAck] | Response[dict[str, object]]:
    actor = Actor(WEBHOOK_SERVICE.id, request_id_of(request))
    refusal = _check_envelope(request, settings)
    if refusal is not None:
        return refusal
    body = await request.body()
    if len(body) > settings.webhook_max_body_bytes:
        return problem(413, "Payload too large", f"at most {settings.webhook_max_body_bytes} bytes")
    try:
        webhook_id = verifier.verify(request.headers, body)
    except InvalidSignature as error:
        _log.warning("webhook_rejected", reason=str(error), request_id=actor.request_id)
        await auditor.record(actor, "webhook.rejected", "Delivery", (), AuditOutcome.DENIED, reason=str(error))
        return problem(401, "Invalid webhook signature", str(error), request_id=actor.request_id)
    try:
        parsed, parse_error = parse_telemetry(body), None
    except MalformedMessage as error:
        parsed, parse_error = None, str(error)
    event = await record(RecordDelivery(SOURCE, webhook_id, body, parsed, parse_error, actor))
    _log.info("webhook_received", delivery_id=event.delivery_id, status=event.status.value,
              reading_id=event.reading_id, request_id=actor.request_id)
    if event.status is DeliveryStatus.REJECTED:
        return problem(422, "Unprocessable delivery", event.reason, delivery_id=event.delivery_id,
                       request_id=actor.request_id)
    if event.status is DeliveryStatus.ACCEPTED:
        wakeup.notify()
    ack = dto.WebhookAck(event.status.value, event.delivery_id, event.reading_id, event.reason)
    return Response(ack, status_code=202)


def _check_envelope(request: Request, settings: Settings) -> Response[dict[str, object]] | None:  # type: ignore[type-arg]
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        return problem(415, "Unsupported media type", "send application/json")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > settings.webhook_max_body_bytes:
        return problem(413, "Payload too large", f"at most {settings.webhook_max_body_bytes} bytes")
    return None
