"""Migration 0007: existing devices join their current or last patient's practice, else `default`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql import mapping as m
from adapters.sql.migrate import run_migrations
from adapters.sql.tables import device_assignments, devices, patients
from tests.integration.builders import T0, assignment, device, patient


async def _devices_before_0007(engine: AsyncEngine) -> dict[str, str]:
    """Devices as 0006 knew them (no practice); their ids by what the migration should make of them."""
    north, south = replace(patient(), practice_id="north"), replace(patient(), practice_id="south")
    cuffs = {name: device() for name in ("current", "last", "never_assigned")}
    cuffs["never_registered"] = replace(device(), registered_at=None)
    history = [
        replace(assignment(cuffs["current"].id, south.id, T0), ended_at=T0 + timedelta(days=1)),
        assignment(cuffs["current"].id, north.id, T0 + timedelta(days=1)),
        replace(assignment(cuffs["last"].id, north.id, T0), ended_at=T0 + timedelta(days=1)),
        replace(assignment(cuffs["last"].id, south.id, T0 + timedelta(days=2)), ended_at=T0 + timedelta(days=3)),
    ]
    async with engine.begin() as connection:
        await connection.execute(patients.insert(), [m.patient_row(north), m.patient_row(south)])
        rows = [{k: v for k, v in m.device_row(d).items() if k != "practice_id"} for d in cuffs.values()]
        await connection.execute(devices.insert(), rows)
        await connection.execute(device_assignments.insert(), [m.assignment_row(a) for a in history])
    return {name: d.id for name, d in cuffs.items()}


async def _migrated(url: str, engine: AsyncEngine) -> None:
    run_migrations(url, "0006")
    ids = await _devices_before_0007(engine)
    run_migrations(url, "0007")
    async with engine.connect() as connection:
        rows = await connection.execute(select(devices.c.id, devices.c.practice_id))
        found = {row.id: row.practice_id for row in rows}
    assert {name: found[i] for name, i in ids.items()} == {
        "current": "north", "last": "south", "never_assigned": "default", "never_registered": None,
    }


async def test_sqlite_devices_get_their_patients_practice(
    tmp_path: Path, engine_factory: Callable[[str], AsyncEngine]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'before-0007.db'}"
    await _migrated(url, engine_factory(url))


@pytest.mark.postgres
async def test_postgres_devices_get_their_patients_practice(
    postgres_database_factory: Callable[[], str], engine_factory: Callable[[str], AsyncEngine]
) -> None:
    url = postgres_database_factory()
    await _migrated(url, engine_factory(url))
