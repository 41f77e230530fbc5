"""Default CRUD over the memory store: filters, ordering, validation, preconditions."""

from __future__ import annotations

import pytest

from camshaft._kernel.handler import Handler
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
    weak = client.put("/addresses/3", json={"name": "a", "age": 1}, headers={"If-Match": 'W/"x"'})
    assert weak.status_code == 412
    unquoted = client.put("/addresses/3", json={"name": "a", "age": 1}, headers={"If-Match": "x"})
    assert unquoted.status_code == 400
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


# --------------------------------------------------------------------------- per object


def _not_locked(request, identity, obj) -> bool:
    """An object rule: records named "locked" may be read but not written."""
    return obj is None or request.method == "GET" or obj.get("name") != "locked"


def _not_secret(request, identity, obj) -> bool:
    return obj is None or obj.get("name") != "secret"


def _guarded(**attrs):
    source = [
        {"id": 0, "name": "open", "age": 1},
        {"id": 1, "name": "locked", "age": 2},
        {"id": 2, "name": "secret", "age": 3},
    ]
    return _handler(source=source, permissions=[_not_locked, _not_secret], **attrs)


@pytest.mark.parametrize(
    ("method", "body"),
    [("put", {"name": "x", "age": 5}), ("patch", {"age": 5}), ("delete", None)],
    ids=["PUT", "PATCH", "DELETE"],
)
def test_writes_check_the_stored_object(method, body) -> None:
    client = make_client(make_app([_guarded()]))
    call = getattr(client, method)
    refused = call("/addresses/1", json=body) if body else call("/addresses/1")
    assert refused.status_code == 403
    assert _data(client.get("/addresses/1")) == {"id": 1, "name": "locked", "age": 2}
    allowed = call("/addresses/0", json=body) if body else call("/addresses/0")
    assert allowed.status_code in (200, 204)
    assert (call("/addresses/9", json=body) if body else call("/addresses/9")).status_code == 404


def test_reads_check_the_object_and_can_hide_it() -> None:
    client = make_client(make_app([_guarded()]))
    assert client.get("/addresses/2").status_code == 403
    assert client.get("/addresses/1").status_code == 200
    hidden = make_client(make_app([_guarded()], settings={"auth": {"hide_forbidden": True}}))
    assert hidden.get("/addresses/2").status_code == 404
    assert hidden.delete("/addresses/2").status_code == 404


def test_a_change_after_the_check_is_checked_again() -> None:
    """The write expects the version that was authorized: when another writer locks the
    record between the check and the write, the new version is checked (and refused)."""
    cls = _guarded()
    app = make_app([cls])
    store = app.stores[cls]
    checked: list[str] = []

    def racing(request, identity, obj) -> bool:
        if obj is not None and obj.get("name") == "open" and not checked:
            checked.append("open")
            store.patch("0", {"name": "locked"})  # the concurrent writer
        return True

    cls.permissions = [racing, _not_locked]
    client = make_client(app)
    assert client.patch("/addresses/0", json={"age": 50}).status_code == 403
    assert checked == ["open"]
    assert _data(client.get("/addresses/0")) == {"id": 0, "name": "locked", "age": 1}


def test_if_match_is_kept_when_objects_are_checked() -> None:
    client = make_client(make_app([_guarded()]))
    etag = client.get("/addresses/0").headers["ETag"]
    assert (
        client.patch("/addresses/0", json={"age": 7}, headers={"If-Match": etag}).status_code == 200
    )
    stale = client.patch("/addresses/0", json={"age": 8}, headers={"If-Match": etag})
    assert stale.status_code == 412


def test_without_object_checks_a_write_reads_nothing() -> None:
    cls = _handler()
    app = make_app([cls])
    reads: list[str] = []

    class Counting:
        def __init__(self, store) -> None:
            self.store = store

        def __getattr__(self, name):
            return getattr(self.store, name)

        def get(self, key):
            reads.append(key)
            return self.store.get(key)

    app.stores[cls] = Counting(app.stores[cls])
    client = make_client(app)
    assert client.patch("/addresses/3", json={"age": 30}).status_code == 200
    assert client.delete("/addresses/4").status_code == 204
    assert reads == []
    assert client.get("/addresses/3").status_code == 200
    assert reads == ["3"]
