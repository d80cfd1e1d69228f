"""Lean intake writes: the foreign keys and the index that every taken-in reading paid for and no
integrity or query needed.

- `outbox.reading_id` and `outbox.patient_id`: an outbox row is made from its reading (or alert) in the
  same transaction, and that reading's own keys already check its patient; nothing deletes readings or
  patients. Two checks per row were about half of the outbox insert's cost on PostgreSQL.
- `readings.delivery_id`: the delivery is written by the same page, just before its reading.
- `ix_outbox_alert_id`: no query looks outbox rows up by alert.
- `ix_outbox_status_next_attempt_at`: `ix_outbox_status_practice_id` (status, practice, due time) serves the
  claim and the backlog as well (the claim numbers every due item per practice either way).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_alert_id")
        batch.drop_index("ix_outbox_status_next_attempt_at")
        batch.drop_constraint("fk_outbox_reading_id_readings", type_="foreignkey")
        batch.drop_constraint("fk_outbox_patient_id_patients", type_="foreignkey")
    with op.batch_alter_table("readings") as batch:
        batch.drop_constraint("fk_readings_delivery_id_deliveries", type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("readings") as batch:
        batch.create_foreign_key("fk_readings_delivery_id_deliveries", "deliveries", ["delivery_id"], ["id"])
    with op.batch_alter_table("outbox") as batch:
        batch.create_foreign_key("fk_outbox_patient_id_patients", "patients", ["patient_id"], ["id"])
        batch.create_foreign_key("fk_outbox_reading_id_readings", "readings", ["reading_id"], ["id"])
        batch.create_index("ix_outbox_alert_id", ["alert_id"])
        batch.create_index("ix_outbox_status_next_attempt_at", ["status", "next_attempt_at"])
