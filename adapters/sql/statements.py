"""Dialect-aware INSERT variants shared by the repositories (ON CONFLICT is not in Core's insert)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Insert, RowMapping, Table, bindparam, case, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement


def dialect_insert(connection: AsyncConnection, table: Table) -> postgresql.Insert | sqlite.Insert:
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


# The statements below are built once per table (and column set) and executed with the row as
# parameters: a statement built with .values(row) per call costs far more to construct and to
# cache-key than the database takes to run it (see benchmarks/ and `make bench`).


@lru_cache(maxsize=128)
def insert_statement(table: Table) -> Insert:
    """A plain INSERT of `table`; execute it with the row as parameters."""
    return table.insert()


@lru_cache(maxsize=128)
def _insert_if_new(dialect: str, table: Table, unique: tuple[str, ...] | None) -> Any:
    statement = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    statement = statement.on_conflict_do_nothing(index_elements=list(unique) if unique else None)
    return statement.returning(table.c.id)


@lru_cache(maxsize=128)
def _upsert(dialect: str, table: Table, columns: tuple[str, ...]) -> Any:
    statement = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    changes = {name: statement.excluded[name] for name in columns if name != "id"}
    return statement.on_conflict_do_update(index_elements=[table.c.id], set_=changes)


@lru_cache(maxsize=16)
def _upsert_later(dialect: str, table: Table, key: str, moving: str) -> Any:
    statement = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    stored, offered = table.c[moving], statement.excluded[moving]
    later = case((or_(stored.is_(None), stored < offered), offered), else_=stored)
    return statement.on_conflict_do_update(index_elements=[table.c[key]], set_={moving: later}).returning(*table.c)


async def insert_or_move_up(
    connection: AsyncConnection, table: Table, row: Mapping[str, Any], key: str, moving: str
) -> RowMapping:
    """Insert the row, or, when a row with the same `key` exists, move its `moving` column up to the
    row's value if that is later; the stored row either way (INSERT ... ON CONFLICT DO UPDATE)."""
    result = await connection.execute(_upsert_later(connection.dialect.name, table, key, moving), dict(row))
    return result.mappings().one()


async def insert_if_new(
    connection: AsyncConnection, table: Table, row: Mapping[str, Any], unique: Sequence[str] | None = None
) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True when the row was inserted.

    Race-safe: a concurrent inserter of the same key waits for the other transaction and then
    does nothing, instead of failing the whole transaction with a unique violation.
    """
    statement = _insert_if_new(connection.dialect.name, table, tuple(unique) if unique else None)
    result = await connection.execute(statement, dict(row))
    return result.first() is not None


async def insert_many_if_new(
    connection: AsyncConnection, table: Table, rows: Sequence[Mapping[str, Any]], unique: Sequence[str] | None = None
) -> set[str]:
    """`insert_if_new` for many rows (sent as multi-row INSERTs); the ids of the rows inserted.

    A row conflicting with an earlier row of the same call is not inserted either.
    """
    if not rows:
        return set()
    statement = _insert_if_new(connection.dialect.name, table, tuple(unique) if unique else None)
    result = await connection.execute(statement, [dict(row) for row in rows])
    return {str(identifier) for identifier in result.scalars().all()}


async def upsert_many(connection: AsyncConnection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """`upsert` for many rows with the same columns, in one round of statements."""
    if rows:
        await connection.execute(_upsert(connection.dialect.name, table, tuple(rows[0])), [dict(r) for r in rows])


async def upsert(connection: AsyncConnection, table: Table, row: Mapping[str, Any]) -> None:
    """Insert the row or overwrite every column of the row with the same id."""
    await connection.execute(_upsert(connection.dialect.name, table, tuple(row)), dict(row))


async def fetch_one(connection: AsyncConnection, table: Table, *where: ColumnElement[bool]) -> RowMapping | None:
    """The single matching row as a RowMapping, or None."""
    result = await connection.execute(select(table).where(*where))
    return result.mappings().first()


async def fetch_all(
    connection: AsyncConnection, table: Table, *where: ColumnElement[bool], order_by: Sequence[Any] = ()
) -> Sequence[RowMapping]:
    """Every matching row as RowMappings, in the given order."""
    result = await connection.execute(select(table).where(*where).order_by(*order_by))
    return result.mappings().all()


@lru_cache(maxsize=64)
def _among(table: Table, column: str, order_by: tuple[str, ...]) -> Any:
    return (select(table).where(table.c[column].in_(bindparam("among", expanding=True)))
            .order_by(*(table.c[name] for name in order_by)))


async def fetch_among(
    connection: AsyncConnection, table: Table, column: str, values: Sequence[Any], order_by: Sequence[str] = ()
) -> Sequence[RowMapping]:
    """The rows whose `column` is one of `values` (none: no query), in the given order; the statement is
    built once per table, column and order, not per call (the relay and the intake run these per batch)."""
    if not values:
        return []
    result = await connection.execute(_among(table, column, tuple(order_by)), {"among": list(values)})
    return result.mappings().all()
