"""Practices: every patient and user belongs to one; clinicians see their own practice's patients.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_PRACTICE = "default"  # existing rows: the single practice the deployment served so far


def upgrade() -> None:
    for table in ("patients", "users"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("practice_id", sa.String(64), nullable=False,
                                       server_default=DEFAULT_PRACTICE))
    op.create_index("ix_patients_practice_id", "patients", ["practice_id"])


def downgrade() -> None:
    op.drop_index("ix_patients_practice_id", table_name="patients")
    for table in ("users", "patients"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("practice_id")
