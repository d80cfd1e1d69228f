"""A tracer and metrics that record nothing: the defaults where no telemetry is wired (plain unit tests)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager


class _NoSpan:
    def set(self, key: str, value: str | int) -> None:
        return None


class NullTracer:
    @contextmanager
    def span(self, name: str, parent: str | None = None) -> Iterator[_NoSpan]:
        yield _NoSpan()

    def current_context(self) -> str | None:
        return None


NULL_TRACER = NullTracer()


class NullMetrics:
    def count(self, name: str, labels: Mapping[str, str]) -> None:
        return None

    def observe(self, name: str, value: float, labels: Mapping[str, str]) -> None:
        return None

    def gauge(self, name: str, value: float, labels: Mapping[str, str]) -> None:
        return None


NULL_METRICS = NullMetrics()
