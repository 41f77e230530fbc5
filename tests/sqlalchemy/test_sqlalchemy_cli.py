"""``camshaft db create MODULE:APP`` creates every store's tables, so workers can start
with ``create_tables = false`` (SQLite, PostgreSQL, MariaDB)."""

from __future__ import annotations

import sys
import textwrap
import uuid

import pytest
import sqlalchemy as sa

from camshaft.cli import main

from .conftest import engines_of

APP = """
import sqlalchemy as sa
from camshaft import App, Handler

table = sa.Table(
    {table!r}, sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(50), nullable=False),
)

class ThingHandler(Handler):
    store = "sqlalchemy"
    source = table

app = App([ThingHandler], settings={{"sqlalchemy": {{"url": {url!r}, "create_tables": False}}}})
"""


@pytest.fixture
def app_module(db_url, tmp_path, monkeypatch, dropped):
    """A module ``dbapp`` with an app whose table does not exist yet; its table name."""
    name = f"cs_{uuid.uuid4().hex[:12]}"
    module = f"dbapp_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{module}.py").write_text(textwrap.dedent(APP.format(table=name, url=db_url)))
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    dropped.append((db_url, sa.Table(name, sa.MetaData())))
    yield module, name
    loaded = sys.modules.pop(module, None)
    if loaded is not None:
        for engine in engines_of(loaded.app):
            engine.dispose()


def _has_table(url: str, name: str) -> bool:
    engine = sa.create_engine(url)
    try:
        return sa.inspect(engine).has_table(name)
    finally:
        engine.dispose()


def test_db_create_creates_the_tables_the_app_did_not(app_module, db_url, capsys) -> None:
    module, table = app_module
    assert main(["db", "create", f"{module}:app"]) == 0
    assert _has_table(db_url, table)
    assert "ThingHandler" in capsys.readouterr().out
    # Twice is harmless: the tables exist.
    assert main(["db", "create", f"{module}:app"]) == 0


def test_building_the_app_with_create_tables_off_creates_nothing(app_module, db_url) -> None:
    module, table = app_module
    __import__(module)
    assert not _has_table(db_url, table)


def test_db_create_reports_an_unreachable_database(tmp_path, monkeypatch, capsys) -> None:
    url = "postgresql+psycopg://postgres@127.0.0.1:1/none"
    source = textwrap.dedent(APP.format(table="t", url=url)).replace(
        '"create_tables": False', '"create_tables": False, "pool_timeout": 1'
    )
    (tmp_path / "downapp.py").write_text(source)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        assert main(["db", "create", "downapp:app"]) == 1
    finally:
        loaded = sys.modules.pop("downapp", None)
        if loaded is not None:
            for engine in engines_of(loaded.app):
                engine.dispose()
    assert "unavailable" in capsys.readouterr().err
