"""OpenTelemetry: one reading is one connected trace (webhook → record → triage → EMR push and alert
push, carried through the outbox row), and no span attribute carries PHI."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from adapters.fakes.synthetic import synthetic_patients
from tests.support.api import enrol_patient, login
from tests.support.app import build_app, deliver, drain_outbox, fixture, settings_for_tests
from tests.support.phi import leaks
from tests.support.world import World

DEVICE_IDS = ("860013045678901", "89011703278123456789", "2092G0012345")
CRISIS_VALUES = ("186", "124", "96")  # bp_crisis's systolic, diastolic and pulse
NORMAL_VALUES = ("128", "82", "71")  # bp_normal's


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    exporter = InMemorySpanExporter()
    processor = SimpleSpanProcessor(exporter)
    provider.add_span_processor(processor)
    yield exporter
    processor.shutdown()


async def test_a_reading_is_one_connected_trace_without_phi(
    client: AsyncTestClient[Litestar], auth: dict[str, str], world: World, spans: InMemorySpanExporter
) -> None:
    ids = await enrol_patient(client, auth)
    await client.post("/api/v1/notifications/tokens/", json={"token": "phone-token-" + "y" * 20}, headers=auth)
    spans.clear()
    answer = await deliver(client, fixture("bp_crisis"))
    assert answer.json()["status"] == "accepted"
    await drain_outbox(client)
    finished = spans.get_finished_spans()
    by_name: dict[str, list[object]] = {}
    for span in finished:
        by_name.setdefault(span.name, []).append(span)
    assert {"webhook.receive", "intake.page", "reading.triage", "outbox.claim", "emr.push", "alert.push",
            "audit.append"} <= set(by_name)
    (webhook,) = by_name["webhook.receive"]
    trace_id = webhook.context.trace_id  # type: ignore[attr-defined]
    connected = [s for s in finished if s.name in ("intake.page", "reading.triage", "emr.push", "alert.push")]
    assert len(by_name["emr.push"]) == 2
    assert {s.context.trace_id for s in connected} == {trace_id}
    attributes = " ".join(f"{k}={v}" for s in finished for k, v in (s.attributes or {}).items())
    patient = world.store.committed.patients[ids.patient_id]
    assert leaks(attributes, (*DEVICE_IDS, patient.name, patient.mrn or ""), CRISIS_VALUES) == []


async def test_emr_token_and_http_calls_are_spans_of_the_readings_trace(
    world: World, spans: InMemorySpanExporter
) -> None:
    app = build_app(world, settings_for_tests(emr="sandbox", synthetic_patients=3), fake_emr=False)
    async with AsyncTestClient(app=app) as client:
        auth = await login(client, world)
        spans.clear()
        await enrol_patient(client, auth, emr_id=synthetic_patients(3)[0].emr_patient_id)  # the first token
        (token,) = [s for s in spans.get_finished_spans() if s.name == "emr.token"]
        assert (token.attributes or {}).get("vantrexia.outcome") == "success"
        spans.clear()
        await deliver(client, fixture("bp_normal"))
        await drain_outbox(client)
    finished = spans.get_finished_spans()
    posts = [s for s in finished if s.name == "emr.http"
             and (s.attributes or {}).get("vantrexia.method") == "POST"]
    assert [(s.attributes or {}).get("vantrexia.http_status") for s in posts] == [201, 201]
    webhook = next(s for s in finished if s.name == "webhook.receive")
    assert {s.context.trace_id for s in posts} == {webhook.context.trace_id}  # type: ignore[union-attr]
    attributes = " ".join(f"{k}={v}" for s in finished for k, v in (s.attributes or {}).items())
    assert leaks(attributes, DEVICE_IDS, NORMAL_VALUES) == []

