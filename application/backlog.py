"""MeasureBacklog: outbox depth and the age of its oldest waiting item, per topic, as gauges."""

from __future__ import annotations

from application.tracing import NULL_METRICS
from domain.ports import Clock, Metrics, UnitOfWork


class MeasureBacklog:
    def __init__(self, uow: UnitOfWork, clock: Clock, metrics: Metrics = NULL_METRICS) -> None:
        self._uow = uow
        self._clock = clock
        self._metrics = metrics

    async def __call__(self) -> dict[str, int]:
        async with self._uow as uow:
            backlog = await uow.outbox.backlog()
        now, depths = self._clock.now(), {}
        for topic, depth, oldest in backlog:
            self._metrics.gauge("outbox_depth", depth, {"topic": topic})
            age = (now - oldest).total_seconds() if oldest else 0.0
            self._metrics.gauge("outbox_oldest_age_seconds", max(age, 0.0), {"topic": topic})
            depths[topic] = depth
        return depths
