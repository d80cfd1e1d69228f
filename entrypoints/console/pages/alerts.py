"""/console/alerts: the open alert queue, critical first, kept live by polling a fragment (no PHI in its URL)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Annotated

import msgspec
from dishka import FromDishka
from litestar import Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from application.alerts import AlertFilter, AlertWorkflow
from application.context import Actor
from application.queries import PageQuery
from domain.alerts import Alert, AlertStatus
from domain.errors import Conflict, InvalidInput
from entrypoints.console.rendering import ConsoleController, done, fragment, page
from entrypoints.http.security import AnyRequest

QUEUE_SIZE = 100


class ResolveForm(msgspec.Struct):
    note: str = ""


async def open_queue(alerts: AlertWorkflow, actor: Actor) -> list[Alert]:
    """Unresolved alerts (open, then acknowledged), each list already critical first then oldest first."""
    found: list[Alert] = []
    for status in (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED):
        page_of, _ = await alerts.list(PageQuery(actor, 1, QUEUE_SIZE), AlertFilter(status=status.value))
        found.extend(page_of)
    return found


def version_of(queue: Sequence[Alert]) -> str:
    """A short fingerprint of the queue: the poll answers 204 (nothing to swap) while it is unchanged."""
    text = "|".join(f"{a.id}:{a.status.value}" for a in queue)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class AlertPages(ConsoleController):
    """The alert queue, acknowledge and resolve."""

    @get("/console/alerts", operation_id="consoleAlerts")
    async def alerts_page(self, request: AnyRequest, actor: FromDishka[Actor],
                          alerts: FromDishka[AlertWorkflow]) -> Template:
        queue = await open_queue(alerts, actor)
        return page(request, "console/alerts.html", "Alerts", queue=queue, version=version_of(queue), error=None)

    @get("/console/alerts/queue", operation_id="consoleAlertQueue")
    async def queue_fragment(self, actor: FromDishka[Actor], alerts: FromDishka[AlertWorkflow],
                             v: FromQuery[str] = "") -> Template | Response[None]:
        queue = await open_queue(alerts, actor)
        version = version_of(queue)
        if v == version:
            return Response(None, status_code=204)
        return fragment("console/_alert_queue.html", queue=queue, version=version)

    @post("/console/alerts/{alert_id:str}/acknowledge", operation_id="consoleAcknowledgeAlert", status_code=303)
    async def acknowledge(self, actor: FromDishka[Actor], alert_id: FromPath[str],
                          alerts: FromDishka[AlertWorkflow]) -> Redirect:
        try:
            await alerts.acknowledge(actor, alert_id)
        except Conflict:
            return done("/console/alerts", "That alert was already handled.")
        return done("/console/alerts", "Alert acknowledged.")

    @post("/console/alerts/{alert_id:str}/resolve", operation_id="consoleResolveAlert", status_code=303)
    async def resolve(
        self, request: AnyRequest, actor: FromDishka[Actor], alert_id: FromPath[str],
        data: Annotated[ResolveForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
        alerts: FromDishka[AlertWorkflow],
    ) -> Redirect | Template:
        try:
            await alerts.resolve(actor, alert_id, data.note.strip())
        except (InvalidInput, Conflict) as refused:
            queue = await open_queue(alerts, actor)
            return page(request, "console/alerts.html", "Alerts", status_code=422, queue=queue,
                        version=version_of(queue), error=str(refused))
        return done("/console/alerts", "Alert resolved.")
