"""The metrics port: counters, timings and gauges with low-cardinality labels (codes, never PHI)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol


class Metrics(Protocol):
    def count(self, name: str, labels: Mapping[str, str]) -> None: ...

    def observe(self, name: str, value: float, labels: Mapping[str, str]) -> None:
        """A distribution sample, e.g. a latency in milliseconds."""
        ...

    def gauge(self, name: str, value: float, labels: Mapping[str, str]) -> None: ...
