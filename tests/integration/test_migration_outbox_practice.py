"""Migration 0011: existing outbox items get their patient's practice; items of no patient get none."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql import mapping as m
from adapters.sql.migrate import run_migrations
from adapters.sql.tables import outbox, patients
from domain.sync import OutboxTopic
from tests.integration.builders import outbox_item, patient


async def _migrated(url: str, engine: AsyncEngine) -> None:
    run_migrations(url, "0010")
    north, south = replace(patient(), practice_id="north"), replace(patient(), practice_id="south")
    items = {"north": outbox_item(patient_id=north.id), "south": outbox_item(patient_id=south.id),
             "south_alert": outbox_item(patient_id=south.id, topic=OutboxTopic.NOTIFY_ALERT, code=None),
             "nobody": outbox_item()}
    async with engine.begin() as connection:
        await connection.execute(patients.insert(), [m.patient_row(north), m.patient_row(south)])
        await connection.execute(outbox.insert(), [  # rows as 0010 knew them: no practice column
            {k: v for k, v in m.outbox_row(item).items() if k != "practice_id"} for item in items.values()])
    run_migrations(url, "0011")
    async with engine.connect() as connection:
        found = {row.id: row.practice_id for row in await connection.execute(select(outbox.c.id, outbox.c.practice_id))}
    assert {name: found[item.id] for name, item in items.items()} == {
        "north": "north", "south": "south", "south_alert": "south", "nobody": None}


async def test_sqlite_outbox_items_get_their_patients_practice(
    tmp_path: Path, engine_factory: Callable[[str], AsyncEngine]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'before-0011.db'}"
    await _migrated(url, engine_factory(url))


@pytest.mark.postgres
async def test_postgres_outbox_items_get_their_patients_practice(
    postgres_database_factory: Callable[[], str], engine_factory: Callable[[str], AsyncEngine]
) -> None:
    url = postgres_database_factory()
    await _migrated(url, engine_factory(url))
