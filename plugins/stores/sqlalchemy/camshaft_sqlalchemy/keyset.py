"""Keyset pagination in SQL: a total ordering, and "the rows after this one" as a WHERE.

NULLs sort after every value in an ascending key and before every value in a descending
one (PostgreSQL's default), on every database: PostgreSQL needs nothing, SQLite gets
``NULLS LAST`` / ``NULLS FIRST``, MariaDB and others a ``CASE`` sort key. With that rule
an ordering reversed is exactly the listing reversed, which is how ``prev`` pages are read.

The keyset condition is written out column by column with ``IS NULL`` branches instead of
a row-value comparison ``(a, b) > (:a, :b)``, which gives NULL (so: no row) as soon as a
value is NULL, and which MariaDB and SQLite implement with differing NULL rules.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from camshaft.errors import BadRequest
from camshaft.plugin import Query

from .cursor_tokens import AFTER, Position
from .failures import translated

if TYPE_CHECKING:
    from .store import SqlStore

__all__ = ["Key", "beyond", "fetch", "keys_for", "order_clauses"]

_SQLITE_NULLS_ORDER = sqlite3.sqlite_version_info >= (3, 30, 0)


@dataclass(frozen=True, slots=True)
class Key:
    """One column of the ordering: its data member, column, direction, and whether it
    can hold NULL (the primary key never does)."""

    name: str
    column: sa.Column[Any]
    descending: bool
    nullable: bool


def keys_for(store: SqlStore, order: Sequence[tuple[str, bool]]) -> tuple[Key, ...]:
    """The ordering ``order`` asks for, made total: the primary key is appended (ascending)
    unless the ordering names it, and keys after it are dropped (they never decide).

    :raises BadRequest: a field the table does not have.
    """
    shape = store.shape
    keys: list[Key] = []
    for name, descending in order:
        column = shape.columns.get(name)
        if column is None:
            raise BadRequest(f"No field {name!r} to order by.", title="Invalid order")
        is_key = name == shape.key
        keys.append(Key(name, column, descending, bool(column.nullable) and not is_key))
        if is_key:
            return tuple(keys)
    keys.append(Key(shape.key, shape.columns[shape.key], False, False))
    return tuple(keys)


def reverse(keys: Sequence[Key]) -> tuple[Key, ...]:
    """The same keys in the opposite direction (NULLs move with them)."""
    return tuple(replace(key, descending=not key.descending) for key in keys)


def order_clauses(keys: Sequence[Key], dialect: str) -> list[Any]:
    """ORDER BY clauses for ``keys`` with NULLs placed by the module's rule."""
    clauses: list[Any] = []
    for key in keys:
        column = key.column
        plain = column.desc() if key.descending else column.asc()
        if not key.nullable or dialect == "postgresql":
            clauses.append(plain)
        elif dialect == "sqlite" and _SQLITE_NULLS_ORDER:
            clauses.append(plain.nulls_first() if key.descending else plain.nulls_last())
        else:
            is_null = sa.case((column.is_(None), 1), else_=0)
            clauses.append(is_null.desc() if key.descending else is_null.asc())
            clauses.append(plain)
    return clauses


def beyond(keys: Sequence[Key], values: Sequence[Any]) -> sa.ColumnElement[bool]:
    """The rows that come strictly after the row with ``values`` in the order of ``keys``:
    ``k1 > v1 OR (k1 = v1 AND k2 > v2) OR ...``, where "after" and "equal" for a NULL
    value or a nullable column are spelled with IS NULL / IS NOT NULL."""
    terms: list[sa.ColumnElement[bool]] = []
    equal_so_far: list[sa.ColumnElement[bool]] = []
    for i, (key, value) in enumerate(zip(keys, values, strict=True)):
        column = key.column
        after: sa.ColumnElement[bool] | None
        equal: sa.ColumnElement[bool]
        if value is None:
            # NULL is the largest value: nothing follows it ascending, and descending
            # every non-NULL value does.
            after = column.is_not(None) if key.descending else None
            equal = column.is_(None)
        else:
            bound = sa.bindparam(f"cs_k{i}", value, type_=column.type)
            if key.descending:
                after = column < bound
            elif key.nullable:
                after = sa.or_(column > bound, column.is_(None))
            else:
                after = column > bound
            equal = column == bound
        if after is not None:
            terms.append(sa.and_(*equal_so_far, after))
        equal_so_far.append(equal)
    return sa.or_(*terms) if terms else sa.false()


def fetch(
    store: SqlStore, query: Query, keys: Sequence[Key], position: Position, limit: int
) -> list[dict[str, Any]]:
    """Up to ``limit`` rows (as data dicts) matching ``query``'s filters and search from
    ``position`` on: after it in the order of ``keys``, or before it, nearest first.

    :raises BadRequest: a filter the table cannot apply.
    :raises camshaft.errors.ServiceUnavailable: the database cannot be reached.
    """
    # The store's statement carries the filters (their values bind by name in params);
    # its ordering and window are replaced by the keyset's.
    listing, _, params = store.statements.for_query(query.filters, (), query.search)
    walk = keys if position.direction == AFTER else reverse(keys)
    statement = listing.order_by(None).limit(None).offset(None)
    if position.values is not None:
        statement = statement.where(beyond(walk, position.values))
    dialect = store.engine.dialect.name
    statement = statement.order_by(*order_clauses(walk, dialect)).limit(limit)
    with translated(store.retry_after), store.engine.connect() as conn:
        rows = conn.execute(statement, params).all()
    names = tuple(store.shape.columns)
    return [dict(zip(names, row, strict=False)) for row in rows]
