"""PushAlertNotifications and EscalateAlerts: PHI-free pushes of alerts to providers' phones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from application.auditing import Auditor
from application.context import OUTBOX_WORKER
from application.outbox import PushBatch, claim
from application.tracing import NULL_TRACER
from application.triage_reading import TriagePolicy, enqueue_notification
from domain.alerts import ACTION_REVIEW, Alert, AlertStatus, due_for_escalation, escalated
from domain.events import ObservationPushed
from domain.notifications import PushToken
from domain.ports import Clock, IdGenerator, Notifier, PushMessage, RandomSource, Tracer, UnitOfWork
from domain.sync import OutboxItem, OutboxTopic, RetryPolicy, delivered, failed
from domain.users import Role

ADMIN_LEVEL = 2  # escalation level from which administrators are paged instead of clinicians


class PushAlertNotifications:
    """Claim due alert notifications and push them; tokens the push service rejects are deactivated."""

    def __init__(
        self, uow: UnitOfWork, notifier: Notifier, clock: Clock, random: RandomSource, policy: RetryPolicy,
        auditor: Auditor, tracer: Tracer = NULL_TRACER,
    ) -> None:
        self._tracer = tracer
        self._uow = uow
        self._notifier = notifier
        self._clock = clock
        self._random = random
        self._policy = policy
        self._auditor = auditor

    async def __call__(self, batch: PushBatch) -> list[ObservationPushed]:
        items = await claim(self._uow, OutboxTopic.NOTIFY_ALERT, self._clock.now(), batch)
        pushed = []
        for item in items:
            with self._tracer.span("alert.push", parent=item.trace_context) as span:
                pushed.append(await self._push(item))
                span.set("item_id", item.id)
                span.set("status", pushed[-1].status)
        return pushed

    async def _push(self, item: OutboxItem) -> ObservationPushed:
        async with self._uow as uow:
            alert = await uow.alerts.get(item.alert_id or "")
            tokens = await uow.push_tokens.active_for(await _recipients(uow, alert)) if alert else []
        now, rejected = self._clock.now(), []
        if alert is None or alert.status is not AlertStatus.OPEN:
            updated = delivered(item, now, None, None)  # acknowledged or resolved meanwhile: nothing to say
        elif not tokens:
            updated = failed(item, now, error="no registered push token", http_status=None, permanent=True,
                             policy=self._policy, jitter=0.0)
        else:
            message = PushMessage(alert.id, alert.rule, alert.severity.value, ACTION_REVIEW)
            results = await self._notifier.send(message, {t.id: t.token for t in tokens})
            invalid = {r.token_id for r in results if r.token_invalid}
            rejected = [t for t in tokens if t.id in invalid]
            sent = sum(r.delivered for r in results)
            if sent:
                updated = delivered(item, now, None, f"{sent} device(s)")
            else:
                updated = failed(item, now, error="push not delivered to any device", http_status=None,
                                 permanent=not any(r.retryable for r in results), policy=self._policy,
                                 jitter=self._random.random())
        await self._record(updated, alert if alert and not tokens else None, rejected, now)
        return ObservationPushed(item.id, updated.status.value, None)

    async def _record(
        self, updated: OutboxItem, untargeted: Alert | None, rejected: Sequence[PushToken], now: datetime
    ) -> None:
        async with self._uow as uow:
            await uow.outbox.save(updated)
            if untargeted is not None and untargeted.status is AlertStatus.OPEN:
                await uow.alerts.save(replace(untargeted, no_push_target=True))
            for token in rejected:
                await uow.push_tokens.save(replace(token, active=False, deactivated_at=now,
                                                   deactivation_reason="rejected by the push service"))
            await uow.commit()
        await self._auditor.record(OUTBOX_WORKER, "push.send", "Alert", [updated.id, updated.alert_id or ""],
                                   status=updated.status.value, tokens_deactivated=str(len(rejected)))


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
                    await enqueue_notification(uow, self._ids, raised[-1], now)
            await uow.commit()
        for alert in raised:
            await self._auditor.record(OUTBOX_WORKER, "alert.escalate", "Alert", [alert.id],
                                       level=str(alert.escalation_level))
        return raised
