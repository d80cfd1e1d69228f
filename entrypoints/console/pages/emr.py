"""/console/emr (administrators): each EMR connection's settings (never a secret: a client secret is only said
to be stored) and the eCW tutorial's two checks, "Test token" and "Test connection", with their results."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dishka import FromDishka
from litestar import get, post
from litestar.params import FromPath
from litestar.response import Template

from application.auditing import Auditor
from application.context import Actor
from domain.emr_connections import EmrConnection, NoEmrConnection
from domain.errors import NotFound
from domain.ports import EmrDirectory
from domain.users import Role
from entrypoints.console.rendering import ConsoleController, page
from entrypoints.console.utc_input import shown
from entrypoints.http.security import AnyRequest, requires_role

ADMINS = [requires_role(Role.ADMIN)]


class EmrPages(ConsoleController):
    """EMR connections and their checks (administrators only)."""

    guards = ADMINS

    @get("/console/emr", operation_id="consoleEmr")
    async def emr(self, request: AnyRequest, directory: FromDishka[EmrDirectory]) -> Template:
        return _emr_page(request, await directory.connections())

    @post("/console/emr/{connection_id:str}/test-token", operation_id="consoleEmrTestToken", status_code=200)
    async def test_token(self, request: AnyRequest, actor: FromDishka[Actor], connection_id: FromPath[str],
                         directory: FromDishka[EmrDirectory], auditor: FromDishka[Auditor]) -> Template:
        connections = await directory.connections()
        connection = _named(connections, connection_id)
        try:
            result: Any = await (await directory.diagnostics(connection.practice_id)).test_token()
        except NoEmrConnection as missing:
            return _emr_page(request, connections, error=(connection.id, str(missing)))
        await auditor.record(actor, "emr.token.test", "EMR", status=result.status, practice=connection.practice_id)
        return _emr_page(request, connections, token=(connection.id, result))

    @post("/console/emr/{connection_id:str}/test-connection", operation_id="consoleEmrTestConnection",
          status_code=200)
    async def test_connection(self, request: AnyRequest, actor: FromDishka[Actor], connection_id: FromPath[str],
                              directory: FromDishka[EmrDirectory], auditor: FromDishka[Auditor]) -> Template:
        connections = await directory.connections()
        connection = _named(connections, connection_id)
        try:
            result: Any = await (await directory.diagnostics(connection.practice_id)).test_connection()
        except NoEmrConnection as missing:
            return _emr_page(request, connections, error=(connection.id, str(missing)))
        await auditor.record(actor, "emr.connection.test", "EMR", status=result.status,
                             practice=connection.practice_id)
        return _emr_page(request, connections, check=(connection.id, result))


def _named(connections: Sequence[EmrConnection], connection_id: str) -> EmrConnection:
    found = next((c for c in connections if c.id == connection_id), None)
    if found is None:
        raise NotFound("EMR connection", connection_id)
    return found


def _emr_page(request: AnyRequest, connections: Sequence[EmrConnection], **results: Any) -> Template:
    """The page; `token`, `check` or `error` is (connection id, what to show under that connection)."""
    return page(request, "console/emr.html", "EMR connections", connections=connections, shown=shown,
                token=results.get("token"), check=results.get("check"), error=results.get("error"))
