"""A tracer that records nothing: the default where no tracing is wired (plain unit tests)."""

from __future__ import annotations

from collections.abc import Iterator
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
