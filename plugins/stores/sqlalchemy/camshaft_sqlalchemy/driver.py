"""Statements compiled once and run on the DBAPI cursor, where SQLAlchemy adds nothing.

SQLAlchemy's execution path (execution context, parameter processing, result metadata)
costs some 40 µs a statement even with its compiled cache warm: more than SQLite takes to
answer a short query. For a statement whose parameters and result columns need no type
conversion on the dialect at hand, nothing of that path changes what the database
receives or what comes back, so the store compiles the statement once
(:func:`for_driver`) and runs the SQL text on a pooled connection's cursor
(:func:`driver_transaction`). Anything that needs SQLAlchemy at execution (a type
processor, an expanding ``IN``, a Python-side default, escaped parameter names, echo or
cursor-execute event listeners) keeps the SQLAlchemy path; the store decides per
statement, at build time.

Errors are raised as SQLAlchemy's wrapped exceptions (``IntegrityError``,
``OperationalError``, ...), with a lost connection invalidated, so
:func:`camshaft_sqlalchemy.failures.translated` maps them exactly as on the other path.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect, Engine

__all__ = ["DriverStatement", "driver_transaction", "for_driver", "usable"]


class DriverStatement:
    """SQL text for one dialect and how to bind a parameter dict to it.

    :ivar sql: the text, in the driver's parameter style.
    """

    __slots__ = ("_defaults", "_names", "sql")

    def __init__(self, sql: str, names: tuple[str, ...] | None, defaults: dict[str, Any]) -> None:
        self.sql = sql
        self._names = names
        self._defaults = defaults

    def bind(self, params: Mapping[str, Any]) -> Any:
        """The driver's parameters: a tuple for positional styles (a name bound twice is
        given twice), else a dict. Values SQLAlchemy generated (``version + 1``) are
        added; ``params`` must give every other parameter (KeyError otherwise)."""
        merged = {**self._defaults, **params} if self._defaults else params
        if self._names is None:
            return merged
        return tuple([merged[name] for name in self._names])


def _no_processing(types: Iterable[Any], dialect: Dialect) -> bool:
    for kind in types:
        impl = kind.dialect_impl(dialect)
        if impl.bind_processor(dialect) is not None:
            return False
        try:
            if impl.result_processor(dialect, None) is not None:
                return False
        except (TypeError, sa.exc.SQLAlchemyError):
            # Some need the column's type code to decide (psycopg's Float: "Unknown PG
            # numeric type"), which is only known once a result arrives: not usable.
            return False
    return True


def usable(engine: Engine, table: sa.Table) -> bool:
    """Whether statements on ``table`` may go to the driver at all: no column type needs
    conversion on this dialect, and nobody watches executions (``echo``, cursor events)."""
    if engine.echo:
        return False
    dispatch = engine.dispatch
    if dispatch.before_cursor_execute or dispatch.after_cursor_execute:
        return False
    return _no_processing((c.type for c in table.columns), engine.dialect)


def for_driver(
    statement: Any, dialect: Dialect, column_keys: Iterable[str] | None = None
) -> DriverStatement | None:
    """``statement`` compiled for the driver, or None when it needs SQLAlchemy at
    execution time (see the module docstring).

    :param column_keys: for INSERT and UPDATE, the columns the parameters will set.
    """
    keys = None if column_keys is None else list(column_keys)
    compiled: Any = statement.compile(dialect=dialect, column_keys=keys)
    if (
        compiled.escaped_bind_names
        or compiled.literal_execute_params
        or compiled.post_compile_params
        or getattr(compiled, "insert_prefetch", None)
        or getattr(compiled, "update_prefetch", None)
    ):
        return None
    binds = compiled.bind_names  # BindParameter -> its name in the SQL
    if any(b.expanding for b in binds) or not _no_processing((b.type for b in binds), dialect):
        return None
    # Parameters SQLAlchemy made from literals (the 1 of version + 1) carry their value.
    defaults = {name: b.effective_value for b, name in binds.items() if not b.required}
    names = tuple(compiled.positiontup) if dialect.positional else None
    return DriverStatement(compiled.string, names, defaults)


@contextmanager
def driver_transaction(engine: Engine, *, write: bool) -> Iterator[Any]:
    """A DBAPI cursor on a pooled connection, in one transaction: committed at the end
    when ``write``, else rolled back when the connection goes back to the pool.

    :raises sqlalchemy.exc.DBAPIError: (the fitting subclass) the driver failed; a lost
        connection is invalidated rather than returned to the pool.
    """
    dialect = engine.dialect
    base = dialect.loaded_dbapi.Error
    raw = None
    cursor = None
    try:
        raw = engine.raw_connection()
        cursor = raw.cursor()
        yield cursor
        cursor.close()
        cursor = None
        if write:
            raw.commit()
    except base as exc:
        lost = raw is not None and dialect.is_disconnect(exc, raw.dbapi_connection, cursor)
        if lost and raw is not None:
            raw.invalidate(exc)
        raise sa.exc.DBAPIError.instance(
            None,
            None,
            exc,
            base,
            hide_parameters=True,
            connection_invalidated=lost,
            dialect=dialect,
        ) from exc
    finally:
        if cursor is not None:
            try:
                cursor.close()
            except base:
                pass  # the connection is being given back (or dropped) anyway
        if raw is not None:
            raw.close()  # back to the pool, which rolls back whatever is left open
