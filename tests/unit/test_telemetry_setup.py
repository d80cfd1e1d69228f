"""Tracing set-up: spans are recorded only when they are exported; trace context is carried either way."""

from __future__ import annotations

from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from adapters.telemetry.setup import tracer_provider

PROPAGATOR = TraceContextTextMapPropagator()


def traceparent_inside(environ: dict[str, str]) -> tuple[bool, str | None]:
    """Whether a span is recorded under `environ`'s set-up, and the traceparent carried from inside it."""
    provider = tracer_provider(environ)
    try:
        with provider.get_tracer("test").start_as_current_span("emr.push") as span:
            carrier: dict[str, str] = {}
            PROPAGATOR.inject(carrier)
            return span.is_recording(), carrier.get("traceparent")
    finally:
        provider.shutdown()


def sampled(traceparent: str) -> bool:
    return bool(int(traceparent.rsplit("-", 1)[1], 16) & 1)  # the W3C trace flags' "sampled" bit


def test_without_an_exporter_spans_are_not_recorded_but_their_context_is_carried() -> None:
    recorded, traceparent = traceparent_inside({})
    assert not recorded
    assert traceparent is not None
    assert traceparent.startswith("00-")
    assert not sampled(traceparent)  # a downstream process records nothing either


def test_with_an_otlp_endpoint_spans_are_recorded_and_sampled() -> None:
    recorded, traceparent = traceparent_inside({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9"})
    assert recorded
    assert traceparent is not None
    assert sampled(traceparent)
