"""Statements run on the driver's cursor (camshaft_sqlalchemy.driver): same answers as
through SQLAlchemy, a page and its total in one statement, the SQLAlchemy path kept where
types need converting or executions are watched, and per-object authorization on the
store's default CRUD."""

from __future__ import annotations

import datetime
import uuid

import pytest
import sqlalchemy as sa

from camshaft._kernel.stores.base import Filter, Query
from camshaft.errors import NotFound, PreconditionFailed
from camshaft.testing import make_client


def _exercise(store) -> list:
    """Every store method once; what each returned (versions included)."""
    out: list = []
    for i in range(5):
        out.append(store.create({"name": f"n{i}", "age": i}))
    out.append(store.get("3"))
    out.append(store.get("99"))
    query = Query((Filter("age", "gte", 1),), (("age", True),), 1, 2)
    out.append(list(store.list(query)))
    out.append(store.rows(query))
    out.append(store.page(query))
    out.append(store.page(Query(offset=50, limit=5)))
    out.append(store.count(query))
    first = out[0]
    out.append(store.patch(first.key, {"age": 10}, expected_version=first.version))
    with pytest.raises(PreconditionFailed):
        store.patch(first.key, {"age": 11}, expected_version=first.version)
    with pytest.raises(NotFound):
        store.patch("77", {"age": 11})
    out.append(store.replace("2", {"name": "r", "age": 20}))
    store.delete("4")
    with pytest.raises(NotFound):
        store.delete("4")
    out.append([r.data for r in store.list(Query())])
    return out


def test_driver_and_sqlalchemy_paths_answer_alike(app_for) -> None:
    direct = next(iter(app_for().stores.values()))
    through = next(iter(app_for(options={"driver_sql": False}).stores.values()))
    assert direct.statements.prepared["get"].driver is not None
    assert through.statements.prepared["get"].driver is None
    assert _exercise(direct) == _exercise(through)


def test_a_page_and_its_total_are_one_statement(app_for) -> None:
    app = app_for()
    client = make_client(app)
    for i in range(7):
        assert client.post("/people/", json={"name": "p", "age": i}).status_code == 201
    store = next(iter(app.stores.values()))
    assert store.page(Query(offset=2, limit=3)) == (
        [{"id": i, "name": "p", "age": i - 1, "email": None} for i in (3, 4, 5)],
        7,
    )
    assert store.page(Query(offset=7, limit=3)) == ([], None)  # no row to carry it
    if store.engine.dialect.name == "sqlite":
        seen: list[str] = []
        sa.event.listen(
            store.engine, "connect", lambda conn, _: conn.set_trace_callback(seen.append)
        )
        store.engine.dispose()
        page = client.get("/people/?page=2&per_page=3")
        assert [row["age"] for row in page.json] == [3, 4, 5]
        assert page.headers["X-Total-Count"] == "7"
        assert [s for s in seen if s.lstrip().upper().startswith("SELECT")] == [seen[-1]]
    past = client.get("/people/?page=9&per_page=3")
    assert past.json == [] and past.headers["X-Total-Count"] == "7"


def test_filtered_pages_count_only_matching_rows(app_for) -> None:
    client = make_client(app_for())
    for i in range(6):
        client.post("/people/", json={"name": "ann" if i % 2 else "bob", "age": i})
    page = client.get("/people/?name=ann&per_page=2&order=-age")
    assert [r["age"] for r in page.json] == [5, 3]
    assert page.headers["X-Total-Count"] == "3"
    expanding = client.get("/people/?age__in=1,2,4&per_page=2")  # SQLAlchemy path
    assert [r["age"] for r in expanding.json] == [1, 2]
    assert expanding.headers["X-Total-Count"] == "3"


def test_watched_engines_and_converted_types_keep_sqlalchemy(app_for, db_url) -> None:
    echoed = next(iter(app_for(options={"echo": True}).stores.values()))
    assert echoed.statements.prepared["get"].driver is None
    table = sa.Table(
        f"cs_{uuid.uuid4().hex[:12]}",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    app = app_for(table)
    store = next(iter(app.stores.values()))
    when = datetime.datetime(2024, 5, 1, 12, 30)
    created = store.create({"at": when})
    assert store.get(created.key).data["at"] == when
    if db_url.startswith("sqlite"):  # DATETIME is text there: SQLAlchemy converts it
        assert store.statements.prepared["get"].driver is None


def _not_locked(request, identity, obj) -> bool:
    return obj is None or obj.get("name") != "locked"


def test_object_permissions_on_the_sql_store(app_for) -> None:
    client = make_client(app_for(permissions=[_not_locked]))
    assert client.post("/people/", json={"name": "locked", "age": 1}).status_code == 201
    assert client.post("/people/", json={"name": "open", "age": 2}).status_code == 201
    assert client.delete("/people/1").status_code == 403
    assert client.patch("/people/1", json={"age": 5}).status_code == 403
    assert client.get("/people/1").status_code == 403
    assert client.patch("/people/2", json={"age": 5}).status_code == 200
    assert client.delete("/people/2").status_code == 204
    rows = client.get("/people/").json
    assert [(r["name"], r["age"]) for r in rows] == [("locked", 1)]


def test_a_sqlite_file_it_creates_is_private(tmp_path) -> None:
    import os
    import stat

    from camshaft_sqlalchemy import create_engine

    path = tmp_path / "private.db"
    engine = create_engine(f"sqlite:///{path}", {})
    with engine.connect() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    engine.dispose()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
