"""OpenTelemetry metrics: readings ingested by kind and outcome, EMR push latency, outbox depth."""

from __future__ import annotations

from typing import Any

from dishka import Provider, Scope, provide
from litestar.testing import AsyncTestClient
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader

from adapters.telemetry.metrics import OtelMetrics
from domain.ports import Metrics
from entrypoints.container import build_container
from entrypoints.http.app import create_app
from tests.support.api import enrol_patient, login
from tests.support.app import deliver, drain_outbox, fixture, settings_for_tests
from tests.support.world import FakesProvider, World


class MetricsProvider(Provider):
    def __init__(self, metrics: OtelMetrics) -> None:
        super().__init__()
        self._metrics = metrics

    @provide(scope=Scope.APP, override=True)
    def metrics(self) -> Metrics:
        return self._metrics


def _points(reader: InMemoryMetricReader) -> dict[str, list[Any]]:
    data = reader.get_metrics_data()
    assert data is not None
    return {m.name: list(m.data.data_points) for rm in data.resource_metrics for sm in rm.scope_metrics
            for m in sm.metrics}


async def test_ingest_push_and_backlog_metrics() -> None:
    world, reader = World(), InMemoryMetricReader()
    settings = settings_for_tests()
    container = build_container(settings, FakesProvider(world),
                                MetricsProvider(OtelMetrics(MeterProvider(metric_readers=[reader]))))
    async with AsyncTestClient(app=create_app(container, settings)) as client:
        auth = await login(client, world)
        await enrol_patient(client, auth)
        await deliver(client, fixture("bp_normal"))
        await deliver(client, fixture("pulseox_sentinel"))
        await drain_outbox(client)
    points = _points(reader)
    ingested = {(p.attributes["kind"], p.attributes["outcome"]): p.value
                for p in points["vantrexia.readings_ingested"]}
    assert ingested == {("blood_pressure", "accepted"): 1, ("spo2", "discarded"): 1}
    (latency,) = points["vantrexia.emr_push_latency_ms"]
    assert latency.count == 2
    depth = {p.attributes["topic"]: p.value for p in points["vantrexia.outbox_depth"]}
    assert depth == {"emr.push": 0, "emr.withdraw": 0, "notify.alert": 0}
    assert all(set(p.attributes) <= {"kind", "outcome", "status", "topic", "http_status"}
               for series in points.values() for p in series)
