"""Statements built once per store and reused, so SQLAlchemy's compiled cache (and the
cache key memoized on each statement object) makes every later execution cheap.

Filter values, keys, versions and the window are bound parameters, never SQL text; the
statement for a combination of filter operators and ordering is built on first use and
kept (up to :data:`MAX_CACHED` of them).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from camshaft.errors import BadRequest
from camshaft.stores import Filter

from .columns import Shape

__all__ = ["EXPECTED", "KEY", "LIMIT", "MAX_CACHED", "OFFSET", "Statements", "coerce"]

MAX_CACHED = 256
#: Names of the bound parameters (prefixed so they never clash with a column's).
KEY = "cs_key"
EXPECTED = "cs_expected"
OFFSET = "cs_offset"
LIMIT = "cs_limit"


def _python_type(column: sa.Column[Any]) -> type | None:
    try:
        return column.type.python_type
    except NotImplementedError:
        return None


def coerce(column: sa.Column[Any], value: Any, what: str) -> Any:
    """``value`` as the column's Python type, for a bound parameter.

    :raises BadRequest: it cannot be one (``what`` names it in the message).
    """
    kind = _python_type(column)
    if value is None or kind is None or (isinstance(value, kind) and not isinstance(value, bool)):
        return value
    try:
        if kind is int and isinstance(value, str):
            return int(value.strip(), 10)
        if kind is float and isinstance(value, int | str) and not isinstance(value, bool):
            return float(value)
        if kind is str and isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        if kind is bool and isinstance(value, bool):
            return value
        if kind is datetime.datetime and isinstance(value, str):
            return datetime.datetime.fromisoformat(value)
    except ValueError:
        pass
    if kind is int and isinstance(value, float) and value.is_integer():
        return int(value)
    raise BadRequest(f"{what}: {value!r} is not a valid {kind.__name__}.")


def _like_pattern(text: str) -> str:
    escaped = text.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return f"%{escaped}%"


class Statements:
    """Every statement a store runs, for one table."""

    __slots__ = (
        "_lists",
        "columns",
        "count_all",
        "delete",
        "delete_expected",
        "exists",
        "get",
        "insert",
        "key",
        "selected",
        "shape",
        "update",
        "update_expected",
    )

    def __init__(self, shape: Shape, *, insert_returning: bool, update_returning: bool) -> None:
        self.shape = shape
        table = shape.table
        self.key = key = shape.columns[shape.key]
        version = shape.version
        self.columns = shape.columns
        self.selected: list[sa.Column[Any]] = list(shape.columns.values())
        if version is not None:
            self.selected.append(version)
        key_is = key == sa.bindparam(KEY)
        self.get = sa.select(*self.selected).where(key_is)
        self.exists = sa.select(key).where(key_is)
        self.count_all = sa.select(sa.func.count()).select_from(table)
        insert = sa.insert(table)
        self.insert = insert.returning(*self.selected) if insert_returning else insert
        update = sa.update(table).where(key_is)
        delete = sa.delete(table).where(key_is)
        if version is not None:
            update = update.values({version: version + 1})
            expected = version == sa.bindparam(EXPECTED)
            self.update_expected: Any = update.where(expected)
            self.delete_expected: Any = delete.where(expected)
        else:
            self.update_expected = self.delete_expected = None
        if update_returning:
            update = update.returning(*self.selected)
            if self.update_expected is not None:
                self.update_expected = self.update_expected.returning(*self.selected)
        self.update = update
        self.delete = delete
        self._lists: dict[tuple[Any, ...], tuple[Any, Any]] = {}

    # ---------------------------------------------------------------- listing

    def for_query(
        self, filters: Sequence[Filter], order: Sequence[tuple[str, bool]]
    ) -> tuple[Any, Any, dict[str, Any]]:
        """The (list, count) statements for these filters and ordering, and the
        parameters the filter values bind to.

        :raises BadRequest: an unknown field or operator, ``contains`` on a non-text
            field, or a value its column cannot hold.
        """
        params: dict[str, Any] = {}
        signature: list[tuple[str, str, Any]] = []
        for i, f in enumerate(filters):
            column = self.columns.get(f.field)
            if column is None:
                raise BadRequest(f"No field {f.field!r} to filter on.")
            name = f"cs_f{i}"
            op = f.op
            if op == "isnull":
                signature.append((f.field, op, bool(f.value)))
                continue
            if op == "eq" and f.value is None:
                signature.append((f.field, "isnull", True))
                continue
            if op == "in":
                values = f.value if isinstance(f.value, list | tuple | set) else [f.value]
                params[name] = [coerce(column, v, f.field) for v in values]
            elif op == "contains":
                if not isinstance(column.type, sa.String):
                    raise BadRequest(f"Filter 'contains' works on text fields, not {f.field!r}.")
                params[name] = _like_pattern(str(f.value))
            else:
                params[name] = coerce(column, f.value, f.field)
            signature.append((f.field, op, None))
        for field, _ in order:
            if field not in self.columns:
                raise BadRequest(f"No field {field!r} to order by.")
        cache_key = (tuple(signature), tuple(order))
        built = self._lists.get(cache_key)
        if built is None:
            built = self._build(signature, order)
            if len(self._lists) >= MAX_CACHED:
                self._lists.clear()
            self._lists[cache_key] = built
        return built[0], built[1], params

    def _build(
        self, signature: Sequence[tuple[str, str, Any]], order: Sequence[tuple[str, bool]]
    ) -> tuple[Any, Any]:
        conditions = []
        for i, (field, op, fixed) in enumerate(signature):
            column = self.columns[field]
            bound = sa.bindparam(f"cs_f{i}", expanding=op == "in")
            if op == "isnull":
                conditions.append(column.is_(None) if fixed else column.is_not(None))
            elif op == "eq":
                conditions.append(column == bound)
            elif op == "ne":
                conditions.append(column.is_distinct_from(bound))
            elif op == "lt":
                conditions.append(column < bound)
            elif op == "lte":
                conditions.append(column <= bound)
            elif op == "gt":
                conditions.append(column > bound)
            elif op == "gte":
                conditions.append(column >= bound)
            elif op == "in":
                conditions.append(column.in_(bound))
            elif op == "contains":
                conditions.append(column.like(bound, escape="/"))
            else:
                raise BadRequest(f"Unknown filter operator {op!r}.")
        listing = sa.select(*self.selected).where(*conditions)
        clauses = [self.columns[f].desc() if desc else self.columns[f].asc() for f, desc in order]
        if not any(f == self.shape.key for f, _ in order):
            # A total order, so that pages neither repeat nor skip rows.
            clauses.append(self.key.asc())
        listing = listing.order_by(*clauses)
        listing = listing.limit(sa.bindparam(LIMIT, type_=sa.Integer)).offset(
            sa.bindparam(OFFSET, type_=sa.Integer)
        )
        if conditions:
            counting = sa.select(sa.func.count()).select_from(self.shape.table).where(*conditions)
        else:
            counting = self.count_all
        return listing, counting
