"""The in-memory EMR directory routes by practice as the real one does: `default` to the World's EMR, a
practice with a stored active connection to its own EMR, any other practice to none."""

from __future__ import annotations

from dataclasses import replace

import pytest

from domain.emr_connections import FROM_SETTINGS, EmrConnection, EmrVendor, NoEmrConnection
from tests.support.world import FIXTURE_TIME, World


def connection(practice_id: str, *, active: bool = True) -> EmrConnection:
    return EmrConnection(id=f"conn-{practice_id}", practice_id=practice_id, vendor=EmrVendor.SMART,
                         fhir_base_url="https://emr.example/fhir", client_id="client", created_at=FIXTURE_TIME,
                         updated_at=FIXTURE_TIME, active=active)


async def test_each_practice_reaches_its_own_emr_and_no_other() -> None:
    world = World()
    world.db.emr_connections["conn-north"] = connection("north")
    directory = world.emr_directory
    assert await directory.gateway("default") is world.emr
    north = await directory.gateway("north")
    assert north is world.emrs["north"]
    assert north is not world.emr
    with pytest.raises(NoEmrConnection):
        await directory.gateway("south")
    with pytest.raises(NoEmrConnection):
        await directory.diagnostics("south")


async def test_an_inactive_connection_routes_nowhere() -> None:
    world = World()
    world.db.emr_connections["conn-north"] = connection("north", active=False)
    with pytest.raises(NoEmrConnection):
        await world.emr_directory.gateway("north")


async def test_connections_list_the_settings_one_for_default_and_the_stored_ones() -> None:
    world = World()
    world.db.emr_connections["conn-north"] = replace(connection("north"), version=3)
    listed = await world.emr_directory.connections()
    assert [(c.id, c.practice_id) for c in listed] == [(FROM_SETTINGS, "default"), ("conn-north", "north")]


async def test_the_diagnostics_check_that_practices_emr() -> None:
    world = World()
    world.db.emr_connections["conn-north"] = connection("north")
    world.emrs["north"] = world.emrs.get("north") or type(world.emr)()
    world.emrs["north"].down = True
    result = await (await world.emr_directory.diagnostics("north")).test_connection()
    assert result.status == "error"
    assert (await (await world.emr_directory.diagnostics("default")).test_connection()).status == "success"
