"""In-memory alerts, per-patient thresholds and push tokens."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from adapters.fakes.repositories import InMemoryRepository
from domain.alerts import Alert, AlertStatus, Severity
from domain.notifications import PushToken


class InMemoryAlertRepository(InMemoryRepository):
    async def add(self, alert: Alert) -> None:
        self._t.alerts[alert.id] = alert

    async def lock_for_triage(self, patient_ids: Sequence[str]) -> None:
        """Nothing to lock: the store's lock runs whole transactions one after the other."""

    async def save(self, alert: Alert) -> None:
        self._t.alerts[alert.id] = alert

    async def get(self, alert_id: str) -> Alert | None:
        return self._t.alerts.get(alert_id)

    async def open_for_rule(self, patient_id: str, rule: str, since: datetime) -> Alert | None:
        return next((a for a in self._t.alerts.values() if a.patient_id == patient_id and a.rule == rule
                     and a.status is not AlertStatus.RESOLVED and a.raised_at >= since), None)

    async def search(
        self, *, status: str | None, severity: str | None, patient_id: str | None, offset: int, limit: int,
        practice_id: str | None = None,
    ) -> tuple[Sequence[Alert], int]:
        found = [a for a in self._t.alerts.values()
                 if status in (None, a.status.value) and severity in (None, a.severity.value)
                 and patient_id in (None, a.patient_id)
                 and (practice_id is None or ((p := self._t.patients.get(a.patient_id)) is not None
                      and p.practice_id == practice_id))]
        found.sort(key=lambda a: (a.severity is not Severity.CRITICAL, a.raised_at, a.id))
        return found[offset : offset + limit], len(found)

    async def open_critical(self) -> Sequence[Alert]:
        return sorted((a for a in self._t.alerts.values()
                       if a.status is AlertStatus.OPEN and a.severity is Severity.CRITICAL),
                      key=lambda a: (a.raised_at, a.id))

    async def for_patient(self, patient_id: str) -> Sequence[Alert]:
        return sorted(
            (a for a in self._t.alerts.values() if a.patient_id == patient_id),
            key=lambda a: (a.raised_at, a.id),
        )


class InMemoryThresholdRepository(InMemoryRepository):
    async def get(self, patient_id: str) -> Mapping[str, Decimal]:
        return dict(self._t.thresholds.get(patient_id, {}))

    async def get_many(self, patient_ids: Sequence[str]) -> Mapping[str, Mapping[str, Decimal]]:
        return {p: dict(self._t.thresholds[p]) for p in patient_ids if p in self._t.thresholds}

    async def save(self, patient_id: str, overrides: Mapping[str, Decimal], updated_at: datetime) -> None:
        self._t.thresholds[patient_id] = dict(overrides)


class InMemoryPushTokenRepository(InMemoryRepository):
    async def by_token(self, token: str) -> PushToken | None:
        return next((t for t in self._t.push_tokens.values() if t.token == token), None)

    async def save(self, token: PushToken) -> None:
        self._t.push_tokens[token.id] = token

    async def active_for(self, user_ids: Sequence[str]) -> Sequence[PushToken]:
        return sorted((t for t in self._t.push_tokens.values() if t.active and t.user_id in user_ids),
                      key=lambda t: t.id)

