"""msgspec Structs over HTTP: validation, pointers, patch, filters, OpenAPI."""

from __future__ import annotations

import datetime
from typing import Annotated

import msgspec
import pytest

from camshaft import Handler
from camshaft.errors import ConfigurationError
from camshaft.testing import make_app, make_client


class Address(msgspec.Struct):
    city: Annotated[str, msgspec.Meta(max_length=20)]


class Person(msgspec.Struct):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=10)]
    age: Annotated[int, msgspec.Meta(ge=0, le=150)]
    id: Annotated[int | None, msgspec.Meta(extra_json_schema={"readOnly": True})] = None
    tags: Annotated[list[str], msgspec.Meta(max_length=3)] = []
    address: Address | None = None
    seen: datetime.datetime | None = None


class People(Handler):
    resource_name = "people"
    links = False
    store = "memory"
    model = Person
    filters = ("age",)


@pytest.fixture
def client():
    return make_client(make_app([People], plugins=["msgspec"]))


def test_create_validates_and_converts(client):
    response = client.post(
        "/people/",
        json={
            "name": "Ann",
            "age": "41",
            "address": {"city": "Oslo"},
            "seen": "2024-05-01T12:00:00Z",
        },
    )
    assert response.status_code == 201, response.json
    assert response.json["age"] == 41
    assert response.json["address"] == {"city": "Oslo"}
    assert response.json["seen"].startswith("2024-05-01T12:00:00")
    assert isinstance(response.json["id"], int)


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"name": "x" * 11, "age": 1}, "/name"),
        ({"name": "a", "age": -1}, "/age"),
        ({"name": "a", "age": "old"}, "/age"),
        ({"name": "a", "age": 1, "tags": ["a", "b", "c", "d"]}, "/tags"),
        ({"name": "a", "age": 1, "tags": ["a", 5]}, "/tags/1"),
        ({"name": "a", "age": 1, "address": {"city": "y" * 30}}, "/address/city"),
        ({"age": 1}, "/name"),
        ({"name": "a", "age": 1, "id": 3}, "/id"),
        ({"name": "a", "age": 1, "is_admin": True}, "/is_admin"),
    ],
)
def test_every_problem_is_the_same_400_with_a_pointer(client, body, pointer):
    response = client.post("/people/", json=body)
    assert response.status_code == 400
    assert response.json["title"] == "Validation failed"
    assert pointer in [e["pointer"] for e in response.json["errors"]]


def test_hostile_bodies(client):
    assert client.post("/people/", json=[{"name": "a"}]).status_code == 400
    big = {"name": "a", "age": 1, "tags": ["x"] * 50000}
    assert client.post("/people/", json=big).status_code == 400
    assert client.post("/people/", json={"name": "a", "age": "9" * 6000}).status_code == 400


def test_patch_validates_only_what_is_sent(client):
    key = client.post("/people/", json={"name": "a", "age": 1}).json["id"]
    assert client.patch(f"/people/{key}", json={"age": "2"}).json["age"] == 2
    bad = client.patch(f"/people/{key}", json={"age": 200})
    assert bad.status_code == 400 and bad.json["errors"][0]["pointer"] == "/age"


def test_filters_convert(client):
    client.post("/people/", json={"name": "a", "age": 30})
    client.post("/people/", json={"name": "c", "age": 5})
    assert [p["age"] for p in client.get("/people/?age__gte=20").json] == [30]
    assert client.get("/people/?age__gte=x").status_code == 400


def test_openapi_carries_msgspec_constraints(client):
    schemas = client.get("/openapi.json").json["components"]["schemas"]
    write = schemas["PersonInput"]
    assert write["properties"]["name"]["maxLength"] == 10
    assert "id" not in write["properties"]
    assert set(write["required"]) == {"name", "age"}
    assert schemas["Address"]["properties"]["city"]["maxLength"] == 20


def test_a_read_only_member_without_default_fails_the_build():
    class Bad(msgspec.Struct):
        id: Annotated[int, msgspec.Meta(extra_json_schema={"readOnly": True})]

    class Bads(Handler):
        resource_name = "bads"
        store = "memory"
        model = Bad

    with pytest.raises(ConfigurationError, match="Bads.model: Bad.id is read-only"):
        make_app([Bads], plugins=["msgspec"])
