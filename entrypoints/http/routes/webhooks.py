"""MioConnect webhooks: verified (Standard Webhooks HMAC), stored raw, answered quickly."""

from __future__ import annotations

from collections.abc import Callable

import structlog
from dishka import FromDishka
from litestar import Response, post

from adapters.mioconnect.inbound import status_delivery, telemetry_delivery
from adapters.mioconnect.webhook import InvalidSignature, WebhookVerifier
from application.auditing import Auditor
from application.context import WEBHOOK_SERVICE, Actor
from application.take_in_deliveries import Arrival
from domain.audit import AuditOutcome
from domain.deliveries import DeliveryStatus, IncomingDelivery
from domain.events import DeliveryTakenIn
from domain.ports import Tracer
from entrypoints.http import dto
from entrypoints.http.group_commit import DeliveryFailed, GroupCommit
from entrypoints.http.openapi import success
from entrypoints.http.problems import problem
from entrypoints.http.routes import ApiController
from entrypoints.http.security import PUBLIC, AnyRequest, client_request_id_of, request_id_of
from entrypoints.settings import Settings
from entrypoints.worker import WorkerWakeup

_log = structlog.get_logger("vantrexia.webhooks")
Answer = Response[dto.WebhookAck] | Response[dict[str, object]]


class Refused(Exception):
    """The delivery is refused before anything is stored."""

    def __init__(self, response: Response[dict[str, object]]) -> None:
        self.response = response


class WebhookController(ApiController):
    """MioConnect's signed webhooks."""

    @post(
        "/api/v1/webhooks/mioconnect/telemetry", opt=PUBLIC,
        operation_id="receiveTelemetry", tags=["webhooks"], status_code=202,
        summary="A measurement forwarded by MioConnect (signed per Standard Webhooks)",
        responses=success(202, dto.WebhookAck, "Taken in (accepted, duplicate, discarded or quarantined)"),
    )
    async def telemetry(
        self,
        request: AnyRequest,
        settings: FromDishka[Settings],
        verifier: FromDishka[WebhookVerifier],
        intake: FromDishka[GroupCommit],
        auditor: FromDishka[Auditor],
        wakeup: FromDishka[WorkerWakeup],
        tracer: FromDishka[Tracer],
    ) -> Answer:
        answer, outcome = await _receive(request, settings, verifier, auditor, intake, tracer, telemetry_delivery)
        if outcome is not None and outcome.status is DeliveryStatus.ACCEPTED:
            wakeup.notify()
        return answer

    @post(
        "/api/v1/webhooks/mioconnect/status", opt=PUBLIC,
        operation_id="receiveDeviceStatus", tags=["webhooks"], status_code=202,
        summary="A device status report forwarded by MioConnect (battery, signal, firmware)",
        responses=success(202, dto.WebhookAck, "Taken in (status updated or duplicate)"),
    )
    async def status(
        self,
        request: AnyRequest,
        settings: FromDishka[Settings],
        verifier: FromDishka[WebhookVerifier],
        intake: FromDishka[GroupCommit],
        auditor: FromDishka[Auditor],
        tracer: FromDishka[Tracer],
    ) -> Answer:
        answer, _ = await _receive(request, settings, verifier, auditor, intake, tracer, status_delivery)
        return answer


async def _receive(
    request: AnyRequest, settings: Settings, verifier: WebhookVerifier, auditor: Auditor,
    intake: GroupCommit, tracer: Tracer, delivery_of: Callable[[str, bytes], IncomingDelivery],
) -> tuple[Answer, DeliveryTakenIn | None]:
    """Verify, then take the delivery in with whatever else arrives meanwhile; answer its outcome."""
    actor = Actor(WEBHOOK_SERVICE.id, request_id_of(request), client_request_id=client_request_id_of(request))
    with tracer.span("webhook.receive") as span:
        span.set("request_id", actor.request_id or "")
        try:
            webhook_id, body = await _verified(request, settings, verifier, auditor, actor)
        except Refused as refused:
            span.set("http_status", refused.response.status_code or 0)
            return refused.response, None
        try:
            outcome = await intake.take_in(Arrival(delivery_of(webhook_id, body), actor))
        except DeliveryFailed:
            return problem(500, "Delivery not taken in", "kept for diagnosis; send it again later",
                           request_id=actor.request_id), None
        return _answer(outcome, actor), outcome


async def _verified(
    request: AnyRequest, settings: Settings, verifier: WebhookVerifier, auditor: Auditor, actor: Actor,
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


def _answer(event: DeliveryTakenIn, actor: Actor) -> Answer:
    _log.debug("webhook_received", delivery_id=event.delivery_id, status=event.status.value,
               reading_id=event.reading_id, request_id=actor.request_id)
    if event.status is DeliveryStatus.REJECTED:
        return problem(422, "Unprocessable delivery", event.reason, delivery_id=event.delivery_id,
                       request_id=actor.request_id)
    return Response(dto.WebhookAck(event.status.value, event.delivery_id, event.reading_id, event.reason),
                    status_code=202)
