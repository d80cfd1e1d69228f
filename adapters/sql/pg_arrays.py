"""Set-based statements for PostgreSQL sent through the driver: a page's rows go as one array per column
and come apart in `unnest`, so a page is one statement whatever its size (and the SQL text, built once
per process, is prepared once per connection by asyncpg's statement cache). A column whose value is
the same in every row of a page goes as that one value (`RowsInsert`): asyncpg checks each array
element it encodes in Python, which cost more than the column's share of the INSERT itself. Rows are
tuples built straight from the domain objects, a StrEnum member as the text it is (no `.value`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import msgspec

# a column and its Postgres type; "jsonb" columns travel as text and are cast in the statement
Column = tuple[str, str]

_ARRAY_TYPE = {"jsonb": "text"}


@dataclass(frozen=True)
class RowsInsert:
    """INSERT INTO `table` of rows given as tuples in column order, then `tail`; `statement` wraps the
    INSERT (a CTE, say) and its own parameters are numbered after the columns'."""

    table: str
    columns: tuple[Column, ...]
    tail: str = ""
    statement: str = "{insert}"

    def bound(self, rows: Sequence[Sequence[Any]]) -> tuple[str, list[Any]]:
        """The SQL and one argument per column: an array, or the value every row has (the first column,
        the key, is always an array)."""
        values = arrays(rows, len(self.columns))
        shared = tuple(n > 0 and len(rows) > 1 and column.count(column[0]) == len(column)
                       for n, column in enumerate(values))
        return _sql(self, shared), [column[0] if one else column for column, one in zip(values, shared, strict=True)]


@cache
def _sql(insert: RowsInsert, shared: tuple[bool, ...]) -> str:
    names = ", ".join(name for name, _ in insert.columns)
    numbered = list(enumerate(insert.columns, 1))
    spread = ", ".join(f"${n}::{_ARRAY_TYPE.get(kind, kind)}[]" for n, (_, kind) in numbered if not shared[n - 1])
    aliases = ", ".join(name for n, (name, _) in numbered if not shared[n - 1])
    picked = ", ".join(
        (f"${n}::text::jsonb" if kind == "jsonb" else f"${n}::{kind}") if shared[n - 1]
        else (f"u.{name}::jsonb" if kind == "jsonb" else f"u.{name}") for n, (name, kind) in numbered)
    into = f"INSERT INTO {insert.table} ({names}) SELECT {picked} FROM unnest({spread}) AS u({aliases})"  # noqa: S608
    return insert.statement.format(insert=f"{into} {insert.tail}".rstrip())


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
