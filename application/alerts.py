"""Alert workflow for providers: list, acknowledge, resolve; per-patient thresholds; push tokens."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal

from application.access import may_see, patient_for
from application.auditing import Auditor
from application.context import Actor
from application.queries import PageQuery
from application.triage_reading import effective_thresholds
from domain.alerts import Alert, acknowledge, resolve
from domain.errors import InvalidInput, NotFound
from domain.notifications import Platform, PushToken
from domain.ports import Clock, IdGenerator, UnitOfWork
from domain.triage import Thresholds


@dataclass(frozen=True)
class AlertFilter:
    status: str | None = None
    severity: str | None = None
    patient_id: str | None = None


class AlertWorkflow:
    """What a provider does with alerts; who did it and when is recorded on the alert and audited."""

    def __init__(self, uow: UnitOfWork, clock: Clock, auditor: Auditor) -> None:
        self._uow = uow
        self._clock = clock
        self._auditor = auditor

    async def list(self, query: PageQuery, where: AlertFilter) -> tuple[Sequence[Alert], int]:
        async with self._uow as uow:
            found, total = await uow.alerts.search(
                status=where.status, severity=where.severity, patient_id=where.patient_id,
                offset=query.offset, limit=query.page_size, practice_id=query.actor.practice_id,
            )
        await self._auditor.record(query.actor, "alert.list", "Alert", [a.id for a in found])
        return found, total

    async def acknowledge(self, actor: Actor, alert_id: str) -> Alert:
        return await self._change(actor, alert_id, "alert.acknowledge", None)

    async def resolve(self, actor: Actor, alert_id: str, note: str) -> Alert:
        return await self._change(actor, alert_id, "alert.resolve", note)

    async def _change(self, actor: Actor, alert_id: str, action: str, note: str | None) -> Alert:
        now = self._clock.now()
        async with self._uow as uow:
            alert = await uow.alerts.get(alert_id)
            patient = await uow.patients.get(alert.patient_id) if alert else None
            if alert is None or patient is None or not may_see(actor, patient):
                raise NotFound("alert", alert_id)
            changed = acknowledge(alert, actor.id, now) if note is None else resolve(alert, actor.id, now, note)
            await uow.alerts.save(changed)
            await uow.commit()
        await self._auditor.record(actor, action, "Alert", [alert_id, alert.patient_id])
        return changed


class PatientThresholds:
    """A patient's effective thresholds; the care team may override any of them."""

    def __init__(self, uow: UnitOfWork, clock: Clock, auditor: Auditor) -> None:
        self._uow = uow
        self._clock = clock
        self._auditor = auditor

    async def get(self, actor: Actor, patient_id: str) -> Thresholds:
        async with self._uow as uow:
            await patient_for(uow, actor, patient_id)
            thresholds = await effective_thresholds(uow, patient_id)
        await self._auditor.record(actor, "thresholds.read", "Patient", [patient_id])
        return thresholds

    async def set(self, actor: Actor, patient_id: str, overrides: Mapping[str, Decimal]) -> Thresholds:
        unknown = set(overrides) - {f.name for f in fields(Thresholds)}
        if unknown:
            raise InvalidInput(f"unknown thresholds: {', '.join(sorted(unknown))}")
        if any(not value.is_finite() or value < 0 for value in overrides.values()):
            raise InvalidInput("thresholds must be non-negative numbers")
        async with self._uow as uow:
            await patient_for(uow, actor, patient_id)
            await uow.thresholds.save(patient_id, overrides, self._clock.now())
            thresholds = await effective_thresholds(uow, patient_id)
            await uow.commit()
        await self._auditor.record(actor, "thresholds.update", "Patient", [patient_id], changed=",".join(overrides))
        return thresholds


class RegisterPushToken:
    """A provider's phone registers (or re-registers) its FCM token for alert pushes."""

    def __init__(self, uow: UnitOfWork, clock: Clock, ids: IdGenerator, auditor: Auditor) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._auditor = auditor

    async def __call__(self, actor: Actor, token: str, platform: Platform) -> PushToken:
        if not 20 <= len(token) <= 4096:
            raise InvalidInput("token does not look like an FCM registration token")
        now = self._clock.now()
        async with self._uow as uow:
            existing = await uow.push_tokens.by_token(token)
            registered = PushToken(
                id=existing.id if existing else self._ids.new_id(), user_id=actor.id, token=token,
                platform=platform, active=True, registered_at=now,
            )
            await uow.push_tokens.save(registered)
            await uow.commit()
        await self._auditor.record(actor, "push_token.register", "PushToken", [registered.id])
        return registered

