"""Creating tables when several processes start at once.

Each gunicorn worker builds the app, and with ``create_tables`` on each creates its
tables. Two ``CREATE TABLE`` statements for one table collide: on PostgreSQL the loser
fails on ``pg_type_typname_nsp_index`` (an IntegrityError), on MariaDB and SQLite with
"already exists". So :func:`create_tables` runs the check-then-create under a lock the
database holds for everyone:

- PostgreSQL: ``pg_advisory_xact_lock`` in the transaction that creates the tables (DDL
  is transactional there: the next holder sees them committed);
- MariaDB/MySQL: ``GET_LOCK`` for the session (DDL commits implicitly), released after;
- SQLite: the database file's write lock (``BEGIN IMMEDIATE``), held while checking
  and creating;

and on every database an "already exists" failure is accepted when the tables are
there afterwards. Production deployments can create tables once, before the workers
start (``camshaft db create MODULE:APP``, or Alembic), and set ``create_tables = false``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

__all__ = ["LOCK_NAME", "create_tables"]

#: The name of the lock every process creating Camshaft tables takes.
LOCK_NAME = "camshaft.create_tables"
#: PostgreSQL advisory locks take a 64-bit integer: this name's hash.
_PG_LOCK_KEY = int.from_bytes(
    hashlib.blake2b(LOCK_NAME.encode(), digest_size=8).digest(), "big", signed=True
)
#: Seconds MariaDB's GET_LOCK waits for another process's creation.
LOCK_TIMEOUT = 60


def _create(conn: Connection, tables: Sequence[sa.Table]) -> None:
    for table in tables:
        table.create(conn, checkfirst=True)


def _all_exist(engine: Engine, tables: Sequence[sa.Table]) -> bool:
    inspector = sa.inspect(engine)
    return all(inspector.has_table(t.name, schema=t.schema) for t in tables)


def _locked_create(engine: Engine, tables: Sequence[sa.Table]) -> None:
    backend = engine.dialect.name
    if backend == "postgresql":
        with engine.begin() as conn:
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
            _create(conn, tables)
    elif backend in ("mysql", "mariadb"):
        with engine.connect() as conn:
            got = conn.execute(
                sa.text("SELECT GET_LOCK(:name, :timeout)"),
                {"name": LOCK_NAME, "timeout": LOCK_TIMEOUT},
            ).scalar()
            try:
                _create(conn, tables)
                conn.commit()
            finally:
                if got == 1:
                    conn.execute(sa.text("SELECT RELEASE_LOCK(:name)"), {"name": LOCK_NAME})
                    conn.commit()
    elif backend == "sqlite":
        with engine.connect() as conn:
            # sqlite3 runs DDL outside any transaction unless told: take the write lock
            # first, so the checks and creates are one transaction that others wait for.
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            _create(conn, tables)
            conn.commit()
    else:
        with engine.begin() as conn:
            _create(conn, tables)


def create_tables(engine: Engine, tables: Sequence[sa.Table]) -> None:
    """Create those of ``tables`` (in the order given: referenced tables first) that do
    not exist yet; safe when other processes do the same at the same time.

    :raises sqlalchemy.exc.SQLAlchemyError: the creation failed and the tables are not
        all there (no connection, no privilege, ...).
    """
    try:
        _locked_create(engine, tables)
    except (sa.exc.OperationalError, sa.exc.ProgrammingError, sa.exc.IntegrityError):
        # Another process created them between our check and our CREATE (without the
        # lock: a database user that may not take it, or an older Camshaft).
        if not _all_exist(engine, tables):
            raise
