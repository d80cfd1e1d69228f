"""Fair delivery across practices' EMRs: outbox items carry their practice (backfilled from the patient)
and each practice's EMR delivery health (last success, last failure and why) has a row.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("practice_id", sa.String(64), nullable=True))
    op.execute(sa.text(
        "UPDATE outbox SET practice_id = (SELECT p.practice_id FROM patients p WHERE p.id = outbox.patient_id) "
        "WHERE patient_id IS NOT NULL"))
    # the claim ranks due items per practice; the backlog counts waiting items per practice
    op.create_index("ix_outbox_status_practice_id", "outbox", ["status", "practice_id", "next_attempt_at"])
    op.create_table(
        "emr_delivery_health",
        sa.Column("practice_id", sa.String(64), nullable=False),
        sa.Column("last_success_at", sa.DateTime(timezone=True)),
        sa.Column("last_failure_at", sa.DateTime(timezone=True)),
        sa.Column("last_failure", sa.Text()),
        sa.Column("last_failure_http_status", sa.Integer()),
        sa.PrimaryKeyConstraint("practice_id", name="pk_emr_delivery_health"),
    )


def downgrade() -> None:
    op.drop_table("emr_delivery_health")
    op.drop_index("ix_outbox_status_practice_id", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("practice_id")
