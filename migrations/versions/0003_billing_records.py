"""Billing records: RPM consent on record and logged management time.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rpm_consents",
        sa.Column("patient_id", sa.String(36), nullable=False),
        sa.Column("consented", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(36), nullable=False),
        sa.PrimaryKeyConstraint("patient_id", name="pk_rpm_consents"),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name="fk_rpm_consents_patient_id_patients"),
    )
    op.create_table(
        "time_entries",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("patient_id", sa.String(36), nullable=False),
        sa.Column("user_id", sa.String(36), nullable=False),
        sa.Column("performed_on", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("interactive", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_time_entries"),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name="fk_time_entries_patient_id_patients"),
    )
    op.create_index("ix_time_entries_patient_id", "time_entries", ["patient_id", "performed_on"])


def downgrade() -> None:
    op.drop_index("ix_time_entries_patient_id", table_name="time_entries")
    op.drop_table("time_entries")
    op.drop_table("rpm_consents")
