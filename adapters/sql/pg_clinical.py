"""Thresholds and alerts on PostgreSQL: the triage's reads per page go through the driver."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from adapters.sql import mapping as m
from adapters.sql.driver import driver_of
from adapters.sql.pg_arrays import json_value, select_any
from adapters.sql.repositories_clinical import SqlAlertRepository, SqlThresholdRepository
from adapters.sql.tables import alerts
from domain.alerts import Alert, AlertStatus

_THRESHOLDS = select_any("patient_thresholds", ["patient_id", "overrides::text AS overrides"], "patient_id")
# NO KEY UPDATE: waits for another triage of the patient, not for inserts whose foreign key names it
_LOCK_FOR_TRIAGE = "SELECT id FROM patients WHERE id = ANY($1::text[]) ORDER BY id FOR NO KEY UPDATE"
_OPEN_FOR_RULE = select_any("alerts", [c.name for c in alerts.c], "patient_id",
                            f"AND rule = $2 AND status <> '{AlertStatus.RESOLVED.value}' AND raised_at >= $3 LIMIT 1")


class PgThresholdRepository(SqlThresholdRepository):
    """SqlThresholdRepository reading a page's overrides through the driver."""

    async def get_many(self, patient_ids: Sequence[str]) -> Mapping[str, Mapping[str, Decimal]]:
        if not patient_ids:
            return {}
        driver = await driver_of(self._c)
        rows = await driver.fetch(_THRESHOLDS, sorted(set(patient_ids)))
        return {row["patient_id"]: m.overrides_of(json_value(row["overrides"]))
                for row in rows}


class PgAlertRepository(SqlAlertRepository):
    """SqlAlertRepository whose triage look-up goes through the driver."""

    async def open_for_rule(self, patient_id: str, rule: str, since: datetime) -> Alert | None:
        driver = await driver_of(self._c)
        row = await driver.fetchrow(_OPEN_FOR_RULE, [patient_id], rule, since)
        return m.alert_of(dict(row)) if row else None

    async def lock_for_triage(self, patient_ids: Sequence[str]) -> None:
        if patient_ids:  # in id order, as every triage locks them: two pages never wait for each other in a cycle
            driver = await driver_of(self._c)
            await driver.execute(_LOCK_FOR_TRIAGE, sorted(set(patient_ids)))
