"""Devices belong to a practice: clinicians see, register and assign their own practice's only.

A registered (or ever assigned) device joins the practice of its current patient, else of the
patient it served last, else `default`. A device that only ever sent data and was never registered
stays nobody's (NULL) until a practice registers it, as new ones do.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_PRACTICE = "default"

# current assignment first (any active slot, the latest started), then the latest ended
_PATIENTS_PRACTICE = """
    SELECT p.practice_id FROM device_assignments a JOIN patients p ON p.id = a.patient_id
    WHERE a.device_id = devices.id
    ORDER BY CASE WHEN a.ended_at IS NULL THEN 0 ELSE 1 END, a.ended_at DESC, a.effective_from DESC, a.id DESC
    LIMIT 1
"""


def upgrade() -> None:
    with op.batch_alter_table("devices") as batch:
        batch.add_column(sa.Column("practice_id", sa.String(64), nullable=True))
        batch.create_index("ix_devices_practice_id", ["practice_id"])
    op.execute(sa.text(
        f"UPDATE devices SET practice_id = COALESCE(({_PATIENTS_PRACTICE}), :default_practice) "
        "WHERE registered_at IS NOT NULL "
        "OR EXISTS (SELECT 1 FROM device_assignments a WHERE a.device_id = devices.id)"
    ).bindparams(default_practice=DEFAULT_PRACTICE))


def downgrade() -> None:
    with op.batch_alter_table("devices") as batch:
        batch.drop_index("ix_devices_practice_id")
        batch.drop_column("practice_id")
