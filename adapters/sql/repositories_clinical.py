"""Alerts, per-patient thresholds and providers' push tokens over one AsyncConnection."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql import mapping as m
from adapters.sql.statements import dialect_insert, fetch_all, fetch_among, fetch_one, upsert
from adapters.sql.tables import alerts, patient_thresholds, patients, push_tokens
from domain.alerts import Alert, AlertStatus, Severity
from domain.notifications import PushToken


class SqlAlertRepository:
    """AlertRepository on `alerts`."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def add(self, alert: Alert) -> None:
        await self._c.execute(alerts.insert().values(m.alert_row(alert)))

    async def lock_for_triage(self, patient_ids: Sequence[str]) -> None:
        """Nothing to lock on SQLite: its one writer at a time runs whole transactions one after the other."""

    async def save(self, alert: Alert) -> None:
        await upsert(self._c, alerts, m.alert_row(alert))

    async def get(self, alert_id: str) -> Alert | None:
        row = await fetch_one(self._c, alerts, alerts.c.id == alert_id)
        return m.alert_of(row) if row else None

    async def for_patient(self, patient_id: str) -> Sequence[Alert]:
        t = alerts
        rows = await fetch_all(self._c, t, t.c.patient_id == patient_id, order_by=(t.c.raised_at, t.c.id))
        return [m.alert_of(row) for row in rows]

    async def open_for_rule(self, patient_id: str, rule: str, since: datetime) -> Alert | None:
        t = alerts
        row = await fetch_one(self._c, t, t.c.patient_id == patient_id, t.c.rule == rule,
                              t.c.status != AlertStatus.RESOLVED.value, t.c.raised_at >= since)
        return m.alert_of(row) if row else None

    async def search(
        self, *, status: str | None, severity: str | None, patient_id: str | None, offset: int, limit: int,
        practice_id: str | None = None,
    ) -> tuple[Sequence[Alert], int]:
        t = alerts
        in_practice = (t.c.patient_id.in_(select(patients.c.id).where(patients.c.practice_id == practice_id))
                       if practice_id is not None else None)
        where = [c for c in (t.c.status == status if status else None, t.c.severity == severity if severity else None,
                             t.c.patient_id == patient_id if patient_id else None, in_practice) if c is not None]
        critical_first = case((t.c.severity == Severity.CRITICAL.value, 0), else_=1)
        page = await self._c.execute(
            select(t).where(*where).order_by(critical_first, t.c.raised_at, t.c.id).offset(offset).limit(limit)
        )
        total = await self._c.scalar(select(func.count()).select_from(t).where(*where))
        return [m.alert_of(row) for row in page.mappings()], int(total or 0)

    async def open_critical(self) -> Sequence[Alert]:
        t = alerts
        rows = await fetch_all(self._c, t, t.c.status == AlertStatus.OPEN.value,
                               t.c.severity == Severity.CRITICAL.value, order_by=(t.c.raised_at, t.c.id))
        return [m.alert_of(row) for row in rows]


class SqlThresholdRepository:
    """ThresholdRepository on `patient_thresholds` (values kept as strings: exact decimals)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def get(self, patient_id: str) -> Mapping[str, Decimal]:
        row = await fetch_one(self._c, patient_thresholds, patient_thresholds.c.patient_id == patient_id)
        return m.overrides_of(row["overrides"] if row else {})

    async def get_many(self, patient_ids: Sequence[str]) -> Mapping[str, Mapping[str, Decimal]]:
        wanted = sorted(set(patient_ids))
        rows = await fetch_among(self._c, patient_thresholds, "patient_id", wanted)
        return {row["patient_id"]: m.overrides_of(row["overrides"]) for row in rows}

    async def save(self, patient_id: str, overrides: Mapping[str, Decimal], updated_at: datetime) -> None:
        row = {"patient_id": patient_id, "overrides": {k: str(v) for k, v in overrides.items()},
               "updated_at": updated_at}
        statement = dialect_insert(self._c, patient_thresholds).values(row)
        await self._c.execute(statement.on_conflict_do_update(
            index_elements=[patient_thresholds.c.patient_id],
            set_={"overrides": statement.excluded.overrides, "updated_at": statement.excluded.updated_at},
        ))


class SqlPushTokenRepository:
    """PushTokenRepository on `push_tokens` (one row per device token)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def by_token(self, token: str) -> PushToken | None:
        row = await fetch_one(self._c, push_tokens, push_tokens.c.token == token)
        return m.push_token_of(row) if row else None

    async def save(self, token: PushToken) -> None:
        await upsert(self._c, push_tokens, m.push_token_row(token))

    async def active_for(self, user_ids: Sequence[str]) -> Sequence[PushToken]:
        t = push_tokens
        rows = await fetch_all(self._c, t, t.c.active.is_(True), t.c.user_id.in_(list(user_ids)), order_by=(t.c.id,))
        return [m.push_token_of(row) for row in rows]
