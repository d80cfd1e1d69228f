"""Keeping EMR connections: administrators and services only; a refused change stores nothing, not even the
secret; moving a connection to a practice that has one (or whose connection the settings make) is refused."""

from __future__ import annotations

from dataclasses import replace

import pytest

from application.context import CLI, Actor
from application.emr_connection_queries import EmrConnectionQueries
from application.emr_connections import (
    AddEmrConnection,
    AddEmrConnectionCommand,
    ChangeEmrConnection,
    ChangeEmrConnectionCommand,
    EmrConnectionFields,
)
from domain.emr_connections import FROM_SETTINGS, EmrConnection, EmrVendor
from domain.errors import AlreadyExists, Forbidden
from tests.support.world import World

NORTH = EmrConnectionFields("clinic-north", EmrVendor.SMART, "https://fhir.north.example/r4", "vantrexia-north")
SOUTH = replace(NORTH, practice_id="clinic-south", fhir_base_url="https://fhir.south.example/r4")
CLINICIAN = Actor("user-1", practice_id="clinic-north")


def _add(world: World) -> AddEmrConnection:
    return AddEmrConnection(world.uow, world.keys, world.emr_directory, world.clock, world.ids, world.auditor)


def _change(world: World) -> ChangeEmrConnection:
    return ChangeEmrConnection(world.uow, world.keys, world.emr_directory, world.clock, world.auditor)


async def _added(world: World, fields: EmrConnectionFields, secret: str | None = None) -> EmrConnection:
    return await _add(world)(AddEmrConnectionCommand(CLI, fields, secret))


async def test_an_actor_of_one_practice_may_neither_keep_nor_read_connections(world: World) -> None:
    north = await _added(world, NORTH)
    with pytest.raises(Forbidden, match="only administrators"):
        await _add(world)(AddEmrConnectionCommand(CLINICIAN, SOUTH))
    with pytest.raises(Forbidden):
        await _change(world)(ChangeEmrConnectionCommand(CLINICIAN, north.id, NORTH))
    with pytest.raises(Forbidden):
        await EmrConnectionQueries(world.uow, world.emr_directory).list(CLINICIAN)
    assert list(world.db.emr_connections) == [north.id]
    assert world.audit.actions() == ["emr.connection.add"]


async def test_a_refused_add_writes_no_secret(world: World) -> None:
    north = await _added(world, NORTH)
    with pytest.raises(AlreadyExists) as refused:
        await _added(world, NORTH, "a-secret-never-kept")
    assert refused.value.existing_id == north.id
    assert "a-secret-never-kept" not in world.keys.secrets.values()


async def test_moving_a_connection_to_a_practice_that_has_one_is_refused(world: World) -> None:
    north, south = await _added(world, NORTH), await _added(world, SOUTH)
    change = _change(world)
    with pytest.raises(AlreadyExists) as taken:
        await change(ChangeEmrConnectionCommand(CLI, south.id, replace(SOUTH, practice_id="clinic-north"), "s3"))
    assert taken.value.existing_id == north.id
    with pytest.raises(AlreadyExists) as settings:
        await change(ChangeEmrConnectionCommand(CLI, south.id, replace(SOUTH, practice_id="default")))
    assert settings.value.existing_id == FROM_SETTINGS
    assert world.db.emr_connections[south.id] == south
    assert world.keys.secrets == {}
    moved = await change(ChangeEmrConnectionCommand(CLI, south.id, replace(SOUTH, practice_id="clinic-west")))
    assert (moved.practice_id, moved.version) == ("clinic-west", 2)
    assert world.audit.entries[-1].details["fields"] == "practice_id"
