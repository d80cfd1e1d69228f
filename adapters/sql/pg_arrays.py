"""Set-based statements for PostgreSQL sent through the driver: a page's rows go as one array per column
and come apart in `unnest`, so a page is one statement whatever its size (and the SQL text, built once
per process, is prepared once per connection by asyncpg's statement cache). A column whose value is
the same in every row of a page goes as that one value (`RowsInsert`): asyncpg checks each array
element it encodes in Python, which cost more than the column's share of the INSERT itself. For the same
reason the columns of one array type that differ from row to row go as one two-dimensional array, a row per
column, each column unnested from its own slice: asyncpg checks only the first of its sub-arrays element by
element. Rows are tuples built straight from the domain objects, a StrEnum member as the text it is (no
`.value`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

import msgspec

# a column and its Postgres type; "jsonb" columns travel as text and are cast in the statement
Column = tuple[str, str]

_ARRAY_TYPE = {"jsonb": "text"}


@dataclass(frozen=True)
class RowsInsert:
    """INSERT INTO `table` of rows given as tuples in column order, of those that pass `where` (its `{name}`
    fields stand for the columns' values), then `tail`."""

    table: str
    columns: tuple[Column, ...]
    tail: str = ""
    where: str = ""

    def bound(self, rows: Sequence[Sequence[Any]]) -> tuple[str, list[Any]]:
        """The SQL and its arguments: the value every row has, for a column where they all have the same
        (never the first column, the key), else the column's array, or the arrays of the columns of its
        type stacked into one. A single row's values are all shared: they go as they are, with no array for
        asyncpg to check element by element (a lone webhook's page is such rows)."""
        if len(rows) == 1:  # nothing to compare: only the first column is an array
            row = rows[0]
            sql, parameters = _statement(self, _one_row(len(self.columns)))
            return sql, [[row[0]] if p == 0 else row[cast(int, p)] for p in parameters]
        values = arrays(rows, len(self.columns))
        shared = tuple(n > 0 and len(rows) > 0 and column.count(column[0]) == len(column)
                       for n, column in enumerate(values))
        sql, parameters = _statement(self, shared)
        return sql, [[values[n] for n in p] if isinstance(p, tuple) else values[p][0] if shared[p] else values[p]
                     for p in parameters]


@cache
def _one_row(width: int) -> tuple[bool, ...]:
    return (False, *(True,) * (width - 1))


def _array_type(kind: str) -> str:
    return _ARRAY_TYPE.get(kind, kind)


@cache
def _statement(insert: RowsInsert, shared: tuple[bool, ...]) -> tuple[str, list[int | tuple[int, ...]]]:
    """The SQL, and what each of its parameters is: a column (its shared value or its array), or the
    columns of one type stacked into a two-dimensional array."""
    stacked: dict[str, list[int]] = {}
    for n, (_, kind) in enumerate(insert.columns):
        if not shared[n]:
            stacked.setdefault(_array_type(kind), []).append(n)
    parameters: list[int | tuple[int, ...]] = [n for n in range(len(insert.columns)) if shared[n]]
    spread: dict[int, str] = {}  # column index: the array it is unnested from
    for kind, columns in stacked.items():
        if len(columns) == 1:
            parameters.append(columns[0])
            spread[columns[0]] = f"${len(parameters)}::{kind}[]"
        else:
            parameters.append(tuple(columns))
            spread.update({n: f"(${len(parameters)}::{kind}[])[{row}:{row}]" for row, n in enumerate(columns, 1)})
    number = {p: i for i, p in enumerate(parameters, 1) if isinstance(p, int)}
    names = ", ".join(name for name, _ in insert.columns)
    values = {name: f"${number[n]}::{_array_type(kind)}" if shared[n] else f"u.{name}"
              for n, (name, kind) in enumerate(insert.columns)}
    picked = ", ".join(f"{values[name]}::jsonb" if kind == "jsonb" else values[name] for name, kind in insert.columns)
    aliases = ", ".join(insert.columns[n][0] for n in sorted(spread))
    unnested = ", ".join(spread[n] for n in sorted(spread))
    sql = f"INSERT INTO {insert.table} ({names}) SELECT {picked} FROM unnest({unnested}) AS u({aliases})"  # noqa: S608
    where = f"WHERE {insert.where.format(**values)}" if insert.where else ""
    return " ".join(part for part in (sql, where, insert.tail) if part), parameters


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
