"""OtelTracer: spans through the OpenTelemetry API; context carried as a W3C traceparent string."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

from opentelemetry import trace
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

_PROPAGATOR = TraceContextTextMapPropagator()


class _OtelSpan:
    def __init__(self, span: trace.Span) -> None:
        self._span = span

    def set(self, key: str, value: str | int) -> None:
        self._span.set_attribute(f"vantrexia.{key}", value)


class _UnrecordedSpan:
    def set(self, key: str, value: str | int) -> None:
        """Nothing records it."""


_UNRECORDED = _UnrecordedSpan()
_NOT_TRACED = nullcontext(_UNRECORDED)  # reusable: entering it makes nothing


class OtelTracer:
    def __init__(self, name: str = "vantrexia") -> None:
        # got once: before a provider is set this is a proxy that switches to it when it is
        self._tracer = trace.get_tracer(name)

    def span(self, name: str, parent: str | None = None) -> AbstractContextManager[_OtelSpan | _UnrecordedSpan]:
        if isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
            # no provider was ever set (tracing not configured): the API would make a no-op span, only slower,
            # and a generator-based context manager per span would cost more than the span itself
            return _NOT_TRACED
        return self._recorded(name, parent)

    @contextmanager
    def _recorded(self, name: str, parent: str | None) -> Iterator[_OtelSpan]:
        context = _PROPAGATOR.extract({"traceparent": parent}) if parent else None
        with self._tracer.start_as_current_span(name, context=context) as span:
            yield _OtelSpan(span)

    def current_context(self) -> str | None:
        carrier: dict[str, str] = {}
        _PROPAGATOR.inject(carrier)
        return carrier.get("traceparent")
