"""SQLAlchemy Core tables: the schema the repositories read and write (migrations create it)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from adapters.sql.types import UtcDateTime
from domain import storage_limits as limits
from domain.patients import DEFAULT_PRACTICE

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)
QUARANTINED = "status = 'quarantined'"  # domain.readings.ReadingStatus.QUARANTINED, as stored

Json = JSON().with_variant(JSONB(), "postgresql")
# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
AutoId = BigInteger().with_variant(Integer(), "sqlite")


def _id(name: str = "id") -> Column[str]:
    return Column(name, String(36), primary_key=True)


def _ref(name: str, target: str, *, nullable: bool = False) -> Column[str]:
    return Column(name, String(36), ForeignKey(target), nullable=nullable)


patients = Table(
    "patients", metadata, _id(),
    Column("emr_patient_id", String(64), nullable=False, unique=True),
    Column("name", String(255), nullable=False),
    Column("birth_date", Date), Column("mrn", String(64)), Column("phone", String(64)),
    Column("address", Text),
    Column("active", Boolean, nullable=False),
    Column("imported_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("practice_id", String(64), nullable=False, server_default=DEFAULT_PRACTICE),
    Index("ix_patients_imported_at_id", "imported_at", "id"),
    Index("ix_patients_practice_id", "practice_id"),
)

devices = Table(
    "devices", metadata, _id(),
    Column("gateway_device_id", String(limits.GATEWAY_DEVICE_ID), nullable=False, unique=True),
    Column("model_number", String(limits.MODEL_NUMBER), nullable=False),
    Column("registered_at", UtcDateTime), Column("first_seen_at", UtcDateTime),
    Column("last_seen_at", UtcDateTime),
    # the limits of domain/storage_limits.py, checked on arrival so SQLite refuses what Postgres would
    Column("battery_percent", Integer), Column("signal_bars", Integer), Column("firmware", String(limits.FIRMWARE)),
    Column("practice_id", String(64)),  # None until registered: such a device is nobody's
    Index("ix_devices_practice_id", "practice_id"),
)

device_assignments = Table(
    "device_assignments", metadata, _id(),
    _ref("device_id", "devices.id"), _ref("patient_id", "patients.id"),
    Column("user_slot", String(limits.USER_SLOT), nullable=False),
    Column("effective_from", UtcDateTime, nullable=False),
    Column("ended_at", UtcDateTime),
    Index("ix_device_assignments_device_id", "device_id", "effective_from"),
    Index("ix_device_assignments_patient_id", "patient_id", "effective_from"),
)

deliveries = Table(
    "deliveries", metadata, _id(),
    Column("source", String(64), nullable=False),
    Column("webhook_id", String(limits.WEBHOOK_ID), nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("status", String(32), nullable=False),
    Column("reason", Text),
    # no foreign key: the reading references its delivery, which is written first
    Column("reading_id", String(36)),
    UniqueConstraint("source", "webhook_id"),
)

failed_deliveries = Table(  # deliveries that failed their page alone, kept raw for diagnosis
    "failed_deliveries", metadata, _id(),
    Column("source", String(64), nullable=False),
    Column("webhook_id", String(255), nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("error_type", String(64), nullable=False),
)

readings = Table(
    "readings", metadata, _id(),
    _ref("device_id", "devices.id"),
    Column("user_slot", String(limits.USER_SLOT), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("measured_at_utc", UtcDateTime, nullable=False),
    # the device's own UTC offset: the EMR gets effectiveDateTime exactly as measured
    Column("measured_at_offset_minutes", Integer, nullable=False),
    Column("measurement_values", Json, nullable=False),
    Column("context", Json, nullable=False),
    Column("status", String(32), nullable=False),
    _ref("patient_id", "patients.id", nullable=True),
    Column("recorded_at", UtcDateTime, nullable=False),
    # no foreign key: the delivery is written by the same page, just before its reading (0012)
    Column("delivery_id", String(36)),
    Column("reason", Text),
    UniqueConstraint("device_id", "user_slot", "measured_at_utc", "kind"),
    Index("ix_readings_patient_id_measured_at", "patient_id", "measured_at_utc"),
    # only quarantined readings are looked up by device and slot; the accepted ones, nearly all, stay out (0013)
    Index("ix_readings_quarantined", "device_id", "user_slot", "measured_at_utc",
          postgresql_where=text(QUARANTINED), sqlite_where=text(QUARANTINED)),
)

outbox = Table(
    "outbox", metadata, _id(),
    Column("topic", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    # no foreign keys: a row is made from its reading or alert in the same transaction, whose own keys
    # check the patient; two checks per row were half of the insert's cost (0012)
    Column("reading_id", String(36)),
    Column("patient_id", String(36)),
    Column("code", String(32)),
    Column("resource_type", String(64), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("http_status", Integer), Column("external_id", String(255)),
    Column("last_error", Text), Column("trace_context", String(255)),
    Column("lease_owner", String(255)),
    Column("lease_until", UtcDateTime),
    Column("alert_id", String(36)),
    Column("practice_id", String(64)),  # the patient's practice: its EMR connection, its fair share
    Index("ix_outbox_status_practice_id", "status", "practice_id", "next_attempt_at"),
    Index("ix_outbox_patient_id", "patient_id", "created_at"),
    Index("ix_outbox_reading_id", "reading_id"),
)

emr_delivery_health = Table(  # per practice, as the relay last saw its EMR connection
    "emr_delivery_health", metadata,
    Column("practice_id", String(64), primary_key=True),
    Column("last_success_at", UtcDateTime),
    Column("last_failure_at", UtcDateTime),
    Column("last_failure", Text),
    Column("last_failure_http_status", Integer),
)

sync_attempts = Table(
    "sync_attempts", metadata, _id(),
    _ref("item_id", "outbox.id"),
    Column("attempted_at", UtcDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("http_status", Integer), Column("external_id", String(255)), Column("error", Text),
    Index("ix_sync_attempts_item_id", "item_id", "attempted_at"),
)

alerts = Table(
    "alerts", metadata, _id(),
    _ref("patient_id", "patients.id"), _ref("reading_id", "readings.id"),
    Column("rule", String(64), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("raised_at", UtcDateTime, nullable=False),
    Column("acknowledged_by", String(36)), Column("acknowledged_at", UtcDateTime),
    Column("resolved_by", String(36)), Column("resolved_at", UtcDateTime),
    Column("resolution_note", Text),
    Column("summary", String(255), nullable=False, server_default=""),
    Column("escalation_level", Integer, nullable=False, server_default="0"),
    Column("escalated_at", UtcDateTime),
    Column("no_push_target", Boolean, nullable=False, server_default=false()),
    Index("ix_alerts_patient_id", "patient_id", "raised_at"),
    Index("ix_alerts_status_severity", "status", "severity", "raised_at"),
)
patient_thresholds = Table(
    "patient_thresholds", metadata,
    Column("patient_id", String(36), ForeignKey("patients.id"), primary_key=True),
    Column("overrides", Json, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)
rpm_consents = Table(
    "rpm_consents", metadata,
    Column("patient_id", String(36), ForeignKey("patients.id"), primary_key=True),
    Column("consented", Boolean, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("recorded_by", String(36), nullable=False),
)
time_entries = Table(
    "time_entries", metadata, _id(),
    _ref("patient_id", "patients.id"),
    Column("user_id", String(36), nullable=False),
    Column("performed_on", Date, nullable=False),
    Column("minutes", Integer, nullable=False),
    Column("interactive", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_time_entries_patient_id", "patient_id", "performed_on"),
)
revoked_tokens = Table(
    "revoked_tokens", metadata,
    Column("token_id", String(64), primary_key=True),
    Column("user_id", String(36), nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=False),
)
push_tokens = Table(
    "push_tokens", metadata, _id(),
    _ref("user_id", "users.id"),
    Column("token", String(4096), nullable=False, unique=True),
    Column("platform", String(16), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("registered_at", UtcDateTime, nullable=False),
    Column("deactivated_at", UtcDateTime),
    Column("deactivation_reason", String(64)),
    Index("ix_push_tokens_user_id", "user_id", "active"),
)

users = Table(
    "users", metadata, _id(),
    Column("username", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("practice_id", String(64), nullable=False, server_default=DEFAULT_PRACTICE),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("actor", String(255), nullable=False),
    Column("action", String(64), nullable=False),
    Column("resource_type", String(64), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("resource_ids", Json, nullable=False),
    Column("request_id", String(255)),
    Column("details", Json, nullable=False),
    Column("retention_until", Date, nullable=False),
    Index("ix_audit_log_occurred_at", "occurred_at"),
)
audit_seals = Table(
    "audit_seals", metadata,
    Column("entry_id", AutoId, ForeignKey("audit_log.id"), primary_key=True, autoincrement=False),
    Column("previous_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("sealed_at", UtcDateTime, nullable=False),
)

login_failures = Table(
    "login_failures", metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False),
    Column("address", String(64), nullable=False),
    Column("failed_at", UtcDateTime, nullable=False),
    Index("ix_login_failures_address", "address", "failed_at"),
    Index("ix_login_failures_username", "username", "address"),
    Index("ix_login_failures_failed_at", "failed_at"),
)

emr_connections = Table(
    "emr_connections", metadata, _id(),
    Column("practice_id", String(64), nullable=False, unique=True),
    Column("vendor", String(16), nullable=False),
    Column("fhir_base_url", String(2048), nullable=False),
    Column("token_url", String(2048)),
    Column("client_id", String(200), nullable=False),
    Column("scopes", String(1024), nullable=False),
    Column("practice_code", String(32)),
    Column("rate_limit_per_minute", Integer, nullable=False),
    Column("max_in_flight", Integer, nullable=False),
    Column("tls_pins", Json, nullable=False),
    Column("ca_bundle_pem", Text),
    Column("active", Boolean, nullable=False),
    Column("has_client_secret", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

ALL_TABLES = tuple(metadata.sorted_tables)
