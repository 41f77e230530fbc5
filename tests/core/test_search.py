"""``?search=`` over a handler's ``search`` members: the default CRUD, the build-time
refusals and the OpenAPI parameter."""

from __future__ import annotations

from typing import Any

import pytest

from camshaft import App, Handler
from camshaft.errors import ConfigurationError
from camshaft.models import IntegerField, Model, StringField
from camshaft.openapi import build_document
from camshaft.testing import make_client

ROWS = [
    {"id": 1, "name": "Joanna Lee", "email": "jo@example.org", "age": 30},
    {"id": 2, "name": "Bob", "email": "ann@lee.example", "age": 50},
    {"id": 3, "name": "Zed", "email": None, "age": 50},
    {"id": 4, "name": "ÉLODIE", "email": "e@example.org", "age": 20},
]


class PersonModel(Model):
    fields = [
        IntegerField("id", read_only=True),
        StringField("name", required=True),
        StringField("email"),
        IntegerField("age"),
    ]


class PersonHandler(Handler):
    store = "memory"
    model = PersonModel
    search = ("name", "email")
    filters = ("age",)
    source = ROWS


def ids(client: Any, query: str) -> list[int]:
    response = client.get(f"/persons/?{query}")
    assert response.status_code == 200, response.json
    return sorted(item["id"] for item in response.json)


@pytest.fixture
def client() -> Any:
    return make_client(App([PersonHandler]))


def test_a_term_is_found_in_any_searched_member_ignoring_case(client: Any) -> None:
    assert ids(client, "search=ann") == [1, 2]  # Joanna's name, Bob's email
    assert ids(client, "search=%C3%A9lodie") == [4]  # case folded beyond ASCII
    assert ids(client, "search=nobody") == []


def test_every_term_must_be_found(client: Any) -> None:
    assert ids(client, "search=ann%20lee") == [1, 2]
    assert ids(client, "search=ann+example.org") == [1]
    assert ids(client, "search=ann&search=org") == [1]  # repeated values add terms


def test_search_and_filters_all_hold(client: Any) -> None:
    assert ids(client, "search=lee&age=50") == [2]


def test_blank_search_lists_everything(client: Any) -> None:
    assert ids(client, "search=") == [1, 2, 3, 4]
    assert ids(client, "search=%20%20") == [1, 2, 3, 4]


def test_members_not_searched_are_not_matched(client: Any) -> None:
    assert ids(client, "search=30") == []  # age is not searched (nor text)


def test_page_counts_follow_the_search(client: Any) -> None:
    response = client.get("/persons/?search=lee&per_page=1")
    assert response.status_code == 200
    assert response.headers["X-Total-Count"] == "2"


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("search=a%00b", "control character"),
        ("search=a%09b", "control character"),
        ("search=" + "x" * 201, "longer than 200"),
        ("&".join(f"search=t{i}" for i in range(101)), "101 terms"),
    ],
)
def test_hostile_searches_are_400(client: Any, query: str, detail: str) -> None:
    response = client.get(f"/persons/?{query}")
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert detail in response.json["detail"]


def test_search_on_a_handler_without_it_is_400() -> None:
    class Plain(Handler):
        store = "memory"
        source = ROWS

    response = make_client(App([Plain])).get("/plains/?search=ann")
    assert response.status_code == 400
    assert "search" in response.json["detail"]


def test_strict_query_knows_search() -> None:
    app = App([PersonHandler], settings={"strict_query": True})
    client = make_client(app)
    assert ids(client, "search=bob") == [2]
    assert client.get("/persons/?serch=bob").status_code == 400


def test_the_document_describes_search() -> None:
    document = build_document(App([PersonHandler]))
    parameters = document["paths"]["/persons/"]["get"]["parameters"]
    (search,) = [p for p in parameters if p["name"] == "search"]
    assert search["in"] == "query"
    assert search["schema"]["maxLength"] == 200
    assert "name, email" in search["description"]
    plain = document["paths"]["/persons/{key}"]["get"]["parameters"]
    assert not [p for p in plain if p["name"] == "search"]


@pytest.mark.parametrize(
    ("search", "message"),
    [
        ("name", "must be a tuple of member names"),
        (("nmae",), "which its model does not have"),
        (("age",), "which does not hold text"),
    ],
)
def test_mistaken_declarations_are_refused_at_build(search: Any, message: str) -> None:
    handler = type("Mistaken", (PersonHandler,), {"search": search})
    with pytest.raises(ConfigurationError, match=message) as raised:
        App([handler])
    assert "Mistaken.search" in str(raised.value)


def test_search_without_a_store_is_refused_at_build() -> None:
    class Custom(Handler):
        search = ("name",)

        def read(self) -> list[Any]:
            return []

    with pytest.raises(ConfigurationError, match="Custom.search needs a store"):
        App([Custom])


def test_a_store_that_cannot_search_is_refused_at_build() -> None:
    from camshaft.plugin import StoreBackend, hookimpl

    class NoSearch:
        @hookimpl
        def camshaft_stores(self) -> list[StoreBackend]:
            memory = App([]).store_backends["memory"]
            return [StoreBackend("plain", memory.open)]

    handler = type("Plain", (PersonHandler,), {"store": "plain"})
    with pytest.raises(ConfigurationError, match="'plain' store cannot search"):
        App([handler], plugins=[NoSearch()])
