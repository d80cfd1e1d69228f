"""The OTel SDK (traces and metrics), configured by the standard OTEL_* variables: OTLP/HTTP export
when OTEL_EXPORTER_OTLP_ENDPOINT (or the signal's own endpoint) is set.

Without an exporter for a signal its SDK is not installed: the OTel API's no-op provider stays, so
spans and instruments that nobody would ever see cost nearly nothing on the hot paths (a webhook's
span through the SDK was about a sixth of its HTTP-layer CPU).
"""

from __future__ import annotations

from collections.abc import Mapping

from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor


def configure_tracing(environ: Mapping[str, str], service_name: str = "vantrexia-integration") -> bool:
    """Install the SDK for each signal that has an OTLP endpoint; True when traces are exported."""
    resource = Resource.create({"service.name": environ.get("OTEL_SERVICE_NAME", service_name)})
    traced = exported(environ, "TRACES")
    if traced:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider = TracerProvider(resource=resource)
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))  # reads the OTEL_* variables
        trace.set_tracer_provider(provider)
    if exported(environ, "METRICS"):
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

        reader = PeriodicExportingMetricReader(OTLPMetricExporter())
        metrics.set_meter_provider(MeterProvider(resource=resource, metric_readers=[reader]))
    return traced


def exported(environ: Mapping[str, str], signal: str) -> bool:
    """Whether `signal` (TRACES or METRICS) has an OTLP endpoint: without one the SDK is not installed, so
    no span or metric is built that nothing would read."""
    return bool(environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or environ.get(f"OTEL_EXPORTER_OTLP_{signal}_ENDPOINT"))
