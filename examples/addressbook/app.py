"""Python REST API Framework's quickstart: an address book in a database table.

    camshaft serve examples.addressbook.app:app
    curl 'http://127.0.0.1:8000/addresses/?page=2'
    curl -i -X POST -H 'Content-Type: application/json' \
         -d '{"name": "alice", "age": 30}' http://127.0.0.1:8000/addresses/
    curl 'http://127.0.0.1:8000/addresses/?age__gte=90&order=-age'

The database is an SQLite file, ``var/addressbook.db`` under the current directory,
created and seeded with 100 addresses, ids 0 to 99, on first start. ``DATABASE_URL`` points the same
app at PostgreSQL or MariaDB:

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test camshaft serve ...
    DATABASE_URL=mysql+pymysql://root@127.0.0.1:3306/test camshaft serve ...
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from camshaft import App, Handler
from camshaft.models import IntegerField, Model, StringField

DEFAULT_URL = "sqlite:///var/addressbook.db"
SEED_ROWS = 100


def address_table(name: str = "addresses", metadata: sa.MetaData | None = None) -> sa.Table:
    """The addresses table (tests give it another name, so test runs never collide)."""
    return sa.Table(
        name,
        metadata or sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("age", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )


addresses = address_table()


class AddressModel(Model):
    fields = [
        IntegerField("id", read_only=True),
        StringField("name", required=True, min_length=1, max_length=100),
        IntegerField("age", required=True, minimum=0, maximum=200),
    ]


class AddressHandler(Handler):
    """``/addresses/`` (20 a page) and ``/addresses/<id>``: the store's default CRUD."""

    resource_name = "addresses"
    key_pattern = r"\d{1,18}"
    store = "sqlalchemy"
    source = addresses
    model = AddressModel
    filters = ("name", "age")
    ordering = ("id", "name", "age")


def seed(engine: sa.Engine, table: sa.Table = addresses, rows: int = SEED_ROWS) -> None:
    """Fill an empty table with ``{"id": a, "name": "bob", "age": a}`` for a in
    ``range(rows)`` (ids 0 to rows - 1; the store keeps an explicit 0 on MariaDB too,
    see :mod:`camshaft_sqlalchemy.engines`).

    Safe when several workers start at once: the loser's insert hits the primary key and
    is rolled back whole.
    """
    with engine.connect() as conn:
        if conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one():
            return
    data = [{"id": a, "name": "bob", "age": a, "version": 1} for a in range(rows)]
    try:
        with engine.begin() as conn:
            conn.execute(sa.insert(table), data)
    except sa.exc.IntegrityError:
        pass  # another worker seeded it first
    if engine.dialect.name == "postgresql":
        # Explicit ids do not advance the sequence; make the next POST get max(id) + 1.
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"(SELECT max(id) FROM {table.name}))"
                )
            )


def make_app(
    url: str | None = None,
    *,
    table: sa.Table = addresses,
    settings: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> App:
    """The address book on ``url`` (default: ``$DATABASE_URL``, else the SQLite file)."""
    url = url or os.environ.get("DATABASE_URL") or DEFAULT_URL
    merged = {**(settings or {}), "sqlalchemy": {"url": url}}
    handler = AddressHandler
    if table is not addresses:
        handler = type("AddressHandler", (AddressHandler,), {"source": table})
    application = App([handler], settings=merged, **kwargs)
    seed(application.stores[handler].engine, table)  # type: ignore[attr-defined]
    return application


app = make_app()
