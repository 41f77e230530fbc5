"""camshaft-sqlalchemy: SQLAlchemy 2.x tables (SQLite, PostgreSQL, MariaDB) as Camshaft stores.

A handler names ``store = "sqlalchemy"`` and ``source = <Table or mapped class>``; the
database URL comes from the ``[sqlalchemy]`` settings section (``url``) or the handler's
``store_options``. See docs/stores.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from camshaft import Option, hookimpl
from camshaft.plugin import Settings, StoreBackend, StoreConfig

from .columns import model_for
from .cursor import camshaft_paginators  # noqa: F401 - the 'cursor' paginator's hook
from .engines import EngineCache, create_engine
from .store import SqlStore

__all__ = ["SqlStore", "create_engine", "model_for"]

DEFAULT_URL = "sqlite:///camshaft.db"


@hookimpl
def camshaft_settings_spec() -> Mapping[str, Any]:
    return {
        "url": Option(str, DEFAULT_URL, "Database URL (SQLAlchemy syntax); $env works."),
        "echo": Option(bool, False, "Log every statement (development only)."),
        "create_tables": Option(bool, True, "Create a handler's table when it is missing."),
        "version_column": Option(str, "version", "Integer column holding each row's version."),
        "pool_size": Option(int, 5, "Connections kept open per process (servers only)."),
        "max_overflow": Option(int, 10, "Extra connections opened under load (servers only)."),
        "pool_timeout": Option(float, 10.0, "Seconds to wait for a connection before 503."),
        "pool_recycle": Option(int, 1800, "Seconds after which a connection is replaced."),
        "retry_after": Option(int, 2, "Retry-After seconds sent when the database is down."),
        "sqlite_wal": Option(bool, True, "Use SQLite's WAL journal for file databases."),
        "busy_timeout": Option(float, 5.0, "Seconds SQLite waits for a lock before 503."),
        "driver_sql": Option(bool, True, "Run plain statements on the driver's cursor."),
        "cursor_secret": Option(str, "", "HMAC key of cursors (32+ chars; $env works)."),
    }


@hookimpl
def camshaft_stores(settings: Settings) -> list[StoreBackend]:
    # One engine cache per app: apps never share pools, handlers of one app do.
    engines = EngineCache()

    def open_store(config: StoreConfig) -> SqlStore:
        url = str(config.options.get("url", DEFAULT_URL))
        return SqlStore(engines.get(url, config.options), config)

    return [StoreBackend("sqlalchemy", open_store)]
