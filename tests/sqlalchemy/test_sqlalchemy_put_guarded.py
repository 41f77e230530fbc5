"""A default-CRUD PUT replaces what the client may write and nothing else: read-only
columns and columns outside the handler's model keep their values, and a create-by-PUT
leaves them to their server defaults (SQLite, PostgreSQL, MariaDB)."""

from __future__ import annotations

import sqlalchemy as sa

from camshaft.testing import make_client
from camshaft.testing.contracts import GuardedModel

from .conftest import guarded_table


def _client_and_store(app_for, **owner):
    app = app_for(guarded_table(**owner), model=GuardedModel, filters=(), ordering=())
    return make_client(app), next(iter(app.stores.values()))


def test_put_keeps_a_not_null_owner_and_a_hidden_column(app_for) -> None:
    client, store = _client_and_store(app_for, nullable=False)
    record = store.create({"name": "a", "age": 1, "owner": "alice", "secret": "hash"})
    put = client.put(f"/people/{record.key}", json={"name": "b"})
    assert put.status_code == 200, put.json
    kept = store.get(record.key)
    assert kept is not None
    assert (kept.data["name"], kept.data["age"]) == ("b", None)
    assert (kept.data["owner"], kept.data["secret"]) == ("alice", "hash")


def test_put_with_if_match_keeps_them_too(app_for) -> None:
    client, store = _client_and_store(app_for)
    record = store.create({"name": "a", "age": 1, "owner": "alice", "secret": "hash"})
    etag = client.get(f"/people/{record.key}").headers["ETag"]
    put = client.put(f"/people/{record.key}", json={"age": 5}, headers={"If-Match": etag})
    assert put.status_code == 200, put.json
    kept = store.get(record.key)
    assert kept is not None and (kept.data["owner"], kept.data["secret"]) == ("alice", "hash")


def test_create_by_put_gives_server_columns_their_defaults(app_for) -> None:
    client, store = _client_and_store(app_for, nullable=False, server_default=sa.text("'nobody'"))
    put = client.put("/people/42", json={"name": "c"}, headers={"If-None-Match": "*"})
    assert put.status_code == 201, put.json
    created = store.get("42")
    assert created is not None
    assert (created.data["owner"], created.data["secret"]) == ("nobody", None)


def test_put_cannot_write_a_read_only_member(app_for) -> None:
    client, store = _client_and_store(app_for)
    record = store.create({"name": "a", "owner": "alice"})
    put = client.put(f"/people/{record.key}", json={"name": "b", "owner": "mallory"})
    assert put.status_code == 400
    assert [e["pointer"] for e in put.json["errors"]] == ["/owner"]
    kept = store.get(record.key)
    assert kept is not None and kept.data["owner"] == "alice"
