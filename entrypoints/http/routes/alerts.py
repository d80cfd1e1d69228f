"""Alerts (list, acknowledge, resolve), per-patient thresholds and push-token registration."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from typing import Literal

from dishka import FromDishka
from litestar import get, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from application.alerts import AlertFilter, AlertWorkflow, PatientThresholds, RegisterPushToken
from application.context import Actor
from application.queries import PageQuery
from domain.alerts import Alert
from domain.notifications import Platform
from domain.triage import Thresholds
from entrypoints.http import dto
from entrypoints.http.paging import Page, PageSize
from entrypoints.http.routes import ApiController


def alert_out(alert: Alert) -> dto.AlertOut:
    return dto.AlertOut(
        id=alert.id, patient_id=alert.patient_id, reading_id=alert.reading_id, rule=alert.rule,
        severity=alert.severity.value, status=alert.status.value, summary=alert.summary, raised_at=alert.raised_at,
        acknowledged_by=alert.acknowledged_by, acknowledged_at=alert.acknowledged_at,
        resolved_by=alert.resolved_by, resolved_at=alert.resolved_at, resolution_note=alert.resolution_note,
        escalation_level=alert.escalation_level, no_push_target=alert.no_push_target,
    )


def thresholds_out(thresholds: Thresholds) -> dto.ThresholdsBody:
    return dto.ThresholdsBody({name: float(value) for name, value in asdict(thresholds).items()})


class AlertController(ApiController):
    """Alerts, a patient's thresholds and push-token registration."""

    @get("/api/v1/alerts",
         operation_id="listAlerts", tags=["alerts"], summary="Alerts, critical first then oldest first")
    async def list_alerts(
        self,
        actor: FromDishka[Actor],
        alerts: FromDishka[AlertWorkflow],
        status: FromQuery[Literal["open", "acknowledged", "resolved"] | None] = None,
        severity: FromQuery[Literal["warning", "critical"] | None] = None,
        patient_id: FromQuery[str | None] = None,
        page: int = Page,
        page_size: int = PageSize,
    ) -> dto.AlertsPage:
        found, total = await alerts.list(PageQuery(actor, page, page_size),
                                         AlertFilter(status, severity, patient_id))
        return dto.Page(page, page_size, total, [alert_out(a) for a in found])

    @post("/api/v1/alerts/{alert_id:str}/acknowledge",
          operation_id="acknowledgeAlert", tags=["alerts"], status_code=200, summary="Acknowledge")
    async def acknowledge_alert(
        self,
        actor: FromDishka[Actor],
        alert_id: FromPath[str],
        alerts: FromDishka[AlertWorkflow],
    ) -> dto.AlertOut:
        return alert_out(await alerts.acknowledge(actor, alert_id))

    @post("/api/v1/alerts/{alert_id:str}/resolve",
          operation_id="resolveAlert", tags=["alerts"], status_code=200, summary="Resolve with a note")
    async def resolve_alert(
        self,
        actor: FromDishka[Actor],
        alert_id: FromPath[str],
        data: JSONBody[dto.ResolveRequest],
        alerts: FromDishka[AlertWorkflow],
    ) -> dto.AlertOut:
        return alert_out(await alerts.resolve(actor, alert_id, data.note))

    @get("/api/v1/patients/{patient_id:str}/thresholds",
         operation_id="getThresholds", tags=["alerts"], summary="A patient's alert thresholds")
    async def get_thresholds(
        self,
        actor: FromDishka[Actor],
        patient_id: FromPath[str],
        thresholds: FromDishka[PatientThresholds],
    ) -> dto.ThresholdsBody:
        return thresholds_out(await thresholds.get(actor, patient_id))

    @put("/api/v1/patients/{patient_id:str}/thresholds",
         operation_id="setThresholds", tags=["alerts"], summary="Override alert thresholds")
    async def put_thresholds(
        self,
        actor: FromDishka[Actor],
        patient_id: FromPath[str],
        data: JSONBody[dto.ThresholdsBody],
        thresholds: FromDishka[PatientThresholds],
    ) -> dto.ThresholdsBody:
        overrides = {name: Decimal(str(value)) for name, value in data.thresholds.items()}
        return thresholds_out(await thresholds.set(actor, patient_id, overrides))

    @post("/api/v1/notifications/tokens",
          operation_id="registerPushToken", tags=["alerts"], summary="Register this phone's FCM token")
    async def register_push_token(
        self,
        actor: FromDishka[Actor],
        data: JSONBody[dto.PushTokenRequest],
        register: FromDishka[RegisterPushToken],
    ) -> dto.PushTokenOut:
        token = await register(actor, data.token, Platform(data.platform))
        return dto.PushTokenOut(token.id, token.platform.value, token.active, token.registered_at)

