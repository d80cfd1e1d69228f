"""Telemetry set-up: the SDK is installed for a signal only when an OTLP endpoint exports it."""

from __future__ import annotations

import pytest

from adapters.telemetry.setup import exported


@pytest.mark.parametrize(("environ", "traces", "metrics"), [
    ({}, False, False),
    ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, True, True),
    ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, True, False),
    ({"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": "http://collector:4318/v1/metrics"}, False, True),
    ({"OTEL_EXPORTER_OTLP_ENDPOINT": ""}, False, False),
])
def test_a_signal_is_exported_only_with_an_endpoint_for_it(environ: dict[str, str], traces: bool,
                                                          metrics: bool) -> None:
    assert (exported(environ, "TRACES"), exported(environ, "METRICS")) == (traces, metrics)
