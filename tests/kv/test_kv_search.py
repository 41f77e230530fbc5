"""``?search=`` over HTTP on the kv store, on each backend: the memory store's semantics
(every term in one searched member, ignoring case), hostile terms matched literally, and
search with filters and page counts."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from camshaft import Handler
from camshaft.models import IntegerField, Model, StringField
from camshaft.testing import make_app, make_client

PEOPLE = [
    ("Ann Lee", "ann@example.org", 30),
    ("Joanna", "jo@example.net", 40),
    ("Bob", "LEE@corp.example", 50),
    ("Zed", None, 50),
    ("Élodie", "e@example.org", 20),
    ("100% o'hara", "a_b@x.example", 60),
    ("back\\slash", "q@x.example", 70),
]


class PersonModel(Model):
    fields = [
        IntegerField("id", read_only=True),
        StringField("name", required=True),
        StringField("email"),
        IntegerField("age"),
    ]


class PersonHandler(Handler):
    resource_name = "people"
    store = "kv"
    model = PersonModel
    search = ("name", "email")
    filters = ("age",)
    ordering = ("age",)


@pytest.fixture(params=["file", "shelve"])
def client(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    settings = {"kv": {"root": str(tmp_path), "backend": request.param, "shelve_allow_dumb": True}}
    client = make_client(make_app([PersonHandler], plugins=["kv"], settings=settings))
    for name, email, age in PEOPLE:
        assert (
            client.post("/people/", json={"name": name, "email": email, "age": age}).status_code
            == 201
        )
    return client


def names(client: Any, search: str, extra: str = "") -> list[str]:
    response = client.get(f"/people/?search={quote(search)}{extra}")
    assert response.status_code == 200, response.json
    return sorted(item["name"] for item in response.json)


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("ann", ["Ann Lee", "Joanna"]),
        ("LEE", ["Ann Lee", "Bob"]),
        ("ann lee", ["Ann Lee"]),
        ("example org", ["Ann Lee", "Élodie"]),
        ("élodie", ["Élodie"]),
        ("nobody", []),
        ("ann nobody", []),
    ],
)
def test_terms_are_found_in_any_searched_member(client: Any, search: str, expected: Any) -> None:
    assert names(client, search) == expected


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("%", ["100% o'hara"]),
        ("_", ["100% o'hara"]),
        ("\\", ["back\\slash"]),
        ("'", ["100% o'hara"]),
        ("'; drop table people; --", []),
        ('"', []),
        ("ünïcødé ☃", []),
    ],
    ids=repr,
)
def test_hostile_terms_are_matched_literally(client: Any, search: str, expected: Any) -> None:
    assert names(client, search) == expected
    assert len(client.get("/people/").json) == len(PEOPLE)  # nothing was dropped


def test_a_search_too_long_is_400(client: Any) -> None:
    response = client.get(f"/people/?search={'a' * 201}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


def test_search_filters_and_page_count_all_hold(client: Any) -> None:
    assert names(client, "lee", "&age=50") == ["Bob"]
    response = client.get("/people/?search=EXAMPLE&age__gte=40&per_page=2")
    assert response.status_code == 200
    assert response.headers["X-Total-Count"] == "4"  # Joanna, Bob, 100%, back\slash
    assert len(response.json) == 2
