"""OtelMetrics: the Metrics port over the OpenTelemetry metrics API (instruments created on first use)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opentelemetry import metrics
from opentelemetry.metrics import MeterProvider

UNITS = {"emr_push_latency_ms": "ms", "outbox_oldest_age_seconds": "s"}


class OtelMetrics:
    def __init__(self, provider: MeterProvider | None = None) -> None:
        self._meter = (provider or metrics.get_meter_provider()).get_meter("vantrexia")
        self._instruments: dict[tuple[str, str], Any] = {}

    def _instrument(self, kind: str, name: str) -> Any:
        key = (kind, name)
        if key not in self._instruments:
            full, unit = f"vantrexia.{name}", UNITS.get(name, "1")
            if kind == "counter":
                self._instruments[key] = self._meter.create_counter(full, unit=unit)
            elif kind == "histogram":
                self._instruments[key] = self._meter.create_histogram(full, unit=unit)
            else:
                self._instruments[key] = self._meter.create_gauge(full, unit=unit)
        return self._instruments[key]

    def count(self, name: str, labels: Mapping[str, str]) -> None:
        self._instrument("counter", name).add(1, dict(labels))

    def observe(self, name: str, value: float, labels: Mapping[str, str]) -> None:
        self._instrument("histogram", name).record(value, dict(labels))

    def gauge(self, name: str, value: float, labels: Mapping[str, str]) -> None:
        self._instrument("gauge", name).set(value, dict(labels))
