"""The OTel SDK (traces and metrics), configured by the standard OTEL_* variables: OTLP/HTTP export
when OTEL_EXPORTER_OTLP_ENDPOINT is set, nothing exported otherwise."""

from __future__ import annotations

from collections.abc import Mapping

from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, Sampler


def configure_tracing(environ: Mapping[str, str], service_name: str = "vantrexia-integration") -> TracerProvider:
    provider = tracer_provider(environ, service_name)
    if _exporting(environ):
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))  # reads the OTEL_* variables
    trace.set_tracer_provider(provider)
    metrics.set_meter_provider(MeterProvider(resource=provider.resource, metric_readers=_metric_readers(environ)))
    return provider


def tracer_provider(environ: Mapping[str, str], service_name: str = "vantrexia-integration") -> TracerProvider:
    """The provider, before any exporter is added. Without an OTLP endpoint no span is recorded (attributes,
    timing: work on every send that nothing would read), but each still has its ids: context is carried."""
    resource = Resource.create({"service.name": environ.get("OTEL_SERVICE_NAME", service_name)})
    sampler: Sampler | None = None if _exporting(environ) else ALWAYS_OFF  # None: the SDK's default
    return TracerProvider(resource=resource, sampler=sampler)


def _exporting(environ: Mapping[str, str]) -> bool:
    return bool(environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))


def _metric_readers(environ: Mapping[str, str]) -> list[MetricReader]:
    if not (environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or environ.get("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT")):
        return []
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

    return [PeriodicExportingMetricReader(OTLPMetricExporter())]
