"""The SMART directory's bookkeeping, without a network: what it lists, a connection that cannot be built,
and a database that cannot be read (the connections read last stay in use)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from adapters.fakes.keystore import FakeKeyStore
from adapters.fhir.client import FhirEmrGateway
from adapters.fhir.config import Closeable, build_gateway
from adapters.fhir.directory import SmartEmrDirectory, settings_connection
from adapters.fhir.profile import smart_server
from domain.emr_connections import FROM_SETTINGS, EmrConnection, EmrVendor, NoEmrConnection
from domain.ports.emr import EmrUnavailable

AT = datetime(2026, 11, 20, tzinfo=UTC)


def stored(practice_id: str, **values: object) -> EmrConnection:
    base = EmrConnection(id=f"conn-{practice_id}", practice_id=practice_id, vendor=EmrVendor.SMART,
                         fhir_base_url=f"https://{practice_id}.example/fhir", client_id="app", created_at=AT,
                         updated_at=AT)
    return replace(base, **values)  # type: ignore[arg-type]


class Database:
    def __init__(self, *connections: EmrConnection) -> None:
        self.connections, self.down, self.reads = list(connections), False, 0

    async def read(self) -> Sequence[EmrConnection]:
        self.reads += 1
        if self.down:
            raise ConnectionError("database unreachable")
        return self.connections


def build(connection: EmrConnection) -> tuple[FhirEmrGateway, Closeable]:
    return build_gateway(smart_server(connection), FakeKeyStore())


async def test_it_lists_the_settings_connection_and_the_active_stored_ones() -> None:
    default = settings_connection(EmrVendor.ECW, "https://ecw.example/fhir/r4/ABC", "app")
    gateway, closer = build(stored("x"))
    database = Database(stored("north"), stored("south", active=False), stored("default"))
    directory = SmartEmrDirectory(database.read, build, clock=lambda: 0.0, random=lambda: 0.0,
                                  from_settings=(default, gateway))
    try:
        listed = await directory.connections()
        assert [(c.id, c.practice_id) for c in listed] == [(FROM_SETTINGS, "default"), ("conn-north", "north")]
        assert await directory.gateway("default") is not await directory.gateway("north")
        with pytest.raises(NoEmrConnection):
            await directory.gateway("south")
    finally:
        await directory.aclose()
        await closer.aclose()


async def test_a_connection_that_cannot_be_built_says_why_and_leaves_the_others_alone() -> None:
    not_a_certificate = "-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n"  # a DER SEQUENCE only
    database = Database(stored("north", ca_bundle_pem=not_a_certificate), stored("south"))
    directory = SmartEmrDirectory(database.read, build, clock=lambda: 0.0, random=lambda: 0.0)
    try:
        with pytest.raises(EmrUnavailable, match="CA certificates cannot be loaded"):
            await directory.gateway("north")
        assert await directory.gateway("south") is not None
    finally:
        await directory.aclose()


async def test_while_the_database_is_unreachable_the_connections_read_last_stay_in_use() -> None:
    seconds = [0.0]
    database = Database(stored("north"))
    directory = SmartEmrDirectory(database.read, build, clock=lambda: seconds[0], random=lambda: 0.0,
                                  refresh_seconds=5)
    try:
        north = await directory.gateway("north")
        database.down = True
        seconds[0] = 10.0
        assert await directory.gateway("north") is north
        assert await directory.gateway("north") is north
        assert database.reads == 2  # one failed try per interval, not one per call
    finally:
        await directory.aclose()
