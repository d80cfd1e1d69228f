"""/console/audit (administrators): the audit trail, newest entries as the API answers them, with the API's
filters (actor, action, resource type, since, until) and paging. Reading it is itself audited."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

import msgspec
from dishka import FromDishka
from litestar import get
from litestar.params import QueryParameter
from litestar.response import Template

from application.auditing import Auditor
from application.context import Actor
from application.queries import MAX_PAGE
from domain.audit import AuditQuery
from domain.errors import InvalidInput
from domain.ports import AuditLog
from domain.users import Role
from entrypoints.console.rendering import ConsoleController, page
from entrypoints.console.utc_input import shown, utc_from_input
from entrypoints.http.paging import EARLIEST, LATEST
from entrypoints.http.security import AnyRequest, requires_role

PAGE_SIZE = 50
Text = Annotated[str, QueryParameter(max_length=200)]


class AuditFilters(msgspec.Struct):
    """The filter form's values as typed (times are datetime-local values, read as UTC)."""

    actor: str = ""
    action: str = ""
    resource_type: str = ""
    since: str = ""
    until: str = ""

    def query(self, number: int) -> AuditQuery:
        since, until = utc_from_input(self.since, "Since"), utc_from_input(self.until, "Until")
        for moment in (since, until):
            if moment is not None and not EARLIEST <= moment < LATEST:
                raise InvalidInput("times must lie between 1900 and 2199")
        return AuditQuery(self.actor.strip() or None, self.action.strip() or None,
                          self.resource_type.strip() or None, since, until, (number - 1) * PAGE_SIZE, PAGE_SIZE)

    def link(self, number: int) -> str:
        values = {k: v for k, v in msgspec.structs.asdict(self).items() if v}
        return "/console/audit?" + urlencode({**values, "page": number})


class AuditPages(ConsoleController):
    """The audit trail (administrators only)."""

    @get("/console/audit", operation_id="consoleAudit", guards=[requires_role(Role.ADMIN)])
    async def audit(
        self, request: AnyRequest, actor: FromDishka[Actor], log: FromDishka[AuditLog], auditor: FromDishka[Auditor],
        actor_filter: Annotated[str, QueryParameter(name="actor", max_length=200)] = "", action: Text = "",
        resource_type: Text = "", since: Text = "", until: Text = "",
        page_number: Annotated[int, QueryParameter(name="page")] = 1,
    ) -> Template:
        filters = AuditFilters(actor_filter, action, resource_type, since, until)
        number = min(max(page_number, 1), MAX_PAGE)
        try:
            found, total = await log.search(filters.query(number))
        except InvalidInput as refused:
            return page(request, "console/audit.html", "Audit", status_code=422, filters=filters, entries=[],
                        total=0, error=str(refused))
        await auditor.record(actor, "audit.read", "AuditLog", page=str(number))
        return page(request, "console/audit.html", "Audit", filters=filters, entries=found, total=total,
                    page_number=number, shown=shown, error=None,
                    previous=filters.link(number - 1) if number > 1 else None,
                    next=filters.link(number + 1) if number * PAGE_SIZE < total else None)
