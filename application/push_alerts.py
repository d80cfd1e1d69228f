"""The relay's alert topic (AlertPushHandler) and EscalateAlerts: PHI-free pushes to providers' phones."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from application.auditing import Auditor
from application.context import OUTBOX_WORKER
from application.relay_handler import Outcome
from application.triage_reading import TriagePolicy, enqueue_notification
from domain.alerts import ACTION_REVIEW, Alert, AlertStatus, due_for_escalation, escalated
from domain.notifications import PushToken
from domain.ports import Clock, IdGenerator, Notifier, PushMessage, UnitOfWork
from domain.sync import OutboxItem, OutboxTopic
from domain.users import Role

ADMIN_LEVEL = 2  # escalation level from which administrators are paged instead of clinicians


@dataclass(frozen=True)
class _Target:
    alert: Alert | None
    tokens: Sequence[PushToken]


@dataclass(frozen=True)
class _Pushed:
    """What recording an alert push writes besides the item: the alert to flag, tokens to deactivate."""

    untargeted: Alert | None = None
    rejected: Sequence[PushToken] = ()


class AlertPushHandler:
    """PHI-free push of an open alert to its providers' phones; tokens the push service rejects are
    deactivated, and an alert nobody can be pushed is flagged for the dashboard."""

    topic = OutboxTopic.NOTIFY_ALERT.value
    span_name = "alert.push"
    audit_action = "push.send"
    audit_resource = "Alert"

    def __init__(self, notifier: Notifier) -> None:
        self._notifier = notifier

    async def prepare(self, uow: UnitOfWork, items: Sequence[OutboxItem]) -> Mapping[str, object]:
        targets: dict[str, object] = {}
        for item in items:  # alerts are few; a critical one waits for nothing else
            alert = await uow.alerts.get(item.alert_id or "")
            tokens = await uow.push_tokens.active_for(await _recipients(uow, alert)) if alert else []
            targets[item.id] = _Target(alert, tokens)
        return targets

    async def send(self, item: OutboxItem, prepared: object | None) -> Outcome:
        target = prepared if isinstance(prepared, _Target) else _Target(None, ())
        alert, tokens = target.alert, target.tokens
        if alert is None or alert.status is not AlertStatus.OPEN:
            return Outcome.done()  # acknowledged or resolved meanwhile: nothing to say
        if not tokens:
            return Outcome.failure("no registered push token", permanent=True, effect=_Pushed(untargeted=alert))
        message = PushMessage(alert.id, alert.rule, alert.severity.value, ACTION_REVIEW)
        results = await self._notifier.send(message, {t.id: t.token for t in tokens})
        invalid = {r.token_id for r in results if r.token_invalid}
        pushed = _Pushed(rejected=[t for t in tokens if t.id in invalid])
        sent = sum(r.delivered for r in results)
        if sent:
            return Outcome.done(None, f"{sent} device(s)", effect=pushed)
        return Outcome.failure("push not delivered to any device", permanent=not any(r.retryable for r in results),
                               effect=pushed)

    async def record(self, uow: UnitOfWork, sent: Sequence[tuple[OutboxItem, Outcome]], now: datetime) -> None:
        for _, outcome in sent:
            pushed = outcome.effect
            if not isinstance(pushed, _Pushed):
                continue
            if pushed.untargeted is not None and pushed.untargeted.status is AlertStatus.OPEN:
                await uow.alerts.save(replace(pushed.untargeted, no_push_target=True))
            for token in pushed.rejected:
                await uow.push_tokens.save(replace(token, active=False, deactivated_at=now,
                                                   deactivation_reason="rejected by the push service"))


async def _recipients(uow: UnitOfWork, alert: Alert | None) -> list[str]:
    """The clinicians of the patient's practice; administrators once the alert has escalated far enough."""
    if alert is None:
        return []
    if alert.escalation_level >= ADMIN_LEVEL:
        return [user.id for user in await uow.users.active_with_role(Role.ADMIN)]
    patient = await uow.patients.get(alert.patient_id)
    if patient is None:
        return []
    return [user.id for user in await uow.users.active_with_role(Role.CLINICIAN, patient.practice_id)]


class EscalateAlerts:
    """Critical alerts nobody acknowledged in time are pushed again, one level higher."""

    def __init__(self, uow: UnitOfWork, clock: Clock, ids: IdGenerator, policy: TriagePolicy,
                 auditor: Auditor) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._policy = policy
        self._auditor = auditor

    async def __call__(self) -> list[Alert]:
        now = self._clock.now()
        raised = []
        async with self._uow as uow:
            for alert in await uow.alerts.open_critical():
                if due_for_escalation(alert, now, self._policy.escalate_after):
                    raised.append(escalated(alert, now))
                    await uow.alerts.save(raised[-1])
                    patient = await uow.patients.get(alert.patient_id)  # escalations are rare
                    await enqueue_notification(uow, self._ids, raised[-1], now,
                                               practice_id=patient.practice_id if patient else None)
            await uow.commit()
        for alert in raised:
            await self._auditor.record(OUTBOX_WORKER, "alert.escalate", "Alert", [alert.id],
                                       level=str(alert.escalation_level))
        return raised
