"""Default CRUD over the memory store: filters, ordering, validation, preconditions."""

from __future__ import annotations

import pytest

from camshaft.handler import Handler
from camshaft.models import IntegerField, Model, StringField
from camshaft.testing import make_app, make_client


class Address(Model):
    fields = [
        IntegerField("id", read_only=True),
        StringField("name", required=True, max_length=20),
        IntegerField("age", required=True, minimum=0),
    ]


def _data(response) -> dict:
    """The item without the ``url`` link shaping adds."""
    return {k: v for k, v in response.json.items() if k != "url"}


def _handler(**attrs):
    base = {
        "resource_name": "addresses",
        "store": "memory",
        "model": Address,
        "source": [{"id": a, "name": "bob" if a % 2 else "alice", "age": a} for a in range(10)],
        "filters": ("age", "name"),
        "ordering": ("age", "name"),
    }
    base.update(attrs)
    return type("AddressHandler", (Handler,), base)


@pytest.fixture
def client():
    return make_client(make_app([_handler()]))


def _ages(response) -> list[int]:
    assert response.status_code == 200, response.json
    return [row["age"] for row in response.json]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("age=3", [3]),
        ("age__gte=7", [7, 8, 9]),
        ("age__gt=7", [8, 9]),
        ("age__lt=2", [0, 1]),
        ("age__lte=1", [0, 1]),
        ("age__ne=0&age__lt=3", [1, 2]),
        ("age__in=1,4,6", [1, 4, 6]),
        ("name=alice&age__lt=5", [0, 2, 4]),
        ("name__contains=li&age__gt=6", [8]),
        ("name__isnull=true", []),
    ],
    ids=lambda v: v,
)
def test_filters(client, query, expected) -> None:
    assert _ages(client.get(f"/addresses/?{query}&order=age")) == expected


def test_ordering_descending_and_by_two_fields(client) -> None:
    assert _ages(client.get("/addresses/?order=-age&per_page=3")) == [9, 8, 7]
    rows = client.get("/addresses/?order=name,-age&per_page=2").json
    assert [(r["name"], r["age"]) for r in rows] == [("alice", 8), ("alice", 6)]


@pytest.mark.parametrize(
    "query",
    ["id=3", "id__gte=1", "age__regex=.*", "order=id", "order=-secret", "age=old", "age__in=1,x"],
    ids=lambda v: v,
)
def test_bad_filters_and_orders_are_400_without_sql(client, query) -> None:
    response = client.get(f"/addresses/?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert "SELECT" not in response.get_data(as_text=True).upper()


def test_unrelated_parameters_are_left_alone(client) -> None:
    assert len(client.get("/addresses/?utm_source=x").json) == 10


def test_filters_count_into_pagination(client) -> None:
    response = client.get("/addresses/?age__gte=2&per_page=3&page=2&order=age")
    assert _ages(response) == [5, 6, 7]
    assert response.headers["X-Total-Count"] == "8"
    assert 'rel="next"' in response.headers["Link"]


def test_create_validates_and_refuses_mass_assignment(client) -> None:
    created = client.post("/addresses/", json={"name": "carol", "age": 30})
    assert created.status_code == 201
    assert created.headers["Location"].endswith(f"/addresses/{created.json['id']}")
    assert created.headers["ETag"].startswith('"')
    bad = client.post("/addresses/", json={"name": "carol", "age": 30, "id": 99, "admin": 1})
    assert bad.status_code == 400
    assert {e["pointer"] for e in bad.json["errors"]} == {"/id", "/admin"}
    missing = client.post("/addresses/", json={"name": "x"})
    assert missing.status_code == 400 and missing.json["errors"][0]["pointer"] == "/age"


def test_replace_accepts_its_own_key_but_not_another(client) -> None:
    ok = client.put("/addresses/3", json={"id": 3, "name": "d", "age": 1})
    assert ok.status_code == 200 and _data(ok) == {"id": 3, "name": "d", "age": 1}
    moved = client.put("/addresses/3", json={"id": 4, "name": "d", "age": 1})
    assert moved.status_code == 400


def test_patch_is_partial_but_typed(client) -> None:
    assert client.patch("/addresses/3", json={"age": 31}).json["age"] == 31
    assert client.patch("/addresses/3", json={"age": "x"}).status_code == 400
    assert client.get("/addresses/3").json["age"] == 31


def test_if_match_and_if_none_match(client) -> None:
    first = client.get("/addresses/3")
    etag = first.headers["ETag"]
    assert client.get("/addresses/3", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/addresses/3", headers={"If-None-Match": '"other"'}).status_code == 200
    changed = client.patch("/addresses/3", json={"age": 4}, headers={"If-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    stale = client.patch("/addresses/3", json={"age": 5}, headers={"If-Match": etag})
    assert stale.status_code == 412
    assert client.delete("/addresses/3", headers={"If-Match": etag}).status_code == 412
    weak = client.put("/addresses/3", json={"name": "a", "age": 1}, headers={"If-Match": "W/x"})
    assert weak.status_code == 412
    assert client.get("/addresses/3").json["age"] == 4


def test_put_with_if_none_match_star_creates_only(client) -> None:
    headers = {"If-None-Match": "*"}
    created = client.put("/addresses/77", json={"name": "n", "age": 7}, headers=headers)
    assert created.status_code == 201 and created.headers["Location"].endswith("/addresses/77")
    again = client.put("/addresses/77", json={"name": "n", "age": 8}, headers=headers)
    assert again.status_code == 412


def test_require_if_match_setting() -> None:
    app = make_app([_handler()], settings={"concurrency": {"require_if_match": True}})
    client = make_client(app)
    for call in (
        lambda h: client.patch("/addresses/1", json={"age": 2}, headers=h),
        lambda h: client.put("/addresses/1", json={"name": "a", "age": 2}, headers=h),
        lambda h: client.delete("/addresses/1", headers=h),
    ):
        assert call({}).status_code == 428
        assert call({"If-Match": "*"}).status_code == 428
    etag = client.get("/addresses/1").headers["ETag"]
    assert (
        client.patch("/addresses/1", json={"age": 2}, headers={"If-Match": etag}).status_code == 200
    )
    created = client.put(
        "/addresses/50", json={"name": "n", "age": 1}, headers={"If-None-Match": "*"}
    )
    assert created.status_code == 201


def test_overriding_one_method_keeps_the_others() -> None:
    def read(self, key=None):
        return {"custom": key}

    client = make_client(make_app([_handler(read=read)]))
    assert client.get("/addresses/1").json == {"custom": "1"}
    assert client.post("/addresses/", json={"name": "x", "age": 1}).status_code == 201
    assert client.delete("/addresses/1").status_code == 204


def test_without_a_model_the_body_is_stored_as_sent() -> None:
    client = make_client(make_app([_handler(model=None)]))
    created = client.post("/addresses/", json={"name": "x", "age": 1, "extra": [1]})
    assert created.status_code == 201 and _data(created)["extra"] == [1]
    assert _ages(client.get("/addresses/?age=1")) == [1, 1]
    assert client.post("/addresses/", json=[1]).status_code == 400
