"""Quarantine index: only quarantined readings are indexed by device, slot and time.

`ix_readings_status_device_id` (status, device, slot, time) served two queries, both for quarantined
readings only (release on assignment, the quarantine list), yet every accepted reading, nearly all of
them, paid for an entry in it. A partial index on the quarantined rows serves the same queries.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_QUARANTINED = sa.text("status = 'quarantined'")


def upgrade() -> None:
    op.create_index("ix_readings_quarantined", "readings", ["device_id", "user_slot", "measured_at_utc"],
                    postgresql_where=_QUARANTINED, sqlite_where=_QUARANTINED)
    op.drop_index("ix_readings_status_device_id", table_name="readings")


def downgrade() -> None:
    op.create_index("ix_readings_status_device_id", "readings", ["status", "device_id", "user_slot", "measured_at_utc"])
    op.drop_index("ix_readings_quarantined", table_name="readings")
