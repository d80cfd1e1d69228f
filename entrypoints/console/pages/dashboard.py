"""/console/: the day at a glance; the figures refresh themselves every 30 s (an htmx-polled fragment)."""

from __future__ import annotations

from dishka import FromDishka
from litestar import get
from litestar.response import Template

from application.context import Actor
from application.dashboard import ShowDashboard, ShowNeedsAttention
from domain.alerts import Severity
from domain.dashboard import DashboardSnapshot, NeedsAttention
from entrypoints.console.rendering import ConsoleController, fragment, page
from entrypoints.http.security import AnyRequest


def figures(snapshot: DashboardSnapshot, attention: NeedsAttention) -> dict[str, object]:
    """The template's view: alerts by severity (critical first), sync health in three, who needs attention."""
    sync = snapshot.sync
    return {
        "snapshot": snapshot, "attention": attention,
        "alerts_by_severity": [(s.value, snapshot.open_alerts.get(s.value, 0)) for s in reversed(Severity)],
        "sync_health": [("Delivered today", snapshot.delivered_today),
                        ("Waiting", sync.get("pending", 0) + sync.get("retrying", 0)),
                        ("Dead", sync.get("dead", 0))],
    }


class DashboardPages(ConsoleController):
    """The dashboard and its self-refreshing panel."""

    @get("/console/", operation_id="consoleDashboard")
    async def dashboard(self, request: AnyRequest, actor: FromDishka[Actor], show: FromDishka[ShowDashboard],
                        attention: FromDishka[ShowNeedsAttention]) -> Template:
        shown = figures(await show(actor), await attention(actor))
        return page(request, "console/dashboard.html", "Dashboard", status_code=200, **shown)

    @get("/console/dashboard/panel", operation_id="consoleDashboardPanel")
    async def panel(self, actor: FromDishka[Actor], show: FromDishka[ShowDashboard],
                    attention: FromDishka[ShowNeedsAttention]) -> Template:
        return fragment("console/_dashboard_panel.html", **figures(await show(actor), await attention(actor)))
