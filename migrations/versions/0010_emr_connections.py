"""EMR connections: each practice's EMR as data (the `default` practice may keep the ECW_* settings).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "emr_connections",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("practice_id", sa.String(64), nullable=False),
        sa.Column("vendor", sa.String(16), nullable=False),
        sa.Column("fhir_base_url", sa.String(2048), nullable=False),
        sa.Column("token_url", sa.String(2048)),
        sa.Column("client_id", sa.String(200), nullable=False),
        sa.Column("scopes", sa.String(1024), nullable=False),
        sa.Column("practice_code", sa.String(32)),
        sa.Column("rate_limit_per_minute", sa.Integer(), nullable=False),
        sa.Column("max_in_flight", sa.Integer(), nullable=False),
        sa.Column("tls_pins", Json, nullable=False),
        sa.Column("ca_bundle_pem", sa.Text()),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("has_client_secret", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("practice_id", name="uq_emr_connections_practice_id"),
    )


def downgrade() -> None:
    op.drop_table("emr_connections")
