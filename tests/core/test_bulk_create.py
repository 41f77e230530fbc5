"""Bulk create over HTTP on the memory store: a JSON array POSTed to a collection."""

from __future__ import annotations

import pytest

from camshaft import Handler
from camshaft.models import IntegerField, Model, StringField
from camshaft.testing import make_app, make_client


class Person(Model):
    fields = [IntegerField("id", read_only=True), StringField("name", required=True, max_length=10)]


class PersonHandler(Handler):
    store = "memory"
    model = Person


def _client(**settings):
    return make_client(make_app([PersonHandler], settings=settings))


def _count(client) -> int:
    return len(client.get("/persons/").json)


def test_a_list_creates_every_item():
    client = _client()
    response = client.post("/persons/", json=[{"name": "ann"}, {"name": "bob"}])
    assert response.status_code == 201, response.json
    assert [p["name"] for p in response.json] == ["ann", "bob"]
    assert all(p["id"] is not None for p in response.json)
    assert "Location" not in response.headers
    assert _count(client) == 2


def test_one_invalid_item_stores_nothing_and_points_at_it():
    client = _client()
    items = [{"name": "ann"}, {"name": "bob"}, {"name": "carl"}, {"name": "x" * 11}, {}]
    response = client.post("/persons/", json=items)
    assert response.status_code == 400
    pointers = [e["pointer"] for e in response.json["errors"]]
    assert pointers == ["/3/name", "/4/name"]
    assert _count(client) == 0


def test_an_item_that_is_not_an_object_is_pointed_at():
    response = _client().post("/persons/", json=[{"name": "ann"}, 7])
    assert response.status_code == 400
    assert [e["pointer"] for e in response.json["errors"]] == ["/1"]


def test_more_items_than_the_limit_is_413_naming_the_setting():
    client = _client(bulk={"max_items": 2})
    response = client.post("/persons/", json=[{"name": "a"}] * 3)
    assert response.status_code == 413
    assert "bulk.max_items" in response.json["detail"]
    assert _count(client) == 0


def test_bulk_off_is_400():
    response = _client(bulk={"max_items": 0}).post("/persons/", json=[{"name": "a"}])
    assert response.status_code == 400


def test_a_key_collision_stores_nothing():
    class KeyedHandler(Handler):
        store = "memory"
        resource_name = "keyed"
        source = [{"id": 5, "name": "old"}]

    client = make_client(make_app([KeyedHandler]))
    response = client.post("/keyed/", json=[{"id": 6, "name": "a"}, {"id": 5, "name": "b"}])
    assert response.status_code == 409
    assert [r["id"] for r in client.get("/keyed/").json] == [5]


def test_bulk_under_a_parent_sets_the_parent_field():
    class AuthorHandler(Handler):
        store = "memory"
        source = [{"id": 1}]

    class PostHandler(Handler):
        store = "memory"
        parent = AuthorHandler
        parent_field = "author_id"

    client = make_client(make_app([AuthorHandler, PostHandler]))
    response = client.post("/authors/1/posts/", json=[{"t": 1}, {"t": 2}])
    assert response.status_code == 201
    assert [p["author_id"] for p in response.json] == [1, 1]
    wrong = client.post("/authors/1/posts/", json=[{"t": 3}, {"t": 4, "author_id": 2}])
    assert wrong.status_code == 400
    assert [e["pointer"] for e in wrong.json["errors"]] == ["/1"]
    assert len(client.get("/authors/1/posts/").json) == 2


@pytest.mark.parametrize("body", [[], [[]]])
def test_empty_or_nested_lists_are_400(body):
    assert _client().post("/persons/", json=body).status_code == 400


def test_a_bulk_create_answers_every_item_not_a_page() -> None:
    from camshaft import App, Handler
    from camshaft.testing import make_client

    class Paged(Handler):
        store = "memory"
        resource_name = "paged"

    client = make_client(App([Paged], settings={"pagination": {"per_page": 5}}))
    response = client.post("/paged/", json=[{"n": i} for i in range(12)])
    assert response.status_code == 201
    assert [item["n"] for item in response.json] == list(range(12))
    assert "Link" not in response.headers
