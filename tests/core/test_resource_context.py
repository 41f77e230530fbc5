"""What the kernel hands an emitter that sets ``wants_resource``, the headers an emitter
adds, and the order in which a browser's Accept header picks formats."""

from __future__ import annotations

import json
from typing import Any

import pytest

from camshaft import Handler
from camshaft.models import IntegerField, Model
from camshaft.plugin import EmitContext, Emitter, hookimpl
from camshaft.testing import make_app, make_client

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
seen: list[EmitContext] = []


def _emit(data: Any, ctx: EmitContext) -> bytes:
    seen.append(ctx)
    return json.dumps(data).encode()


class PagePlugin:
    @hookimpl
    def camshaft_emitters(self) -> list[Emitter]:
        return [
            Emitter("page", "text/html", _emit, wants_resource=True, headers=(("X-Page", "1"),)),
            Emitter("xmlish", "application/xml", lambda d, c: b"<x/>"),
        ]


class ItemModel(Model):
    fields = [IntegerField("id", read_only=True), IntegerField("n")]


class Items(Handler):
    resource_name = "items"
    store = "memory"
    model = ItemModel


@pytest.fixture
def client() -> Any:
    seen.clear()
    client = make_client(make_app([Items], plugins=[PagePlugin()]))
    client.post("/items/", json={"n": 1})
    return client


def test_an_item_page_gets_its_methods_etag_model_and_base_url(client: Any) -> None:
    response = client.get("/items/0", headers={"Accept": BROWSER})
    assert response.headers["X-Page"] == "1"
    res = seen[-1].resource
    assert res is not None
    assert (res.base_url, res.path, res.kind, res.status) == (
        "http://localhost",
        "/items/0",
        "item",
        200,
    )
    assert res.header("etag") == response.headers["ETag"]
    assert "PATCH" in res.methods and "DELETE" in res.methods
    assert res.model is ItemModel
    assert res.key_field == "id"


def test_a_collection_page_gets_the_link_header_and_query(client: Any) -> None:
    client.get("/items/?per_page=1", headers={"Accept": BROWSER})
    res = seen[-1].resource
    assert res is not None and seen[-1].many
    assert res.query == "per_page=1"
    assert 'rel="first"' in (res.header("Link") or "")
    assert res.header("X-Total-Count") == "1"


def test_a_problem_gets_the_resource_with_its_status(client: Any) -> None:
    response = client.get("/items/9", headers={"Accept": BROWSER})
    assert response.status_code == 404
    assert response.headers["X-Page"] == "1"
    res = seen[-1].resource
    assert seen[-1].problem and res is not None and res.status == 404


def test_other_emitters_get_no_resource(client: Any) -> None:
    response = client.get("/items/0", headers={"Accept": "application/json"})
    assert "X-Page" not in response.headers
    assert seen == []


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        (BROWSER, "text/html"),
        ("application/xml, application/json", "application/xml"),
        ("application/xml;q=0.9,*/*;q=0.8", "application/xml"),
        ("*/*", "application/json"),
    ],
    ids=["a browser gets html", "xml first stays xml", "xml preferred by q", "any gets json"],
)
def test_browser_accept_order(client: Any, accept: str, fmt: str) -> None:
    assert client.get("/items/", headers={"Accept": accept}).headers["Content-Type"] == fmt
