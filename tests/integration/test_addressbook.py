"""The address book example (Python REST API Framework's quickstart) on SQLite, and on
PostgreSQL and MariaDB when their URLs are set."""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa

from camshaft.testing import make_client
from examples.addressbook.app import address_table, make_app

SERVERS = {"postgres": "CAMSHAFT_TEST_POSTGRES_URL", "mariadb": "CAMSHAFT_TEST_MARIADB_URL"}


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ]
)
def client(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'var' / 'addressbook.db'}"
    else:
        url = os.environ.get(SERVERS[request.param])
        if not url:
            pytest.skip(f"{SERVERS[request.param]} is not set")
    table = address_table(f"cs_addresses_{uuid.uuid4().hex[:10]}")
    app = make_app(url, table=table, environ={})
    yield make_client(app)
    engine = next(iter(app.stores.values())).engine
    table.drop(engine, checkfirst=True)
    engine.dispose()


def _data(response) -> dict:
    return {k: v for k, v in response.json.items() if k != "url"}


def test_seeded_and_paginated_20_a_page(client) -> None:
    first = client.get("/addresses/")
    assert [row["id"] for row in first.json] == list(range(20))
    page = client.get("/addresses/?page=2")
    assert page.status_code == 200
    assert [row["id"] for row in page.json] == list(range(20, 40))
    assert page.json[0]["name"] == "bob" and page.json[0]["age"] == 20
    assert page.headers["X-Total-Count"] == "100"
    assert 'rel="next"' in page.headers["Link"] and 'rel="prev"' in page.headers["Link"]
    last = client.get("/addresses/?page=5")
    assert [row["id"] for row in last.json] == list(range(80, 100))
    past = client.get("/addresses/?page=9")
    assert past.json == [] and past.headers["X-Total-Count"] == "100"


def test_id_zero_is_stored_as_zero(client) -> None:
    """MariaDB would store an explicit 0 as the next auto-increment value without
    NO_AUTO_VALUE_ON_ZERO (set on every connection by the store's engine)."""
    assert _data(client.get("/addresses/0")) == {"id": 0, "name": "bob", "age": 0}
    assert client.delete("/addresses/0").status_code == 204
    recreated = client.put(
        "/addresses/0", json={"name": "zoe", "age": 0}, headers={"If-None-Match": "*"}
    )
    assert recreated.status_code == 201 and _data(recreated)["id"] == 0
    assert _data(client.get("/addresses/0")) == {"id": 0, "name": "zoe", "age": 0}
    assert client.get("/addresses/100").status_code == 404


def test_post_requires_name_and_age(client) -> None:
    created = client.post("/addresses/", json={"name": "alice", "age": 30})
    assert created.status_code == 201
    assert _data(created) == {"id": 100, "name": "alice", "age": 30}
    assert created.headers["Location"].endswith("/addresses/100")
    missing = client.post("/addresses/", json={"name": "alice"})
    assert missing.status_code == 400 and missing.json["errors"][0]["pointer"] == "/age"
    typed = client.post("/addresses/", json={"name": 5, "age": "x"})
    assert {e["pointer"] for e in typed.json["errors"]} == {"/name", "/age"}


def test_item_get_put_patch_delete(client) -> None:
    got = client.get("/addresses/7")
    assert _data(got) == {"id": 7, "name": "bob", "age": 7}
    etag = got.headers["ETag"]
    put = client.put("/addresses/7", json={"name": "carl", "age": 8}, headers={"If-Match": etag})
    assert put.status_code == 200 and _data(put) == {"id": 7, "name": "carl", "age": 8}
    patched = client.patch("/addresses/7", json={"age": 9})
    assert _data(patched)["age"] == 9 and _data(patched)["name"] == "carl"
    assert (
        client.patch("/addresses/7", json={"age": 1}, headers={"If-Match": etag}).status_code == 412
    )
    assert client.delete("/addresses/7").status_code == 204
    assert client.get("/addresses/7").status_code == 404


def test_filters(client) -> None:
    rows = client.get("/addresses/?age__gte=98&order=-age").json
    assert [row["age"] for row in rows] == [99, 98]


def test_seeding_twice_adds_nothing(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'ab.db'}"
    table = address_table("addresses")
    for _ in range(2):
        app = make_app(url, table=address_table("addresses"), environ={})
        next(iter(app.stores.values())).engine.dispose()
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() == 100
    engine.dispose()
