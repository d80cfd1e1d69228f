"""Clinical workflow: alert escalation and push flags, per-patient thresholds, providers' push tokens.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.add_column("alerts", sa.Column("summary", sa.String(255), nullable=False, server_default=""))
    op.add_column("alerts", sa.Column("escalation_level", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("alerts", sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("alerts", sa.Column("no_push_target", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_index("ix_alerts_status_severity", "alerts", ["status", "severity", "raised_at"])
    op.add_column("outbox", sa.Column("alert_id", sa.String(36), nullable=True))
    op.create_index("ix_outbox_alert_id", "outbox", ["alert_id"])
    op.create_table(
        "patient_thresholds",
        sa.Column("patient_id", sa.String(36), nullable=False),
        sa.Column("overrides", JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("patient_id", name="pk_patient_thresholds"),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name="fk_patient_thresholds_patient_id_patients"),
    )
    op.create_table(
        "push_tokens",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("user_id", sa.String(36), nullable=False),
        sa.Column("token", sa.String(4096), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deactivation_reason", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_push_tokens"),
        sa.UniqueConstraint("token", name="uq_push_tokens_token"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_push_tokens_user_id_users"),
    )
    op.create_index("ix_push_tokens_user_id", "push_tokens", ["user_id", "active"])


def downgrade() -> None:
    op.drop_index("ix_push_tokens_user_id", table_name="push_tokens")
    op.drop_table("push_tokens")
    op.drop_table("patient_thresholds")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_alert_id")
        batch.drop_column("alert_id")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_index("ix_alerts_status_severity")
        for column in ("no_push_target", "escalated_at", "escalation_level", "summary"):
            batch.drop_column(column)
