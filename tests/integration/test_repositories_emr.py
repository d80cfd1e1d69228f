"""Repository contract, EMR connections: one per practice, every field kept as given (fake, SQLite, Postgres)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import trustme

from domain.emr_connections import EmrConnection, EmrVendor
from domain.errors import AlreadyExists
from tests.integration.builders import T0, new_id
from tests.integration.conftest import UowFactory

PIN = "6wd4KxCsb1ViDc5pfoUUkrL3FoQ0Axhc8rYuhK1bt40="


def connection(practice_id: str = "clinic-north", **values: object) -> EmrConnection:
    fields: dict[str, object] = {
        "id": new_id(), "practice_id": practice_id, "vendor": EmrVendor.SMART,
        "fhir_base_url": "https://fhir.clinic-north.example/r4", "client_id": "vantrexia-north",
        "created_at": T0, "updated_at": T0, **values,
    }
    return EmrConnection(**fields)  # type: ignore[arg-type]


async def test_every_field_round_trips(new_uow: UowFactory) -> None:
    full = connection(
        vendor=EmrVendor.ECW, practice_code="FFHEDD", token_url="https://oauth.ecw.example/token",
        scopes="system/Observation.write", rate_limit_per_minute=120, max_in_flight=3, tls_pins=(PIN,),
        ca_bundle_pem=trustme.CA().cert_pem.bytes().decode(), active=False, has_client_secret=True, version=4,
        updated_at=T0 + timedelta(hours=1),
    )
    bare = connection("clinic-south")
    async with new_uow() as uow:
        await uow.emr_connections.add(full)
        await uow.emr_connections.add(bare)
        await uow.commit()
    async with new_uow() as uow:
        assert await uow.emr_connections.get(full.id) == full
        assert await uow.emr_connections.for_practice("clinic-south") == bare
        assert await uow.emr_connections.get(new_id()) is None
        assert await uow.emr_connections.for_practice("clinic-west") is None
        assert [c.id for c in await uow.emr_connections.list()] == [full.id, bare.id]  # by practice


async def test_a_second_connection_for_a_practice_is_refused(new_uow: UowFactory) -> None:
    async with new_uow() as uow:
        await uow.emr_connections.add(connection())
        await uow.commit()
    with pytest.raises(AlreadyExists):
        async with new_uow() as uow:
            await uow.emr_connections.add(connection())
    async with new_uow() as uow:
        assert len(await uow.emr_connections.list()) == 1


async def test_save_replaces_the_connection_and_refuses_a_taken_practice(new_uow: UowFactory) -> None:
    north, south = connection(), connection("clinic-south")
    async with new_uow() as uow:
        await uow.emr_connections.add(north)
        await uow.emr_connections.add(south)
        await uow.commit()
    changed = north.changed(T0 + timedelta(days=1), max_in_flight=2, tls_pins=(PIN,))
    async with new_uow() as uow:
        await uow.emr_connections.save(changed)
        await uow.commit()
    with pytest.raises(AlreadyExists):
        async with new_uow() as uow:
            await uow.emr_connections.save(south.changed(T0 + timedelta(days=1), practice_id="clinic-north"))
    async with new_uow() as uow:
        assert await uow.emr_connections.get(north.id) == changed
        assert changed.version == 2
        assert await uow.emr_connections.get(south.id) == south
