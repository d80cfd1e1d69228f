"""/console/: the day at a glance; the figures refresh themselves every 30 s (an htmx-polled fragment)."""

from __future__ import annotations

from dishka import FromDishka
from litestar import get
from litestar.response import Template

from application.context import Actor
from application.dashboard import ShowDashboard
from domain.alerts import Severity
from domain.dashboard import DashboardSnapshot
from entrypoints.console.rendering import ConsoleController, fragment, page
from entrypoints.http.security import AnyRequest


def figures(snapshot: DashboardSnapshot) -> dict[str, object]:
    """The template's view of a snapshot: alerts by severity (critical first), sync health in three."""
    sync = snapshot.sync
    return {
        "snapshot": snapshot,
        "alerts_by_severity": [(s.value, snapshot.open_alerts.get(s.value, 0)) for s in reversed(Severity)],
        "sync_health": [("Delivered", sync.get("delivered", 0)),
                        ("Waiting", sync.get("pending", 0) + sync.get("retrying", 0)),
                        ("Dead", sync.get("dead", 0))],
    }


class DashboardPages(ConsoleController):
    """The dashboard and its self-refreshing panel."""

    @get("/console/", operation_id="consoleDashboard")
    async def dashboard(self, request: AnyRequest, actor: FromDishka[Actor],
                        show: FromDishka[ShowDashboard]) -> Template:
        return page(request, "console/dashboard.html", "Dashboard", status_code=200, **figures(await show(actor)))

    @get("/console/dashboard/panel", operation_id="consoleDashboardPanel")
    async def panel(self, actor: FromDishka[Actor], show: FromDishka[ShowDashboard]) -> Template:
        return fragment("console/_dashboard_panel.html", **figures(await show(actor)))
