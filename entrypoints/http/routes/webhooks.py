"""MioConnect webhooks: verified (Standard Webhooks HMAC), stored raw, answered quickly."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import structlog
from dishka import FromDishka
from litestar import Request, Response, post

from adapters.mioconnect.parse import MalformedMessage, parse_status, parse_telemetry
from adapters.mioconnect.webhook import InvalidSignature, WebhookVerifier
from application.auditing import Auditor
from application.context import WEBHOOK_SERVICE, Actor
from application.record_device_status import RecordDeviceStatus, RecordStatusDelivery
from application.record_reading import RecordDelivery, RecordReading
from domain.audit import AuditOutcome
from domain.deliveries import DeliveryStatus
from domain.events import ReadingRecorded
from domain.ports import Tracer
from entrypoints.http import dto
from entrypoints.http.problems import problem
from entrypoints.http.security import PUBLIC, request_id_of
from entrypoints.settings import Settings
from entrypoints.worker import WorkerWakeup

SOURCE = "mioconnect"
T = TypeVar("T")
_log = structlog.get_logger("vantrexia.webhooks")
Answer = Response[dto.WebhookAck] | Response[dict[str, object]]


class Refused(Exception):
    """The delivery is refused before anything is stored."""

    def __init__(self, response: Response[dict[str, object]]) -> None:
        self.response = response


@post(
    "/api/v1/webhooks/mioconnect/telemetry", opt=PUBLIC, tags=["webhooks"], status_code=202,
    summary="A measurement forwarded by MioConnect (signed per Standard Webhooks)",
)
async def telemetry(
    request: Request,  # type: ignore[type-arg]
    settings: FromDishka[Settings],
    verifier: FromDishka[WebhookVerifier],
    record: FromDishka[RecordReading],
    auditor: FromDishka[Auditor],
    wakeup: FromDishka[WorkerWakeup],
    tracer: FromDishka[Tracer],
) -> Answer:
    async def take(webhook_id: str, body: bytes, actor: Actor) -> ReadingRecorded:
        parsed, error = _parsed(parse_telemetry, body)
        event = await record(RecordDelivery(SOURCE, webhook_id, body, parsed, error, actor))
        if event.status is DeliveryStatus.ACCEPTED:
            wakeup.notify()
        return event

    return await _receive(request, settings, verifier, auditor, take, tracer)


@post(
    "/api/v1/webhooks/mioconnect/status", opt=PUBLIC, tags=["webhooks"], status_code=202,
    summary="A device status report forwarded by MioConnect (battery, signal, firmware)",
)
async def status(
    request: Request,  # type: ignore[type-arg]
    settings: FromDishka[Settings],
    verifier: FromDishka[WebhookVerifier],
    record: FromDishka[RecordDeviceStatus],
    auditor: FromDishka[Auditor],
    tracer: FromDishka[Tracer],
) -> Answer:
    async def take(webhook_id: str, body: bytes, actor: Actor) -> ReadingRecorded:
        report, error = _parsed(parse_status, body)
        return await record(RecordStatusDelivery(SOURCE, webhook_id, body, report, error, actor))

    return await _receive(request, settings, verifier, auditor, take, tracer)


async def _receive(
    request: Request, settings: Settings, verifier: WebhookVerifier, auditor: Auditor,  # type: ignore[type-arg]
    take: Callable[[str, bytes, Actor], Awaitable[ReadingRecorded]], tracer: Tracer,
) -> Answer:
    """Verify, then hand the raw body to `take`; the answer follows what became of the delivery."""
    actor = Actor(WEBHOOK_SERVICE.id, request_id_of(request))
    with tracer.span("webhook.receive") as span:
        span.set("request_id", actor.request_id or "")
        try:
            webhook_id, body = await _verified(request, settings, verifier, auditor, actor)
        except Refused as refused:
            span.set("http_status", refused.response.status_code or 0)
            return refused.response
        return _answer(await take(webhook_id, body, actor), actor)


def _parsed(parse: Callable[[bytes], T], body: bytes) -> tuple[T | None, str | None]:
    try:
        return parse(body), None
    except MalformedMessage as error:
        return None, str(error)
    except Exception as error:  # noqa: BLE001 - a parser bug must not lose a signed delivery: kept as rejected
        _log.error("webhook_parse_failed", error_type=type(error).__name__)
        return None, "body could not be parsed (unexpected parser error)"


async def _verified(
    request: Request, settings: Settings, verifier: WebhookVerifier, auditor: Auditor, actor: Actor,  # type: ignore[type-arg]
) -> tuple[str, bytes]:
    """The webhook id and raw body of a signed, well-framed delivery; otherwise Refused."""
    limit = settings.webhook_max_body_bytes
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise Refused(problem(415, "Unsupported media type", "send application/json", request_id=actor.request_id))
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise Refused(problem(413, "Payload too large", f"at most {limit} bytes", request_id=actor.request_id))
    body = await request.body()
    if len(body) > limit:
        raise Refused(problem(413, "Payload too large", f"at most {limit} bytes", request_id=actor.request_id))
    try:
        return verifier.verify(request.headers, body), body
    except InvalidSignature as error:
        _log.warning("webhook_rejected", reason=str(error), request_id=actor.request_id)
        await auditor.record(actor, "webhook.rejected", "Delivery", (), AuditOutcome.DENIED, reason=str(error))
        raise Refused(problem(401, "Invalid webhook signature", str(error), request_id=actor.request_id)) from None


def _answer(event: ReadingRecorded, actor: Actor) -> Answer:
    _log.info("webhook_received", delivery_id=event.delivery_id, status=event.status.value,
              reading_id=event.reading_id, request_id=actor.request_id)
    if event.status is DeliveryStatus.REJECTED:
        return problem(422, "Unprocessable delivery", event.reason, delivery_id=event.delivery_id,
                       request_id=actor.request_id)
    return Response(dto.WebhookAck(event.status.value, event.delivery_id, event.reading_id, event.reason),
                    status_code=202)
