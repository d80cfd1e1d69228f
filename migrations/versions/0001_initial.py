"""Initial schema: patients, devices, readings, deliveries, outbox, alerts, users, audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
AUTO_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _id() -> sa.Column:
    return sa.Column("id", sa.String(36), nullable=False)


def _ts(name: str, nullable: bool = False) -> sa.Column:
    """Every instant is timestamptz (UTC); SQLite stores the UTC wall clock as text."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _str(name: str, length: int, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.String(length), nullable=nullable)


def _text(name: str) -> sa.Column:
    return sa.Column(name, sa.Text(), nullable=True)


def _int(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.Integer(), nullable=nullable)


def _fk(column: str, table: str, referred: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{referred}.id"], name=f"fk_{table}_{column}_{referred}")


def upgrade() -> None:
    op.create_table(
        "patients", _id(),
        _str("emr_patient_id", 64, nullable=False), _str("name", 255, nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True), _str("mrn", 64), _str("phone", 64), _text("address"),
        sa.Column("active", sa.Boolean(), nullable=False), _ts("imported_at"), _ts("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_patients"),
        sa.UniqueConstraint("emr_patient_id", name="uq_patients_emr_patient_id"),
    )
    op.create_index("ix_patients_imported_at_id", "patients", ["imported_at", "id"])

    op.create_table(
        "devices", _id(),
        _str("gateway_device_id", 64, nullable=False), _str("model_number", 64, nullable=False),
        _ts("registered_at", True), _ts("first_seen_at", True), _ts("last_seen_at", True),
        _int("battery_percent"), _int("signal_bars"), _str("firmware", 64),
        sa.PrimaryKeyConstraint("id", name="pk_devices"),
        sa.UniqueConstraint("gateway_device_id", name="uq_devices_gateway_device_id"),
    )

    op.create_table(
        "device_assignments", _id(),
        _str("device_id", 36, nullable=False), _str("patient_id", 36, nullable=False),
        _str("user_slot", 16, nullable=False), _ts("effective_from"), _ts("ended_at", True),
        sa.PrimaryKeyConstraint("id", name="pk_device_assignments"),
        _fk("device_id", "device_assignments", "devices"), _fk("patient_id", "device_assignments", "patients"),
    )
    op.create_index("ix_device_assignments_device_id", "device_assignments", ["device_id", "effective_from"])
    op.create_index("ix_device_assignments_patient_id", "device_assignments", ["patient_id", "effective_from"])

    op.create_table(
        "deliveries", _id(),
        _str("source", 64, nullable=False), _str("webhook_id", 255, nullable=False), _ts("received_at"),
        sa.Column("body", sa.LargeBinary(), nullable=False), _str("status", 32, nullable=False),
        _text("reason"), _str("reading_id", 36),
        sa.PrimaryKeyConstraint("id", name="pk_deliveries"),
        sa.UniqueConstraint("source", "webhook_id", name="uq_deliveries_source_webhook_id"),
    )

    op.create_table(
        "readings", _id(),
        _str("device_id", 36, nullable=False), _str("user_slot", 16, nullable=False),
        _str("kind", 32, nullable=False), _ts("measured_at_utc"), _int("measured_at_offset_minutes", False),
        sa.Column("measurement_values", JSON, nullable=False), sa.Column("context", JSON, nullable=False),
        _str("status", 32, nullable=False), _str("patient_id", 36), _ts("recorded_at"),
        _str("delivery_id", 36), _text("reason"),
        sa.PrimaryKeyConstraint("id", name="pk_readings"),
        _fk("device_id", "readings", "devices"), _fk("patient_id", "readings", "patients"),
        _fk("delivery_id", "readings", "deliveries"),
        sa.UniqueConstraint(
            "device_id", "user_slot", "measured_at_utc", "kind",
            name="uq_readings_device_id_user_slot_measured_at_utc_kind",
        ),
    )
    op.create_index("ix_readings_patient_id_measured_at", "readings", ["patient_id", "measured_at_utc"])
    op.create_index(
        "ix_readings_status_device_id", "readings", ["status", "device_id", "user_slot", "measured_at_utc"]
    )

    op.create_table(
        "outbox", _id(),
        _str("topic", 32, nullable=False), _str("status", 16, nullable=False),
        _ts("created_at"), _ts("updated_at"), _ts("next_attempt_at"),
        _str("reading_id", 36), _str("patient_id", 36), _str("code", 32),
        _str("resource_type", 64, nullable=False), _int("attempts", False), _int("http_status"),
        _str("external_id", 255), _text("last_error"), _str("trace_context", 255),
        _str("lease_owner", 255), _ts("lease_until", True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        _fk("reading_id", "outbox", "readings"), _fk("patient_id", "outbox", "patients"),
    )
    op.create_index("ix_outbox_status_next_attempt_at", "outbox", ["status", "next_attempt_at"])
    op.create_index("ix_outbox_patient_id", "outbox", ["patient_id", "created_at"])
    op.create_index("ix_outbox_reading_id", "outbox", ["reading_id"])

    op.create_table(
        "sync_attempts", _id(),
        _str("item_id", 36, nullable=False), _ts("attempted_at"), _str("status", 16, nullable=False),
        _int("http_status"), _str("external_id", 255), _text("error"),
        sa.PrimaryKeyConstraint("id", name="pk_sync_attempts"),
        _fk("item_id", "sync_attempts", "outbox"),
    )
    op.create_index("ix_sync_attempts_item_id", "sync_attempts", ["item_id", "attempted_at"])

    op.create_table(
        "alerts", _id(),
        _str("patient_id", 36, nullable=False), _str("reading_id", 36, nullable=False),
        _str("rule", 64, nullable=False), _str("severity", 16, nullable=False), _str("status", 16, nullable=False),
        _ts("raised_at"), _str("acknowledged_by", 36), _ts("acknowledged_at", True),
        _str("resolved_by", 36), _ts("resolved_at", True), _text("resolution_note"),
        sa.PrimaryKeyConstraint("id", name="pk_alerts"),
        _fk("patient_id", "alerts", "patients"), _fk("reading_id", "alerts", "readings"),
    )
    op.create_index("ix_alerts_patient_id", "alerts", ["patient_id", "raised_at"])

    op.create_table(
        "users", _id(),
        _str("username", 64, nullable=False), _str("role", 16, nullable=False),
        _str("password_hash", 255, nullable=False), sa.Column("active", sa.Boolean(), nullable=False),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("username", name="uq_users_username"),
    )

    op.create_table(
        "audit_log",
        sa.Column("id", AUTO_ID, autoincrement=True, nullable=False),
        _ts("occurred_at"), _str("actor", 255, nullable=False), _str("action", 64, nullable=False),
        _str("resource_type", 64, nullable=False), _str("outcome", 16, nullable=False),
        sa.Column("resource_ids", JSON, nullable=False), _str("request_id", 255),
        sa.Column("details", JSON, nullable=False), sa.Column("retention_until", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_occurred_at", "audit_log", ["occurred_at"])


def downgrade() -> None:
    # children before parents; dropping a table drops its indexes
    for table in (
        "audit_log", "users", "alerts", "sync_attempts", "outbox", "readings", "deliveries",
        "device_assignments", "devices", "patients",
    ):
        op.drop_table(table)
