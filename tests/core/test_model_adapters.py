"""Dataclass models over HTTP, the model protocol's errors, and the build-time check."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import uuid
from dataclasses import dataclass, field
from typing import Literal, Optional

import pytest

from camshaft import Handler
from camshaft.errors import ConfigurationError
from camshaft.testing import make_app, make_client


@dataclass
class Address:
    city: str
    zip: str | None = None


@dataclass
class Contact:
    name: str
    age: int
    id: int | None = field(default=None, metadata={"read_only": True})
    email: Optional[str] = None  # noqa: UP045 - Optional is what the issue names
    tags: list[str] = field(default_factory=list)
    kind: Literal["person", "company"] = "person"
    address: Address | None = None
    born: datetime.date | None = None
    seen: datetime.datetime | None = None
    token: uuid.UUID | None = None
    balance: decimal.Decimal = decimal.Decimal("0")


class Contacts(Handler):
    resource_name = "contacts"
    links = False
    store = "memory"
    model = Contact
    filters = ("age", "kind")
    ordering = ("age",)


@pytest.fixture
def client():
    return make_client(make_app([Contacts]))


def test_a_dataclass_model_creates_instead_of_a_500(client):
    response = client.post("/contacts/", json={"name": "Ann", "age": "41"})
    assert response.status_code == 201
    assert response.json["age"] == 41
    assert response.json["tags"] == [] and response.json["kind"] == "person"
    assert response.json["balance"] == "0"


def test_nested_dataclasses_lists_and_scalars_convert(client):
    token = str(uuid.uuid4())
    body = {
        "name": "Bo",
        "age": 3,
        "tags": ["a", "b"],
        "address": {"city": "Oslo"},
        "born": "2020-01-02",
        "seen": "2024-05-01T12:00:00+00:00",
        "token": token,
        "balance": "19.99",
    }
    created = client.post("/contacts/", json=body).json
    assert created["address"] == {"city": "Oslo"}
    assert created["born"] == "2020-01-02"
    assert created["token"] == token
    assert created["balance"] == "19.99"


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"name": 5, "age": 1}, "/name"),
        ({"name": "a", "age": "x"}, "/age"),
        ({"name": "a", "age": True}, "/age"),
        ({"name": "a", "age": 1, "kind": "robot"}, "/kind"),
        ({"name": "a", "age": 1, "tags": "notalist"}, "/tags"),
        ({"name": "a", "age": 1, "tags": ["ok", 3]}, "/tags/1"),
        ({"name": "a", "age": 1, "address": {"zip": "1"}}, "/address/city"),
        ({"name": "a", "age": 1, "address": {"city": "x", "moon": 1}}, "/address/moon"),
        ({"name": "a", "age": 1, "token": "nope"}, "/token"),
        ({"name": "a", "age": 1, "balance": "NaN"}, "/balance"),
        ({"name": "a", "age": 1, "born": "yesterday"}, "/born"),
        ({"name": None, "age": 1}, "/name"),
        ({"age": 1}, "/name"),
        ({"name": "a", "age": 1, "id": 7}, "/id"),
        ({"name": "a", "age": 1, "is_admin": True}, "/is_admin"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_bad_input_is_a_400_pointing_at_the_member(client, body, pointer):
    response = client.post("/contacts/", json=body)
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert pointer in [e["pointer"] for e in response.json["errors"]]


def test_hostile_bodies_are_400s_not_500s(client):
    deep: dict = {"city": "x"}
    for _ in range(200):
        deep = {"city": deep}
    assert client.post("/contacts/", json={"name": "a", "age": 1, "address": deep}).status_code in (
        400,
        413,
    )
    huge = {"name": "a", "age": 1, "tags": [1] * 20000}
    response = client.post("/contacts/", json=huge)
    assert response.status_code == 400
    assert response.json["errors"][0]["pointer"] == "/tags/0"
    assert client.post("/contacts/", json=[1, 2]).status_code == 400
    assert client.post("/contacts/", json={"name": "a", "age": "9" * 5000}).status_code == 400


def test_patch_checks_only_what_is_sent_and_replace_resets(client):
    key = client.post("/contacts/", json={"name": "a", "age": 1, "tags": ["x"]}).json["id"]
    assert client.patch(f"/contacts/{key}", json={"age": "2"}).json["age"] == 2
    assert client.patch(f"/contacts/{key}", json={"age": "old"}).status_code == 400
    replaced = client.put(f"/contacts/{key}", json={"name": "b", "age": 5}).json
    assert replaced["tags"] == [] and replaced["id"] == key


def test_filters_convert_by_the_hint(client):
    for age in (1, 20, 30):
        client.post("/contacts/", json={"name": "a", "age": age})
    assert [c["age"] for c in client.get("/contacts/?age__gte=20&order=age").json] == [20, 30]
    assert client.get("/contacts/?age__gte=old").status_code == 400


def test_openapi_describes_the_dataclass(client):
    schemas = client.get("/openapi.json").json["components"]["schemas"]
    write = schemas["ContactInput"]
    assert write["required"] == ["name", "age"]
    assert "id" not in write["properties"]
    assert write["properties"]["kind"]["enum"] == ["person", "company"]
    assert write["properties"]["address"]["anyOf"][0] == {"$ref": "#/components/schemas/Address"}
    assert schemas["Address"]["required"] == ["city"]
    assert schemas["Contact"]["properties"]["id"]["readOnly"] is True


def test_a_model_no_adapter_accepts_fails_the_build_naming_the_handler():
    class Strange(Handler):
        resource_name = "strange"
        store = "memory"
        model = object()

    with pytest.raises(ConfigurationError, match="Strange.model"):
        make_app([Strange])


def test_an_unsupported_hint_fails_the_build():
    @dataclass
    class Odd:
        when: complex

    class Odds(Handler):
        resource_name = "odds"
        store = "memory"
        model = Odd

    with pytest.raises(ConfigurationError, match="Odds.model: Odd.when"):
        make_app([Odds])


def test_a_self_referencing_dataclass_compiles():
    @dataclass
    class Node:
        name: str
        children: list[Node] = dataclasses.field(default_factory=list)

    class Nodes(Handler):
        resource_name = "nodes"
        links = False
        store = "memory"
        model = Node

    client = make_client(make_app([Nodes]))
    body = {"name": "a", "children": [{"name": "b", "children": [{"name": 1}]}]}
    response = client.post("/nodes/", json=body)
    assert response.json["errors"][0]["pointer"] == "/children/0/children/0/name"
