"""The SQLAlchemy store behind an app: settings, mapped classes, derived models, HTTP
errors (409, 404, 400, 503), filters and conditional requests."""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from camshaft._kernel.handler import Handler
from camshaft.errors import ConfigurationError
from camshaft.testing import make_app, make_client
from camshaft_sqlalchemy import model_for

from .conftest import engines_of, people_handler, people_table


def _data(response) -> dict:
    """The item without the ``url`` link shaping adds."""
    return {k: v for k, v in response.json.items() if k != "url"}


def test_crud_round_trip_with_etags(app_for) -> None:
    client = make_client(app_for())
    created = client.post("/people/", json={"name": "bob", "age": 3})
    assert created.status_code == 201, created.json
    assert _data(created) == {"id": 1, "name": "bob", "age": 3, "email": None}
    assert created.headers["Location"].endswith("/people/1")
    etag = created.headers["ETag"]
    assert client.get("/people/1", headers={"If-None-Match": etag}).status_code == 304
    patched = client.patch("/people/1", json={"age": 4}, headers={"If-Match": etag})
    assert patched.status_code == 200 and patched.headers["ETag"] != etag
    stale = client.put("/people/1", json={"name": "x", "age": 1}, headers={"If-Match": etag})
    assert stale.status_code == 412
    assert client.delete("/people/1", headers={"If-Match": etag}).status_code == 412
    assert client.delete("/people/1").status_code == 204
    assert client.get("/people/1").status_code == 404
    assert client.patch("/people/1", json={"age": 1}).status_code == 404


def test_if_match_star_on_a_missing_row_is_412(app_for) -> None:
    client = make_client(app_for())
    put = client.put("/people/9", json={"name": "x", "age": 1}, headers={"If-Match": "*"})
    assert put.status_code == 412
    assert client.get("/people/9").status_code == 404
    etag = client.post("/people/", json={"name": "bob", "age": 3}).headers["ETag"]
    listed = client.put(
        "/people/1", json={"name": "b", "age": 3}, headers={"If-Match": f'"0", {etag}'}
    )
    assert listed.status_code == 200
    same = {"If-None-Match": listed.headers["ETag"]}
    assert client.patch("/people/1", json={"age": 5}, headers=same).status_code == 412


def test_unique_violation_is_409_and_writes_nothing(app_for) -> None:
    client = make_client(app_for())
    assert client.post("/people/", json={"name": "a", "age": 1, "email": "a@x"}).status_code == 201
    clash = client.post("/people/", json={"name": "b", "age": 2, "email": "a@x"})
    assert clash.status_code == 409
    assert "INSERT" not in clash.get_data(as_text=True).upper()
    assert client.get("/people/").headers["X-Total-Count"] == "1"


def test_derived_model_refuses_bad_input(app_for) -> None:
    client = make_client(app_for())
    bad = client.post("/people/", json={"name": "x" * 51, "age": "old", "id": 5, "is_admin": 1})
    assert bad.status_code == 400
    assert {e["pointer"] for e in bad.json["errors"]} == {"/name", "/age", "/id", "/is_admin"}
    assert client.post("/people/", json={"name": "x"}).status_code == 400
    assert client.get("/people/").json == []


def test_keys_that_cannot_exist_are_404(app_for) -> None:
    client = make_client(app_for())
    assert client.get("/people/abc").status_code == 404
    assert client.delete("/people/abc").status_code == 404


def test_filters_and_ordering(app_for) -> None:
    client = make_client(app_for())
    for i in range(6):
        client.post("/people/", json={"name": "ann" if i % 2 else "bob_%", "age": i})
    ages = lambda q: [r["age"] for r in client.get(f"/people/?{q}").json]  # noqa: E731
    assert ages("age__gte=3&order=-age") == [5, 4, 3]
    assert ages("age__in=1,2&name=ann") == [1]
    assert ages("name__contains=_%25") == [0, 2, 4]  # LIKE wildcards are matched literally
    assert ages("age__ne=0&age__lt=3") == [1, 2]
    assert client.get("/people/?age=x").status_code == 400
    assert client.get("/people/?email=a").status_code == 400
    assert client.get("/people/?order=email").status_code == 400


def test_mapped_class_with_its_model(db_url, dropped, disposing) -> None:
    class Base(DeclarativeBase):
        pass

    class Note(Base):
        __tablename__ = f"cs_notes_{uuid.uuid4().hex[:10]}"
        id: Mapped[int] = mapped_column(primary_key=True)
        text: Mapped[str] = mapped_column(sa.String(20))
        revision: Mapped[int] = mapped_column()
        __mapper_args__ = {"version_id_col": revision}

    dropped.append((db_url, Note.__table__))
    handler = type(
        "NoteHandler",
        (Handler,),
        {"store": "sqlalchemy", "source": Note, "model": model_for(Note)},
    )
    app = make_app([handler], plugins=["sqlalchemy"], settings={"sqlalchemy": {"url": db_url}})
    disposing.extend(engines_of(app))
    client = make_client(app)
    created = client.post("/notes/", json={"text": "hi"})
    assert created.status_code == 201 and _data(created) == {"id": 1, "text": "hi"}
    assert created.headers["ETag"].startswith('"1~')  # version 1, then the representation
    assert client.post("/notes/", json={"text": "hi", "revision": 9}).status_code == 400


def test_url_from_the_environment(tmp_path, dropped, disposing) -> None:
    url = f"sqlite:///{tmp_path / 'sub' / 'env.db'}"
    table = people_table()
    app = make_app(
        [people_handler(table)],
        plugins=["sqlalchemy"],
        settings={"sqlalchemy": {"url": {"$env": "MY_DB"}}},
        environ={"MY_DB": url},
    )
    disposing.extend(engines_of(app))
    assert make_client(app).post("/people/", json={"name": "a", "age": 1}).status_code == 201
    assert (tmp_path / "sub" / "env.db").is_file()


def test_bad_source_is_a_configuration_error(tmp_path) -> None:
    with pytest.raises(ConfigurationError, match="source"):
        make_app(
            [people_handler(None)],
            plugins=["sqlalchemy"],
            settings={"sqlalchemy": {"url": f"sqlite:///{tmp_path / 'x.db'}"}},
        )


def test_unreachable_database_is_503_with_retry_after(disposing) -> None:
    app = make_app(
        [people_handler(people_table(), store_options={"create_tables": False})],
        plugins=["sqlalchemy"],
        settings={
            "sqlalchemy": {"url": "postgresql+psycopg://nobody@127.0.0.1:1/none", "retry_after": 7}
        },
    )
    disposing.extend(engines_of(app))
    client = make_client(app)
    for response in (
        client.get("/people/"),
        client.get("/people/1"),
        client.post("/people/", json={"name": "a", "age": 1}),
    ):
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "7"
        assert response.mimetype == "application/problem+json"


@pytest.mark.postgres
def test_lost_connections_are_replaced(dropped, disposing) -> None:
    from .conftest import server_url

    url = server_url("postgres")
    table = people_table()
    dropped.append((url, table))
    app = make_app(
        [people_handler(table)], plugins=["sqlalchemy"], settings={"sqlalchemy": {"url": url}}
    )
    disposing.extend(engines_of(app))
    client = make_client(app)
    assert client.post("/people/", json={"name": "a", "age": 1}).status_code == 201
    killer = sa.create_engine(url)
    disposing.append(killer)
    with killer.begin() as conn:
        conn.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE pid <> pg_backend_pid() AND datname = current_database() "
                "AND application_name = ''"
            )
        )
    # The pool pings before use: the dead connection is replaced, the request succeeds.
    assert client.get("/people/1").status_code == 200


def test_engine_pool_is_dropped_in_a_forked_child(tmp_path, disposing) -> None:
    from camshaft_sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{tmp_path / 'fork.db'}", {})
    disposing.append(engine)
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
    parent_pool = engine.pool
    pid = os.fork()
    if pid == 0:  # the child: a fresh pool, and it works
        ok = engine.pool is not parent_pool
        with engine.connect() as conn:
            ok = ok and conn.execute(sa.text("SELECT 1")).scalar() == 1
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert engine.pool is parent_pool
