"""EmrConnectionRepository on `emr_connections`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import RowMapping, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.statements import fetch_all, fetch_one
from adapters.sql.tables import emr_connections
from domain.emr_connections import EmrConnection, EmrVendor
from domain.errors import AlreadyExists


class SqlEmrConnectionRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def add(self, connection: EmrConnection) -> None:
        try:  # the unique practice_id decides a race; the transaction is lost either way
            await self._c.execute(emr_connections.insert().values(_row(connection)))
        except IntegrityError:
            raise AlreadyExists("this practice has an EMR connection already") from None

    async def save(self, connection: EmrConnection) -> None:
        t = emr_connections
        try:  # moved to a practice that has one meanwhile
            await self._c.execute(update(t).where(t.c.id == connection.id).values(_row(connection)))
        except IntegrityError:
            raise AlreadyExists("this practice has an EMR connection already") from None

    async def get(self, connection_id: str) -> EmrConnection | None:
        row = await fetch_one(self._c, emr_connections, emr_connections.c.id == connection_id)
        return _connection_of(row) if row else None

    async def for_practice(self, practice_id: str) -> EmrConnection | None:
        row = await fetch_one(self._c, emr_connections, emr_connections.c.practice_id == practice_id)
        return _connection_of(row) if row else None

    async def list(self) -> Sequence[EmrConnection]:
        rows = await fetch_all(self._c, emr_connections, order_by=(emr_connections.c.practice_id,))
        return [_connection_of(row) for row in rows]


def _row(connection: EmrConnection) -> dict[str, Any]:
    return {
        "id": connection.id, "practice_id": connection.practice_id, "vendor": connection.vendor.value,
        "fhir_base_url": connection.fhir_base_url, "token_url": connection.token_url,
        "client_id": connection.client_id, "scopes": connection.scopes, "practice_code": connection.practice_code,
        "rate_limit_per_minute": connection.rate_limit_per_minute, "max_in_flight": connection.max_in_flight,
        "tls_pins": list(connection.tls_pins), "ca_bundle_pem": connection.ca_bundle_pem,
        "active": connection.active, "has_client_secret": connection.has_client_secret,
        "version": connection.version, "created_at": connection.created_at, "updated_at": connection.updated_at,
    }


def _connection_of(row: RowMapping) -> EmrConnection:
    values = dict(row)
    return EmrConnection(**{**values, "vendor": EmrVendor(values["vendor"]), "tls_pins": tuple(values["tls_pins"])})
