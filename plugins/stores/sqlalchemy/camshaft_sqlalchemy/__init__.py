"""camshaft-sqlalchemy: SQLAlchemy 2.x tables (SQLite, PostgreSQL, MariaDB) as Camshaft stores.

A handler names ``store = "sqlalchemy"`` and ``source = <Table or mapped class>``; the
database URL comes from the ``[sqlalchemy]`` settings section (``url``) or the handler's
``store_options``. See docs/stores.md.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from camshaft import Option, hookimpl
from camshaft.errors import ConfigurationError
from camshaft.plugin import (
    Collection,
    Page,
    Paginator,
    Request,
    Settings,
    StoreBackend,
    StoreConfig,
)

from .columns import model_for
from .engines import EngineCache, create_engine
from .search import MODES, fulltext_index
from .store import SqlStore

__all__ = ["SqlStore", "create_engine", "fulltext_index", "model_for"]

DEFAULT_URL = "sqlite:///camshaft.db"
#: Shortest ``cursor_secret`` accepted (checked when the app is built).
MIN_SECRET_LENGTH = 32


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
        "search": Option(
            str, "contains", "How ?search= matches: 'contains' or 'fulltext' (PostgreSQL).", MODES
        ),
        "search_config": Option(
            str, "english", "PostgreSQL text search configuration of search='fulltext'."
        ),
    }


@hookimpl
def camshaft_stores(settings: Settings) -> list[StoreBackend]:
    # One engine cache per app: apps never share pools, handlers of one app do.
    engines = EngineCache()

    def open_store(config: StoreConfig) -> SqlStore:
        url = str(config.options.get("url", DEFAULT_URL))
        return SqlStore(engines.get(url, config.options), config)

    return [StoreBackend("sqlalchemy", open_store, searches=True)]


class _LazyCursorPaginate:
    """The ``cursor`` paginator's ``paginate``, its module (keyset SQL, token signing,
    counting) imported by the first page it serves rather than by every worker at start.
    The secret is checked now, so a bad one still fails the build."""

    __slots__ = ("_lock", "_paginate", "_secret")

    def __init__(self, secret: str | None) -> None:
        if secret and len(secret) < MIN_SECRET_LENGTH:
            raise ConfigurationError(
                f"setting 'sqlalchemy.cursor_secret' must be at least {MIN_SECRET_LENGTH} "
                "characters long "
                "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        self._secret = secret
        self._paginate: Callable[[Request, Collection], Page] | None = None
        self._lock = threading.Lock()  # one paginator (one random secret) per app

    def __call__(self, request: Request, collection: Collection) -> Page:
        paginate = self._paginate
        if paginate is None:
            with self._lock:
                if self._paginate is None:
                    from .cursor import cursor_paginator

                    self._paginate = cursor_paginator(self._secret).paginate
                paginate = self._paginate
        return paginate(request, collection)


@hookimpl
def camshaft_paginators(settings: Settings) -> list[Paginator]:
    secret = settings.plugin("sqlalchemy").get("cursor_secret") or None
    return [Paginator("cursor", _LazyCursorPaginate(secret), ("cursor", "per_page", "limit"))]
