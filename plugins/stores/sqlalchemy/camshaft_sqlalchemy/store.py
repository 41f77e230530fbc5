"""The ``sqlalchemy`` store: one table's rows as a resource's records.

Every method runs in one transaction with SQLAlchemy Core (no ORM session on the way),
using statements built once (:mod:`.statements`); where the dialect needs no type
conversion, the compiled SQL goes straight to the driver's cursor (:mod:`.driver`), which
is several times cheaper than SQLAlchemy's execution path and sends the same SQL. A page
and its total are one statement (:meth:`SqlStore.page`). Versions:

- with a version column (the mapper's ``version_id_col`` or an integer column named by
  the ``version_column`` option), a write is ``UPDATE ... SET ..., version = version + 1
  WHERE key = :key AND version = :expected``: the check and the write are one statement,
  so of many concurrent writers holding the same version exactly one succeeds;
- without one, the version is a hash of the row, and a write with an expected version
  updates ``WHERE`` every column still holds the value that was hashed.

A write that changes no row is then told apart: no row is 404, another version 412.
"""

from __future__ import annotations

import builtins
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from camshaft.errors import ConfigurationError, Conflict, NotFound, PreconditionFailed
from camshaft.models import Model
from camshaft.plugin import Query, Record, StoreConfig, writable_members

from .columns import model_for, shape_of
from .driver import usable
from .failures import retried, translated
from .runs import Run, run
from .schema import create_tables
from .search import search_mode
from .statements import EXPECTED, KEY, LIMIT, OFFSET, Prepared, Statements, coerce

__all__ = ["SqlStore"]

#: Records' data as dicts (a name: ``list`` is a method of the store class below).
DataRows = list[dict[str, Any]]

#: The window of an unwindowed query: a number (an INTEGER) every database accepts.
_NO_LIMIT = 2**31 - 1


class SqlStore:
    """A :class:`camshaft.Store` over one table.

    :param engine: where the table lives.
    :param config: the handler's store configuration; ``source`` is a
        :class:`sqlalchemy.Table` or a mapped class.
    :raises ConfigurationError: the source is not usable, or the table cannot be created.
    """

    def __init__(self, engine: Engine, config: StoreConfig) -> None:
        options = config.options
        self.engine = engine
        if config.source is None:
            raise ConfigurationError(
                f"sqlalchemy: the handler of {config.resource!r} needs source = a Table or "
                "a mapped class"
            )
        self.shape = shape = shape_of(config.source, str(options.get("version_column", "version")))
        if config.key_field != shape.key:
            raise ConfigurationError(
                f"sqlalchemy: key_field {config.key_field!r} of {config.resource!r} is not the "
                f"primary key {shape.key!r}"
            )
        self.retry_after = int(options.get("retry_after", 2))
        # Column names as data members, so a database error can name the field.
        self._members = {column.name: name for name, column in shape.columns.items()}
        dialect = engine.dialect
        direct = bool(options.get("driver_sql", True)) and usable(engine, shape.table)
        self.statements = Statements(
            shape,
            insert_returning=bool(dialect.insert_returning),
            update_returning=bool(dialect.update_returning),
            dialect=dialect if direct else None,
            search=search_mode(options, dialect.name, config.resource),
        )
        self._insert_returning = bool(dialect.insert_returning)
        # Without a handler model, the store still refuses unknown members and wrong types.
        self.model: type[Model] | None = (
            None if config.model is not None else model_for(config.source)
        )
        # What a PUT resets when not sent; other columns (read-only fields, columns the
        # handler's model leaves out, such as a password hash) keep their values.
        writable = writable_members(config.model if config.model is not None else self.model)
        self._writable = frozenset(shape.columns) if writable is None else writable
        self._names = tuple(shape.columns)
        self._key_index = self._names.index(shape.key)
        self._versioned = shape.version is not None
        self._params = {name: column.key for name, column in shape.columns.items()}
        if options.get("create_tables", True):
            self.create_schema()

    def create_schema(self) -> None:
        """Create the table when it is missing; safe when several processes start at once
        (:func:`camshaft_sqlalchemy.schema.create_tables`). ``camshaft db create`` calls
        this for every store of an app.

        :raises ServiceUnavailable: the database cannot be reached.
        """
        with self._translated():
            create_tables(self.engine, [self.shape.table])

    # ---------------------------------------------------------------- helpers

    def _translated(self) -> AbstractContextManager[None]:
        """Database errors as HTTP errors naming this table's fields (:mod:`.failures`)."""
        return translated(self.retry_after, self._members)

    def _record(self, row: Any) -> Record:
        data = dict(zip(self._names, row, strict=False))
        if self._versioned:
            version = str(row[-1])
        else:
            version = hashlib.blake2b(repr(tuple(row)).encode(), digest_size=8).hexdigest()
        return Record(str(row[self._key_index]), data, version)

    def _key(self, key: str) -> Any:
        """The key as the key column's type; None when it cannot be one (so: not found)."""
        try:
            return coerce(self.statements.key, key, "key")
        except Exception:  # noqa: BLE001 - any unconvertible key simply names no row
            return None

    def _expected(self, expected_version: str | None) -> Any:
        if expected_version is None or not self._versioned:
            return expected_version
        try:
            return int(expected_version)
        except ValueError:
            raise PreconditionFailed("The record has changed since that version.") from None

    def _values(self, data: Mapping[str, Any], *, partial: bool, allow_key: bool) -> dict[str, Any]:
        """Bound parameters (column keys) for the members of ``data``, checked by the
        derived model when the handler has none."""
        key = self.shape.key
        if self.model is not None:
            clean = self.model.validate(data, partial=partial, allow=(key,) if allow_key else ())
            if allow_key and key in data:
                clean[key] = data[key]
            data = clean
        params = self._params
        out = {params[name]: value for name, value in data.items() if name != key}
        if allow_key and data.get(key) is not None:
            out[params[key]] = coerce(self.statements.key, data[key], "key")
        return out

    def _full(self, values: dict[str, Any]) -> dict[str, Any]:
        """A replacement row: writable members not given go back to their default (or
        NULL); columns a client may not write are left as they are."""
        for name, column in self.shape.columns.items():
            if name == self.shape.key or column.key in values or name not in self._writable:
                continue
            default = column.default
            if default is not None and getattr(default, "is_scalar", False):
                values[column.key] = default.arg  # type: ignore[attr-defined]
            elif default is None and column.server_default is None:
                values[column.key] = None
        return values

    def _fetch(self, conn: Connection, key: Any) -> Any:
        return conn.execute(self.statements.get, {KEY: key}).first()

    def _missing_or_stale(self, r: Run, key: Any, key_text: str) -> Exception:
        if r.first(self.statements.prepared["exists"], {KEY: key}) is None:
            return NotFound(f"No record with key {key_text!r}.")
        return PreconditionFailed("The record has changed since that version.")

    @staticmethod
    def _direct(*prepared: Prepared) -> bool:
        """Whether these statements can all run on the driver."""
        return all(p.driver is not None for p in prepared)

    # ---------------------------------------------------------------- reading

    def get(self, key: str) -> Record | None:
        value = self._key(key)
        if value is None:
            return None
        get = self.statements.prepared["get"]
        with (
            self._translated(),
            run(self.engine, direct=self._direct(get), write=False) as r,
        ):
            row = r.first(get, {KEY: value})
        return None if row is None else self._record(row)

    def _window(self, query: Query, *, total: bool) -> tuple[Sequence[Sequence[Any]], Prepared]:
        listing, params = self.statements.listing(query.filters, query.order, query.search)
        params[OFFSET] = query.offset
        params[LIMIT] = _NO_LIMIT if query.limit is None else query.limit
        prepared = listing.page if total else listing.rows
        with (
            self._translated(),
            run(self.engine, direct=self._direct(prepared), write=False) as r,
        ):
            return r.all(prepared, params), prepared

    def list(self, query: Query) -> Iterable[Record]:
        rows, _ = self._window(query, total=False)
        return [self._record(row) for row in rows]

    def rows(self, query: Query) -> DataRows:
        """What :meth:`list` returns, as the data dicts alone (the default CRUD's
        collections need no versions, and building Records costs time per row)."""
        rows, _ = self._window(query, total=False)
        names = self._names
        return [dict(zip(names, row, strict=False)) for row in rows]

    def page(self, query: Query) -> tuple[DataRows, int | None]:
        """:meth:`rows` and the number of records matching the query's filters, read by
        one statement (one snapshot, one round trip).

        :return: ``(rows, total)``; ``total`` is None when the window is empty (past the
            end: the statement then returns no row to carry it), so ask :meth:`count`.
        """
        rows, _ = self._window(query, total=True)
        if not rows:
            return [], None
        names = self._names
        return [dict(zip(names, row, strict=False)) for row in rows], int(rows[0][-1])

    def estimate(self, query: Query) -> int | None:
        """PostgreSQL's planner estimate of :meth:`count` (``pagination.count =
        "estimated"``); None elsewhere, or for small tables, so the paginator counts."""
        from .counting import estimate_count  # counting imports this module

        return estimate_count(self, query)

    def count(self, query: Query) -> int:
        listing, params = self.statements.listing(query.filters, (), query.search)
        counting = listing.count
        with (
            self._translated(),
            run(self.engine, direct=self._direct(counting), write=False) as r,
        ):
            row = r.first(counting, params)
        assert row is not None
        return int(row[0])

    # ---------------------------------------------------------------- writing

    @retried
    def create(self, data: Mapping[str, Any], key: str | None = None) -> Record:
        values = self._values(data, partial=False, allow_key=True)
        if key is not None:
            value = self._key(key)
            if value is None:
                raise NotFound(f"No record can have key {key!r}.")
            values[self.statements.key.key] = value
        if self._versioned:
            assert self.shape.version is not None
            values[self.shape.version.key] = 1
        st = self.statements
        insert = st.write("insert", values)
        if self._insert_returning and self._direct(insert):
            with self._translated(), run(self.engine, direct=True, write=True) as r:
                row = r.first(insert, values)
            return self._record(row)
        with self._translated(), self.engine.begin() as conn:
            result = conn.execute(st.insert, values)
            if result.returns_rows:
                row = result.one()
            else:
                inserted = result.inserted_primary_key
                assert inserted is not None  # a single-row INSERT always has one
                row = self._fetch(conn, inserted[0])
        return self._record(row)

    def create_many(self, items: Sequence[Mapping[str, Any]]) -> builtins.list[Record]:
        """Insert every item in one transaction: all are stored, or (a constraint fails,
        the database is gone) none.

        :raises Conflict: an item collides with a key or unique constraint; rolled back.
        """
        every = []
        for data in items:
            values = self._values(data, partial=False, allow_key=True)
            if self._versioned:
                assert self.shape.version is not None
                values[self.shape.version.key] = 1
            every.append(values)
        rows = []
        with self._translated(), self.engine.begin() as conn:
            for values in every:
                result = conn.execute(self.statements.insert, values)
                if result.returns_rows:
                    rows.append(result.one())
                else:
                    inserted = result.inserted_primary_key
                    assert inserted is not None  # a single-row INSERT always has one
                    rows.append(self._fetch(conn, inserted[0]))
        return [self._record(row) for row in rows]

    def _update(self, key: str, values: dict[str, Any], expected_version: str | None) -> Record:
        st = self.statements
        value = self._key(key)
        if value is None:
            raise NotFound(f"No record with key {key!r}.")
        expected = self._expected(expected_version)
        if not self._versioned:
            with self._translated(), self.engine.begin() as conn:
                return self._update_unversioned(conn, value, key, values, expected)
        params = {**values, KEY: value}
        if expected is None:
            update = st.write("update", values)
        else:
            update = st.write("update_expected", values)
            params[EXPECTED] = expected
        get, exists = st.prepared["get"], st.prepared["exists"]
        direct = self._direct(update, get, exists)
        with self._translated(), run(self.engine, direct=direct, write=True) as r:
            if st.update_returning:
                # With RETURNING, rowcount is unreliable (SQLite); the row itself tells.
                row = r.first(update, params)
            else:
                row = r.first(get, {KEY: value}) if r.rowcount(update, params) else None
            if row is None:
                raise self._missing_or_stale(r, value, key)
        return self._record(row)

    def _update_unversioned(
        self, conn: Connection, value: Any, key: str, values: dict[str, Any], expected: Any
    ) -> Record:
        row = self._fetch(conn, value)
        if row is None:
            raise NotFound(f"No record with key {key!r}.")
        if expected is not None and self._record(row).version != expected:
            raise PreconditionFailed("The record has changed since that version.")
        if values:
            columns = self.shape.columns.values()
            unchanged = [
                c.is_(None) if old is None else c == old
                for c, old in zip(columns, row, strict=False)
            ]
            statement = sa.update(self.shape.table).where(*unchanged).values(values)
            if conn.execute(statement).rowcount == 0:
                raise PreconditionFailed("The record changed while it was being written.")
            row = self._fetch(conn, value)
        return self._record(row)

    @retried
    def replace(
        self,
        key: str,
        data: Mapping[str, Any],
        *,
        expected_version: str | None = None,
        create_only: bool = False,
    ) -> Record:
        if create_only:
            body = {n: v for n, v in data.items() if n != self.shape.key}
            try:
                return self.create(body, key=key)
            except Conflict:
                if self.get(key) is not None:
                    raise PreconditionFailed(f"A record with key {key!r} already exists.") from None
                raise
        values = self._full(self._values(data, partial=False, allow_key=False))
        return self._update(key, values, expected_version)

    @retried
    def patch(
        self, key: str, changes: Mapping[str, Any], *, expected_version: str | None = None
    ) -> Record:
        values = self._values(changes, partial=True, allow_key=False)
        if not values and self._versioned and expected_version is None:
            record = self.get(key)
            if record is None:
                raise NotFound(f"No record with key {key!r}.")
            return record
        return self._update(key, values, expected_version)

    @retried
    def delete(self, key: str, *, expected_version: str | None = None) -> None:
        st = self.statements
        value = self._key(key)
        if value is None:
            raise NotFound(f"No record with key {key!r}.")
        expected = self._expected(expected_version)
        if expected is not None and not self._versioned:
            # The version is a hash of the row: compare, then delete, in one transaction.
            with self._translated(), self.engine.begin() as conn:
                row = self._fetch(conn, value)
                if row is not None and self._record(row).version != expected:
                    raise PreconditionFailed("The record has changed since that version.")
                if conn.execute(st.delete, {KEY: value}).rowcount == 0:
                    raise NotFound(f"No record with key {key!r}.")
            return
        params = {KEY: value}
        if expected is None:
            delete = st.prepared["delete"]
        else:
            delete = st.prepared["delete_expected"]
            params[EXPECTED] = expected
        exists = st.prepared["exists"]
        direct = self._direct(delete, exists)
        with self._translated(), run(self.engine, direct=direct, write=True) as r:
            if r.rowcount(delete, params) == 0:
                raise self._missing_or_stale(r, value, key)
