"""Throwaway PostgreSQL databases (`bench_<random>`): create, migrate, query, drop."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

MAINTENANCE_DSN = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


@dataclass(frozen=True)
class BenchDatabase:
    """One database of this run; `dsn` for asyncpg, `url` for the app (SQLAlchemy + asyncpg)."""

    name: str

    @property
    def dsn(self) -> str:
        return make_url(MAINTENANCE_DSN).set(database=self.name).render_as_string(hide_password=False)

    @property
    def url(self) -> str:
        return make_url(self.dsn).set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)

    async def connect(self) -> Any:
        return await asyncpg.connect(self.dsn)

    async def execute(self, *statements: str) -> None:
        connection = await self.connect()
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    async def fetchval(self, query: str, *args: Any) -> Any:
        connection = await self.connect()
        try:
            return await connection.fetchval(query, *args)
        finally:
            await connection.close()

    async def copy(self, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
        """COPY rows into a table (binary protocol, one round trip)."""
        connection = await self.connect()
        try:
            await connection.copy_records_to_table(table, records=rows, columns=list(columns))
        finally:
            await connection.close()

    async def settle(self, *tables: str) -> None:
        """VACUUM ANALYZE and CHECKPOINT, so that no background flush lands inside a measurement."""
        await self.execute(*(f"VACUUM ANALYZE {table}" for table in tables), "CHECKPOINT")


async def create_database(prefix: str = "bench") -> BenchDatabase:
    database = BenchDatabase(f"{prefix}_{secrets.token_hex(4)}")
    connection = await asyncpg.connect(MAINTENANCE_DSN)
    try:
        await connection.execute(f'CREATE DATABASE "{database.name}"')
    finally:
        await connection.close()
    return database


async def drop_database(database: BenchDatabase) -> None:
    if not database.name.startswith("bench_"):  # never anything this run did not create
        raise ValueError(f"refusing to drop {database.name}")
    connection = await asyncpg.connect(MAINTENANCE_DSN)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{database.name}" WITH (FORCE)')
    finally:
        await connection.close()


def migrate(database: BenchDatabase, env: dict[str, str], cwd: Path) -> None:
    """`vantrexia migrate` against the database, as an operator would run it."""
    command = [str(Path(sys.executable).parent / "vantrexia"), "migrate"]
    subprocess.run(command, env={**env, "DATABASE_URL": database.url}, cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)


async def park_pending_outbox(database: BenchDatabase) -> int:
    """Take every waiting EMR push out of the queue (a scenario then queues exactly its own)."""
    connection = await database.connect()
    try:
        result = await connection.execute(
            "UPDATE outbox SET status = 'dead', last_error = 'parked by the benchmark' "
            "WHERE status IN ('pending', 'retrying')")
    finally:
        await connection.close()
    return int(result.split()[-1])


async def status_counts(database: BenchDatabase, table: str, since: Any) -> dict[str, int]:
    """Rows per status of `deliveries`/`outbox` written at or after `since` (a sanity check)."""
    column = "received_at" if table == "deliveries" else "created_at"
    connection = await database.connect()
    try:
        rows = await connection.fetch(
            f"SELECT status, count(*) FROM {table} WHERE {column} >= $1 GROUP BY status", since)  # noqa: S608
    finally:
        await connection.close()
    return {str(row[0]): int(row[1]) for row in rows}
