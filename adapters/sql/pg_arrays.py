"""Set-based statements for PostgreSQL sent through the driver: a page's rows go as one array per column
and come apart in `unnest`, so a page is one statement whatever its size (and the SQL text, built once
per process, is prepared once per connection by asyncpg's statement cache)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import msgspec

# a column and its Postgres type; "jsonb" columns travel as text and are cast in the statement
Column = tuple[str, str]

_ARRAY_TYPE = {"jsonb": "text"}


def unnest_select(columns: Sequence[Column], first: int = 1) -> str:
    """SELECT of the columns out of one array parameter each, numbered from `first`."""
    arrays = ", ".join(f"${n}::{_ARRAY_TYPE.get(kind, kind)}[]" for n, (_, kind) in enumerate(columns, first))
    names = ", ".join(name for name, _ in columns)
    picked = ", ".join(f"u.{name}::jsonb" if kind == "jsonb" else f"u.{name}" for name, kind in columns)
    return f"SELECT {picked} FROM unnest({arrays}) AS u({names})"  # noqa: S608 - our constant names


def unnest_insert(table: str, columns: Sequence[Column], tail: str = "") -> str:
    """INSERT INTO `table` of the rows given as one array per column, then `tail` (ON CONFLICT, RETURNING)."""
    names = ", ".join(name for name, _ in columns)
    return f"INSERT INTO {table} ({names}) {unnest_select(columns)} {tail}".rstrip()


def select_any(table: str, columns: Sequence[str], key: str, tail: str = "") -> str:
    """SELECT the columns of the rows whose `key` is one of an array parameter ($1)."""
    sql = f"SELECT {', '.join(columns)} FROM {table} WHERE {key} = ANY($1::text[]) {tail}"  # noqa: S608 - constants
    return sql.rstrip()


def arrays(rows: Sequence[Sequence[Any]], width: int) -> list[list[Any]]:
    """The rows turned into one list per column (rows given as tuples in column order)."""
    if not rows:
        return [[] for _ in range(width)]
    return [list(column) for column in zip(*rows, strict=True)]


def json_text(value: Any) -> str:
    """A JSON document as the text a jsonb column is cast from."""
    return msgspec.json.encode(value).decode()


def json_value(text: str) -> Any:
    return msgspec.json.decode(text)


def ids_of(records: Iterable[Any]) -> set[str]:
    """The `id` column of returned records, as strings."""
    return {str(record[0]) for record in records}
