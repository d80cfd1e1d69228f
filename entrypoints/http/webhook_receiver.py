"""Receiving a MioConnect webhook: framing checks, the signature, the group commit, the answer.

Made once per process (APP scope) from process-wide objects only, so a webhook request opens no
dishka request scope and resolves nothing; the 202 answer is encoded by msgspec straight to bytes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import msgspec
import structlog
from litestar.exceptions import ClientException, InternalServerException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.response.base import ASGIResponse

from adapters.mioconnect.webhook import SIGNATURE_HEADERS, InvalidSignature, WebhookVerifier
from application.auditing import Auditor
from application.context import WEBHOOK_SERVICE, Actor
from application.take_in_deliveries import Arrival
from domain.audit import AuditOutcome
from domain.deliveries import DeliveryStatus, IncomingDelivery
from domain.events import DeliveryTakenIn
from domain.ports import Tracer
from entrypoints.http import dto
from entrypoints.http.group_commit import DeliveryFailed, GroupCommit
from entrypoints.http.problems import encoded_problem
from entrypoints.http.security import AnyRequest, client_request_id_of, request_id_of
from entrypoints.settings import Settings
from entrypoints.worker import WorkerWakeup

_log = structlog.get_logger("vantrexia.webhooks")
DeliveryOf = Callable[[str, bytes], IncomingDelivery]
_encode = msgspec.json.Encoder().encode
# looked up once: on Python 3.11 each `DeliveryStatus.X` goes through EnumType.__getattr__ (slow)
_ACCEPTED, _REJECTED = DeliveryStatus.ACCEPTED, DeliveryStatus.REJECTED
_READ = frozenset({b"content-type", b"content-length", *(name.encode() for name in SIGNATURE_HEADERS)})


class Refused(Exception):
    """The delivery is refused before anything is stored."""

    def __init__(self, response: ASGIResponse) -> None:
        self.response = response


class WebhookReceiver:
    """Verifies a delivery, takes it in with whatever else arrives meanwhile, and answers its outcome."""

    def __init__(self, settings: Settings, verifier: WebhookVerifier, intake: GroupCommit, auditor: Auditor,
                 wakeup: WorkerWakeup, tracer: Tracer) -> None:
        self._limit = settings.webhook_max_body_bytes
        self._verifier = verifier
        self._intake = intake
        self._auditor = auditor
        self._wakeup = wakeup
        self._tracer = tracer

    async def receive(self, request: AnyRequest, delivery_of: DeliveryOf) -> ASGIResponse:
        """202 with the outcome, 422 rejected, 401/413/415 refused, 500 when it alone failed to be taken in."""
        actor = Actor(WEBHOOK_SERVICE.id, request_id_of(request), client_request_id=client_request_id_of(request))
        with self._tracer.span("webhook.receive") as span:
            span.set("request_id", actor.request_id or "")
            try:
                webhook_id, body = await self._verified(request, actor)
            except Refused as refused:
                span.set("http_status", refused.response.status_code or 0)
                return refused.response
            try:
                outcome = await self._intake.take_in(Arrival(delivery_of(webhook_id, body), actor))
            except DeliveryFailed:
                return encoded_problem(500, "Delivery not taken in", "kept for diagnosis; send it again later",
                                       request_id=actor.request_id)
        if outcome.status is _ACCEPTED:
            self._wakeup.notify()
        return _answer(outcome, actor)

    async def _verified(self, request: AnyRequest, actor: Actor) -> tuple[str, bytes]:
        """The webhook id and raw body of a signed, well-framed delivery; otherwise Refused."""
        headers = _read_headers(request.scope["headers"])
        media_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != "application/json":
            raise Refused(encoded_problem(415, "Unsupported media type", "send application/json",
                                          request_id=actor.request_id))
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._limit:
            raise Refused(self._too_large(actor))
        body = await _body(request, headers.get("content-length"))
        if len(body) > self._limit:
            raise Refused(self._too_large(actor))
        try:
            return self._verifier.verify(headers, body), body
        except InvalidSignature as error:
            _log.warning("webhook_rejected", reason=str(error), request_id=actor.request_id)
            await self._auditor.record(actor, "webhook.rejected", "Delivery", (), AuditOutcome.DENIED,
                                       reason=str(error))
            raise Refused(encoded_problem(401, "Invalid webhook signature", str(error),
                                          request_id=actor.request_id)) from None

    def _too_large(self, actor: Actor) -> ASGIResponse:
        return encoded_problem(413, "Payload too large", f"at most {self._limit} bytes",
                               request_id=actor.request_id)


def _read_headers(raw: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    """The few headers a webhook is judged by, from the raw ASGI list in one pass, instead of decoding
    every header into a multi-dict (a later repeat wins, as the verifier's own reading did)."""
    return {key.decode("latin-1"): value.decode("latin-1") for name, value in raw if (key := name.lower()) in _READ}


async def _body(request: AnyRequest, declared: str | None) -> bytes:
    """The raw body, read from the ASGI messages with `request.body()`'s own limit and errors: that method
    would first decode every header into a Headers object only to learn the length read here already."""
    limit = request.route_handler.resolve_request_max_body_size() or math.inf
    if declared is not None:
        try:
            announced = int(declared)
        except ValueError:
            raise ClientException(f"Invalid content-length: {declared!r}") from None
        if announced > limit:
            raise RequestEntityTooLarge
    chunks, size = [], 0
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            raise InternalServerException("client disconnected prematurely")
        if message["type"] == "http.request":
            chunk = message["body"]
            size += len(chunk)
            if size > limit:
                raise RequestEntityTooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def _answer(event: DeliveryTakenIn, actor: Actor) -> ASGIResponse:
    if event.status is _REJECTED:
        return encoded_problem(422, "Unprocessable delivery", event.reason, delivery_id=event.delivery_id,
                               request_id=actor.request_id)
    ack = dto.WebhookAck(str(event.status), event.delivery_id, event.reading_id, event.reason)
    body = _encode(ack)
    # str() of a StrEnum is its value (no `.value` descriptor); both headers given as ASGIResponse would set
    # them, else it looks each up, misses and adds it; the media type given, else it looks MediaType.JSON up
    return ASGIResponse(body=body, status_code=202, media_type="application/json",
                        headers=(("content-type", "application/json"), ("content-length", str(len(body)))))
