"""One transaction's way of running prepared statements: through SQLAlchemy, or straight
on the driver's cursor (:mod:`.driver`). Both give rows as tuples in the statement's
column order, so the store's logic is the same on either."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

from sqlalchemy.engine import Connection, Engine

from .driver import driver_transaction
from .statements import Prepared

__all__ = ["Run", "run"]


class Run(Protocol):
    """Statements run inside one transaction."""

    def first(self, prepared: Prepared, params: Mapping[str, Any]) -> Sequence[Any] | None:
        """The first row, or None; the rest is read and dropped."""

    def all(self, prepared: Prepared, params: Mapping[str, Any]) -> Sequence[Sequence[Any]]:
        """Every row."""

    def rowcount(self, prepared: Prepared, params: Mapping[str, Any]) -> int:
        """The number of rows a statement without RETURNING changed."""


class SqlAlchemyRun:
    __slots__ = ("conn",)

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def first(self, prepared: Prepared, params: Mapping[str, Any]) -> Sequence[Any] | None:
        return self.conn.execute(prepared.statement, params).first()

    def all(self, prepared: Prepared, params: Mapping[str, Any]) -> Sequence[Sequence[Any]]:
        return self.conn.execute(prepared.statement, params).all()

    def rowcount(self, prepared: Prepared, params: Mapping[str, Any]) -> int:
        return int(self.conn.execute(prepared.statement, params).rowcount)


class DriverRun:
    __slots__ = ("cursor",)

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor

    def first(self, prepared: Prepared, params: Mapping[str, Any]) -> Sequence[Any] | None:
        # fetchall, not fetchone: SQLite finishes an INSERT/UPDATE ... RETURNING only when
        # its rows are read to the end, and the statement must be done before COMMIT.
        rows = self.all(prepared, params)
        return rows[0] if rows else None

    def all(self, prepared: Prepared, params: Mapping[str, Any]) -> Sequence[Sequence[Any]]:
        driver = prepared.driver
        assert driver is not None
        self.cursor.execute(driver.sql, driver.bind(params))
        return self.cursor.fetchall()  # type: ignore[no-any-return]

    def rowcount(self, prepared: Prepared, params: Mapping[str, Any]) -> int:
        driver = prepared.driver
        assert driver is not None
        self.cursor.execute(driver.sql, driver.bind(params))
        return int(self.cursor.rowcount)


@contextmanager
def run(engine: Engine, *, direct: bool, write: bool) -> Iterator[Run]:
    """A transaction on a pooled connection: committed at the end when ``write`` (and
    nothing raised), else rolled back.

    :param direct: run on the driver; every statement run must then have a driver form.
    """
    if direct:
        with driver_transaction(engine, write=write) as cursor:
            yield DriverRun(cursor)
    elif write:
        with engine.begin() as conn:
            yield SqlAlchemyRun(conn)
    else:
        with engine.connect() as conn:
            yield SqlAlchemyRun(conn)
