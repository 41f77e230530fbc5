"""Fixtures: a database URL per backend and a fresh table per test (dropped afterwards),
so runs sharing the ``test`` databases never see each other's rows."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from camshaft._kernel.handler import Handler
from camshaft.testing import make_app

SERVERS = {
    "postgres": "CAMSHAFT_TEST_POSTGRES_URL",
    "mariadb": "CAMSHAFT_TEST_MARIADB_URL",
}


def server_url(name: str) -> str:
    variable = SERVERS[name]
    url = os.environ.get(variable)
    if not url:
        pytest.skip(f"{variable} is not set; the {name} tests need that server")
    return url


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ]
)
def db_url(request, tmp_path) -> str:
    """Each backend's URL: a fresh SQLite file, or the server from the environment."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return server_url(request.param)


def people_table(versioned: bool = True) -> sa.Table:
    """A table with a unique name: id, name (unique-free text), age, and maybe a version."""
    metadata = sa.MetaData()
    columns = [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("age", sa.Integer, nullable=False),
        sa.Column("email", sa.String(100), unique=True),
    ]
    if versioned:
        columns.append(sa.Column("version", sa.Integer, nullable=False))
    return sa.Table(f"cs_{uuid.uuid4().hex[:12]}", metadata, *columns)


def guarded_table(versioned: bool = True, **owner: Any) -> sa.Table:
    """A table with a unique name for :class:`camshaft.testing.contracts.GuardedModel`:
    id, name, age, owner (read-only in the model) and secret (outside it); ``owner``
    takes Column keyword arguments (``nullable=False``, ``server_default=...``)."""
    columns = [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50)),
        sa.Column("age", sa.Integer),
        sa.Column("owner", sa.String(50), **owner),
        sa.Column("secret", sa.String(100)),
    ]
    if versioned:
        columns.append(sa.Column("version", sa.Integer, nullable=False))
    return sa.Table(f"cs_{uuid.uuid4().hex[:12]}", sa.MetaData(), *columns)


@pytest.fixture
def dropped() -> Iterator[list[tuple[str, sa.Table]]]:
    """Register (url, table) pairs to drop after the test."""
    tables: list[tuple[str, sa.Table]] = []
    yield tables
    for url, table in tables:
        if url.startswith("sqlite"):
            continue  # the file lies in tmp_path
        engine = sa.create_engine(url)
        try:
            table.drop(engine, checkfirst=True)
        finally:
            engine.dispose()


@pytest.fixture
def disposing() -> Iterator[list[sa.Engine]]:
    """Register engines (or apps, whose stores' engines count) to dispose after the test."""
    engines: list[sa.Engine] = []
    yield engines
    for engine in engines:
        engine.dispose()


def engines_of(app) -> list[sa.Engine]:
    """The engines of an app's SQLAlchemy stores."""
    return list(
        {id(s.engine): s.engine for s in app.stores.values() if hasattr(s, "engine")}.values()
    )


def people_handler(table: sa.Table | None, **attrs: Any) -> type:
    """A handler serving ``table`` at ``/people/`` from the sqlalchemy store."""
    base = {
        "resource_name": "people",
        "store": "sqlalchemy",
        "source": table,
        "filters": ("age", "name"),
        "ordering": ("age", "name"),
    }
    base.update(attrs)
    return type("PeopleHandler", (Handler,), base)


@pytest.fixture
def app_for(db_url, dropped, disposing):
    """``app_for(table=None, options=None, settings=None, **handler_attrs)``: an app over
    a fresh table on each backend; ``options`` go into the ``[sqlalchemy]`` section."""

    def build(table=None, options=None, settings=None, **attrs):
        table = people_table() if table is None else table
        dropped.append((db_url, table))
        merged = {**(settings or {}), "sqlalchemy": {"url": db_url, **(options or {})}}
        app = make_app([people_handler(table, **attrs)], plugins=["sqlalchemy"], settings=merged)
        disposing.extend(engines_of(app))
        return app

    return build
