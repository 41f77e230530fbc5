"""Engines: one per database URL and app, safe across gunicorn's fork.

A forked worker must never use a connection its parent opened (two processes talking on
one socket corrupt each other's results), so every engine drops its pool, without closing
the parent's connections, in the child right after a fork. PostgreSQL and MariaDB pools
ping a connection before handing it out, so a server restart costs one reconnect rather
than an error. SQLite files (and their folder) are created when missing; file databases
use the WAL journal so readers never wait for a writer. MariaDB and MySQL sessions add
``NO_AUTO_VALUE_ON_ZERO`` to ``sql_mode``: without it an explicit key 0 is silently
replaced by the next auto-increment value, so a row written with key 0 would be stored
under another key.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import StaticPool

from camshaft.errors import ConfigurationError

__all__ = ["EngineCache", "create_engine"]


def _dispose_after_fork(engine: Engine) -> None:
    ref = weakref.ref(engine)

    def after_in_child() -> None:
        alive = ref()
        if alive is not None:
            # close=False: the parent's connections stay usable by the parent.
            alive.dispose(close=False)

    os.register_at_fork(after_in_child=after_in_child)


def _sqlite_pragmas(engine: Engine, *, wal: bool, busy_timeout: float) -> None:
    @sa.event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if wal:
            _enable_wal(cursor, busy_timeout)
        cursor.close()


def _enable_wal(cursor: Any, busy_timeout: float) -> None:
    """Switch to the WAL journal. The switch needs the file to itself and SQLite answers
    "database is locked" at once, without its busy handler, while another connection
    holds it (several workers opening a new database together): so wait here instead,
    as long as ``busy_timeout``."""
    deadline = time.monotonic() + busy_timeout
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _mysql_session(engine: Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # Keep the server's modes (strict mode above all); NULLIF/CONCAT_WS: no stray comma.
        cursor.execute(
            "SET SESSION sql_mode = CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), "
            "'NO_AUTO_VALUE_ON_ZERO')"
        )
        cursor.close()


def create_engine(url: str, options: Mapping[str, Any]) -> Engine:
    """An engine for ``url`` configured from the store options.

    :raises ConfigurationError: the URL does not parse or names an unknown driver.
    """
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError as exc:
        raise ConfigurationError(f"sqlalchemy: invalid database URL: {exc}") from None
    kwargs: dict[str, Any] = {"echo": bool(options.get("echo", False))}
    sqlite = parsed.get_backend_name() == "sqlite"
    database = parsed.database or ""
    in_memory = sqlite and (database in ("", ":memory:") or database.startswith("file::memory:"))
    if in_memory:
        # One shared connection, or every thread would see its own empty database.
        kwargs.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
    elif sqlite:
        path = Path(database).expanduser().resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        if not database.startswith("file:"):
            # Readable by its owner only, before SQLite creates it with the umask's mode.
            with contextlib.suppress(FileExistsError):
                os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    else:
        kwargs.update(
            pool_pre_ping=True,
            pool_size=int(options.get("pool_size", 5)),
            max_overflow=int(options.get("max_overflow", 10)),
            pool_timeout=float(options.get("pool_timeout", 10.0)),
            pool_recycle=int(options.get("pool_recycle", 1800)),
        )
    try:
        engine = sa.create_engine(parsed, **kwargs)
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise ConfigurationError(f"sqlalchemy: cannot use {parsed!r}: {exc}") from None
    if sqlite:
        _sqlite_pragmas(
            engine,
            wal=bool(options.get("sqlite_wal", True)) and not in_memory,
            busy_timeout=float(options.get("busy_timeout", 5.0)),
        )
    elif parsed.get_backend_name() in ("mysql", "mariadb"):
        _mysql_session(engine)
    _dispose_after_fork(engine)
    return engine


class EngineCache:
    """Engines by URL for one app: handlers on the same database share a pool."""

    __slots__ = ("_engines",)

    def __init__(self) -> None:
        self._engines: dict[tuple[str, bool], Engine] = {}

    def get(self, url: str, options: Mapping[str, Any]) -> Engine:
        key = (url, bool(options.get("echo", False)))
        engine = self._engines.get(key)
        if engine is None:
            engine = self._engines[key] = create_engine(url, options)
        return engine
