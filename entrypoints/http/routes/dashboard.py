"""GET /api/v1/dashboard/: counts for the provider app's home screen."""

from __future__ import annotations

from dishka import FromDishka
from litestar import get

from application.context import Actor
from application.dashboard import ShowDashboard
from domain.alerts import Severity
from entrypoints.http import dto
from entrypoints.http.mapping import connection_health_out
from entrypoints.http.routes import ApiController


class DashboardController(ApiController):
    """The home screen's counts."""

    @get("/api/v1/dashboard",
         operation_id="getDashboard", tags=["dashboard"], summary="Monitoring, alerts and EMR sync at a glance")
    async def dashboard(
        self,
        actor: FromDishka[Actor],
        show: FromDishka[ShowDashboard],
    ) -> dto.DashboardOut:
        snapshot = await show(actor)
        return dto.DashboardOut(
            patients_monitored=snapshot.patients_monitored,
            readings_today=snapshot.readings_today,
            open_alerts={s.value: snapshot.open_alerts.get(s.value, 0) for s in Severity},
            alerts_without_push_target=snapshot.alerts_without_push_target,
            patients_without_reading_3_days=snapshot.patients_without_recent_reading,
            emr_sync=dict(snapshot.sync),
            low_battery_devices=snapshot.low_battery_devices,
            emr_connections=[connection_health_out(health) for health in snapshot.emr_connections],
        )

