"""Several workers building the app at once on an empty database: every one starts.

Each round makes a fresh database (a SQLite file, a PostgreSQL schema, a MariaDB
database), then 8 processes released together build an app whose store creates its
table, and create camshaft-oauth's tables, as gunicorn workers without ``--preload`` do.
Before table creation took a lock, PostgreSQL's losers failed on
``pg_type_typname_nsp_index`` and gunicorn stopped ("Worker failed to boot").
"""

from __future__ import annotations

import multiprocessing
import time
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from camshaft.testing import make_app
from camshaft_oauth.repository import OAuthRepository, make_engine

from .conftest import engines_of, people_handler

WORKERS = 8
ROUNDS = 3


def _fresh_database(db_url: str, tmp_path) -> Iterator[str]:
    """A URL to an empty database of ``db_url``'s kind; dropped afterwards."""
    name = f"csboot_{uuid.uuid4().hex[:10]}"
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / name}.db"
        return
    admin = sa.create_engine(db_url, isolation_level="AUTOCOMMIT")
    postgres = admin.dialect.name == "postgresql"
    create = f"CREATE SCHEMA {name}" if postgres else f"CREATE DATABASE {name}"
    drop = f"DROP SCHEMA {name} CASCADE" if postgres else f"DROP DATABASE {name}"
    url = sa.make_url(db_url)
    if postgres:
        fresh = url.update_query_dict({"options": f"-csearch_path={name}"})
    else:
        fresh = url.set(database=name)
    with admin.connect() as conn:
        conn.execute(sa.text(create))
    try:
        yield fresh.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(drop))
        admin.dispose()


def _boot(url: str, table_name: str, start, results) -> None:
    """One worker: build the app (its store creates the table), then the OAuth tables."""
    try:
        start.wait(timeout=60)
        table = sa.Table(
            table_name,
            sa.MetaData(),
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.String(50), nullable=False),
            sa.Column("version", sa.Integer, nullable=False),
        )
        app = make_app(
            [people_handler(table, filters=(), ordering=())],
            plugins=["sqlalchemy"],
            settings={"sqlalchemy": {"url": url}},
        )
        repository = OAuthRepository(make_engine(url), time.time)
        repository.create_tables()
        assert repository.get_client("nobody") is None
        for engine in [*engines_of(app), repository.engine]:
            engine.dispose()
        results.put("started")
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which fails
        results.put(f"failed: {type(exc).__name__}: {exc}"[:500])


@pytest.mark.parametrize("round_", range(ROUNDS), ids=lambda r: f"round {r + 1}")
def test_eight_workers_start_together_on_an_empty_database(db_url, tmp_path, round_) -> None:
    context = multiprocessing.get_context("fork")
    for url in _fresh_database(db_url, tmp_path):
        start, results = context.Barrier(WORKERS), context.Queue()
        table_name = f"cs_{uuid.uuid4().hex[:12]}"
        workers = [
            context.Process(target=_boot, args=(url, table_name, start, results))
            for _ in range(WORKERS)
        ]
        for worker in workers:
            worker.start()
        outcomes = [results.get(timeout=120) for _ in workers]
        for worker in workers:
            worker.join(timeout=30)
        failures = [o for o in outcomes if o != "started"]
        print(
            f"{db_url.split(':')[0]} round {round_ + 1}: "
            f"{WORKERS - len(failures)} started, {len(failures)} failed"
        )
        assert failures == []
        engine = sa.create_engine(url)
        try:
            inspector = sa.inspect(engine)
            assert inspector.has_table(table_name)
            assert inspector.has_table("camshaft_oauth2_tokens")
        finally:
            engine.dispose()
