"""/console/alerts: the open alert queue, critical first, kept live by polling a fragment (no PHI in its URL:
only the queue's version, a hash of alert ids and statuses)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from dishka import FromDishka
from litestar import Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from application.alert_queue import QueueQuery, ShowAlertQueue
from application.alerts import AlertWorkflow
from application.context import Actor
from domain.errors import Conflict, InvalidInput
from entrypoints.console.rendering import ConsoleController, done, fragment, page
from entrypoints.http.security import AnyRequest

ALERTS = "/console/alerts"


class ResolveForm(msgspec.Struct):
    note: str = ""


class AlertPages(ConsoleController):
    """The alert queue, acknowledge and resolve."""

    @get(ALERTS, operation_id="consoleAlerts")
    async def alerts_page(self, request: AnyRequest, actor: FromDishka[Actor],
                          show: FromDishka[ShowAlertQueue]) -> Template:
        return await _queue_page(request, actor, show)

    @get(f"{ALERTS}/queue", operation_id="consoleAlertQueue")
    async def queue_fragment(self, actor: FromDishka[Actor], show: FromDishka[ShowAlertQueue],
                             v: FromQuery[str] = "") -> Template | Response[None]:
        queue = await show(QueueQuery(actor, known_version=v))
        if queue is None:
            return Response(None, status_code=204)  # htmx swaps nothing: a half-typed note survives
        return fragment("console/_alert_queue.html", queue=queue)

    @post(f"{ALERTS}/{{alert_id:str}}/acknowledge", operation_id="consoleAcknowledgeAlert", status_code=303)
    async def acknowledge(self, actor: FromDishka[Actor], alert_id: FromPath[str],
                          alerts: FromDishka[AlertWorkflow]) -> Redirect:
        try:
            await alerts.acknowledge(actor, alert_id)
        except Conflict:
            return done(ALERTS, "That alert was already acknowledged or resolved.")
        return done(ALERTS, "Alert acknowledged.")

    @post(f"{ALERTS}/{{alert_id:str}}/resolve", operation_id="consoleResolveAlert", status_code=303)
    async def resolve(
        self, request: AnyRequest, actor: FromDishka[Actor], alert_id: FromPath[str],
        data: Annotated[ResolveForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
        alerts: FromDishka[AlertWorkflow], show: FromDishka[ShowAlertQueue],
    ) -> Redirect | Template:
        try:
            await alerts.resolve(actor, alert_id, data.note)
        except Conflict:
            return done(ALERTS, "That alert was already resolved.")
        except InvalidInput:
            return await _queue_page(request, actor, show, status_code=422,
                                     error="Write a note saying what was done, then press Resolve.")
        return done(ALERTS, "Alert resolved.")


async def _queue_page(request: AnyRequest, actor: Actor, show: ShowAlertQueue, status_code: int = 200,
                      error: str | None = None) -> Template:
    queue = await show(QueueQuery(actor))
    return page(request, "console/alerts.html", "Alerts", status_code=status_code, queue=queue, error=error)
