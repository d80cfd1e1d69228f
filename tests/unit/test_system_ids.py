"""The production id generator: unique, time-ordered UUIDs (new rows land at an index's right edge)."""

from __future__ import annotations

import uuid

from adapters.system.clock import UuidGenerator


def test_ids_are_version_7_uuids_in_the_order_they_were_made() -> None:
    generator = UuidGenerator()
    made = [generator.new_id() for _ in range(5_000)]
    assert all(uuid.UUID(value).version == 7 for value in made)
    assert made == sorted(made)
    assert len(set(made)) == len(made)
