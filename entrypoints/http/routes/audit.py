"""GET /api/v1/audit/: the audit trail for administrators (read only: there is no deletion path)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from dishka import FromDishka
from litestar import get
from litestar.params import FromQuery, QueryParameter

from application.auditing import Auditor
from application.context import Actor
from domain.audit import AuditQuery
from domain.ports import AuditLog
from domain.users import Role
from entrypoints.http import dto
from entrypoints.http.paging import Page, check_instants, page_size_param
from entrypoints.http.routes import ApiController
from entrypoints.http.security import requires_role

MAX_AUDIT_PAGE_SIZE = 500


class AuditController(ApiController):
    """The audit trail (administrators)."""

    @get("/api/v1/audit",
         operation_id="listAuditEntries", tags=["audit"], guards=[requires_role(Role.ADMIN)],
         summary="Audit trail (admins)")
    async def audit_trail(
        self,
        actor: FromDishka[Actor],
        log: FromDishka[AuditLog],
        auditor: FromDishka[Auditor],
        actor_filter: Annotated[str | None, QueryParameter(name="actor")] = None,
        action: FromQuery[str | None] = None,
        resource_type: FromQuery[str | None] = None,
        since: FromQuery[datetime | None] = None,
        until: FromQuery[datetime | None] = None,
        page: int = Page,
        page_size: int = page_size_param(default=100, maximum=MAX_AUDIT_PAGE_SIZE),
    ) -> dto.AuditPage:
        check_instants(since=since, until=until)
        query = AuditQuery(actor_filter, action, resource_type, since, until, (page - 1) * page_size, page_size)
        found, total = await log.search(query)
        await auditor.record(actor, "audit.read", "AuditLog", page=str(page))
        return dto.Page(page, page_size, total, [
            dto.AuditEntryOut(
                seq=e.seq, occurred_at=e.entry.occurred_at, actor=e.entry.actor, action=e.entry.action,
                resource_type=e.entry.resource_type, outcome=e.entry.outcome.value,
                resource_ids=list(e.entry.resource_ids), request_id=e.entry.request_id,
                details=dict(e.entry.details), sealed=e.entry_hash is not None,
            )
            for e in found
        ])

