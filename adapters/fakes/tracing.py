"""RecordingTracer: spans kept in memory (name, parent, attributes) for tests; also a silent default."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class RecordedSpan:
    name: str
    parent: str | None
    attributes: dict[str, str | int] = field(default_factory=dict)

    def set(self, key: str, value: str | int) -> None:
        self.attributes[key] = value


class RecordingTracer:
    def __init__(self) -> None:
        self.spans: list[RecordedSpan] = []

    @contextmanager
    def span(self, name: str, parent: str | None = None) -> Iterator[RecordedSpan]:
        recorded = RecordedSpan(name, parent)
        self.spans.append(recorded)
        yield recorded

    def current_context(self) -> str | None:
        return None
