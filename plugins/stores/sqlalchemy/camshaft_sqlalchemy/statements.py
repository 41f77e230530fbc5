"""Statements built once per store and reused, so SQLAlchemy's compiled cache (and the
cache key memoized on each statement object) makes every later execution cheap; where the
dialect needs no type conversion they are also compiled once to driver SQL
(:mod:`.driver`), which skips SQLAlchemy's execution path altogether.

Filter values, keys, versions and the window are bound parameters, never SQL text; the
statement for a combination of filter operators and ordering is built on first use and
kept (up to :data:`MAX_CACHED` of them). A search (:mod:`.search`) is part of the
combination by its fields and its number of terms; the terms are bound too.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from camshaft.errors import BadRequest
from camshaft.plugin import Filter, Search

from .columns import Shape
from .driver import DriverStatement, for_driver
from .search import ESCAPE, SearchMode, like_pattern, search_condition, search_params

__all__ = [
    "EXPECTED",
    "KEY",
    "LIMIT",
    "MAX_CACHED",
    "OFFSET",
    "TOTAL",
    "Listing",
    "Prepared",
    "Statements",
    "coerce",
]

MAX_CACHED = 256
#: Names of the bound parameters (prefixed so they never clash with a column's).
KEY = "cs_key"
EXPECTED = "cs_expected"
OFFSET = "cs_offset"
LIMIT = "cs_limit"
#: Label of the total-count column a page statement adds after the row's columns.
TOTAL = "cs_total"


@dataclass(frozen=True, slots=True)
class Prepared:
    """A statement for SQLAlchemy, and the same for the driver (None: SQLAlchemy only)."""

    statement: Any
    driver: DriverStatement | None


@dataclass(frozen=True, slots=True)
class Listing:
    """The statements of one combination of filters and ordering.

    :ivar rows: the rows of a window (bound ``cs_offset``, ``cs_limit``).
    :ivar page: the same with the total number of matching rows as one more column
        (:data:`TOTAL`), so a page and its count take one statement.
    :ivar count: the number of matching rows.
    """

    rows: Prepared
    page: Prepared
    count: Prepared


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


class Statements:
    """Every statement a store runs, for one table.

    :param dialect: the dialect to compile driver SQL for, or None for none (every
        statement then runs through SQLAlchemy).
    :param search: how a query's search is matched (``contains`` when None).
    """

    __slots__ = (
        "_dialect",
        "_lists",
        "_search",
        "_writes",
        "columns",
        "count_all",
        "delete",
        "delete_expected",
        "exists",
        "get",
        "insert",
        "key",
        "prepared",
        "selected",
        "shape",
        "update",
        "update_expected",
        "update_returning",
    )

    def __init__(
        self,
        shape: Shape,
        *,
        insert_returning: bool,
        update_returning: bool,
        dialect: Dialect | None = None,
        search: SearchMode | None = None,
    ) -> None:
        self.shape = shape
        self._dialect = dialect
        self._search = SearchMode() if search is None else search
        self.update_returning = update_returning
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
        self._lists: dict[tuple[Any, ...], tuple[Any, Any, Listing]] = {}
        self._writes: dict[tuple[Any, ...], Prepared] = {}
        #: The fixed statements by name, each with its driver form.
        self.prepared = {
            name: self._prepare(getattr(self, name))
            for name in ("get", "exists", "count_all", "delete", "delete_expected")
            if getattr(self, name) is not None
        }

    def _prepare(self, statement: Any, column_keys: Iterable[str] | None = None) -> Prepared:
        dialect = self._dialect
        driver = None if dialect is None else for_driver(statement, dialect, column_keys)
        return Prepared(statement, driver)

    def write(self, kind: str, column_keys: Iterable[str]) -> Prepared:
        """``insert``, ``update`` or ``update_expected`` for parameters setting exactly
        ``column_keys`` (driver SQL names its columns, so it is compiled per set)."""
        keys = tuple(sorted(column_keys))
        cache_key = (kind, keys)
        prepared = self._writes.get(cache_key)
        if prepared is None:
            if len(self._writes) >= MAX_CACHED:
                self._writes.clear()
            prepared = self._writes[cache_key] = self._prepare(getattr(self, kind), keys)
        return prepared

    # ---------------------------------------------------------------- listing

    def for_query(
        self,
        filters: Sequence[Filter],
        order: Sequence[tuple[str, bool]],
        search: Search | None = None,
    ) -> tuple[Any, Any, dict[str, Any]]:
        """The (list, count) statements for these filters, search and ordering, and the
        parameters the filter values and search terms bind to.

        :raises BadRequest: an unknown field or operator, ``contains`` or a search on a
            non-text field, or a value its column cannot hold.
        """
        built, params = self._built(filters, order, search)
        return built[0], built[1], params

    def listing(
        self,
        filters: Sequence[Filter],
        order: Sequence[tuple[str, bool]],
        search: Search | None = None,
    ) -> tuple[Listing, dict[str, Any]]:
        """Like :meth:`for_query`, with the page statement and the driver forms.

        :raises BadRequest: as :meth:`for_query`.
        """
        built, params = self._built(filters, order, search)
        return built[2], params

    def _built(
        self,
        filters: Sequence[Filter],
        order: Sequence[tuple[str, bool]],
        search: Search | None,
    ) -> tuple[tuple[Any, Any, Listing], dict[str, Any]]:
        params: dict[str, Any] = {}
        searching: tuple[tuple[str, ...], int] | None = None
        if search is not None and search.terms:
            searching = (tuple(search.fields), len(search.terms))
            params.update(search_params(search, self._search))
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
                params[name] = like_pattern(str(f.value))
            else:
                params[name] = coerce(column, f.value, f.field)
            signature.append((f.field, op, None))
        for field, _ in order:
            if field not in self.columns:
                raise BadRequest(f"No field {field!r} to order by.")
        cache_key = (tuple(signature), tuple(order), searching)
        built = self._lists.get(cache_key)
        if built is None:
            built = self._build(signature, order, searching)
            if len(self._lists) >= MAX_CACHED:
                self._lists.clear()
            self._lists[cache_key] = built
        return built, params

    def _build(
        self,
        signature: Sequence[tuple[str, str, Any]],
        order: Sequence[tuple[str, bool]],
        searching: tuple[tuple[str, ...], int] | None = None,
    ) -> tuple[Any, Any, Listing]:
        conditions: list[Any] = []
        if searching is not None:
            conditions.append(
                search_condition(self.columns, searching[0], searching[1], self._search)
            )
        for i, (field, op, fixed) in enumerate(signature):
            column = self.columns[field]
            bound: Any = sa.bindparam(f"cs_f{i}", expanding=op == "in")
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
                conditions.append(column.like(bound, escape=ESCAPE))
            else:
                raise BadRequest(f"Unknown filter operator {op!r}.")
        if conditions:
            counting = sa.select(sa.func.count()).select_from(self.shape.table).where(*conditions)
        else:
            counting = self.count_all
        total = counting.scalar_subquery().label(TOTAL)
        listing = sa.select(*self.selected).where(*conditions)
        paging = sa.select(*self.selected, total).where(*conditions)
        clauses = [self.columns[f].desc() if desc else self.columns[f].asc() for f, desc in order]
        if not any(f == self.shape.key for f, _ in order):
            # A total order, so that pages neither repeat nor skip rows.
            clauses.append(self.key.asc())
        limit = sa.bindparam(LIMIT, type_=sa.Integer)
        offset = sa.bindparam(OFFSET, type_=sa.Integer)
        listing = listing.order_by(*clauses).limit(limit).offset(offset)
        paging = paging.order_by(*clauses).limit(limit).offset(offset)
        prepared = Listing(
            self._prepare(listing), self._prepare(paging), self.prepared["count_all"]
        )
        if conditions:
            prepared = Listing(prepared.rows, prepared.page, self._prepare(counting))
        return listing, counting, prepared
