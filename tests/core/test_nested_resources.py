"""Nested resources over HTTP on the memory store: ``parent`` and ``parent_field``."""

from __future__ import annotations

import pytest

from camshaft import Handler
from camshaft.permissions import object_rule
from camshaft.testing import make_app, make_client


class AuthorHandler(Handler):
    store = "memory"
    key_pattern = r"[0-9]+"
    source = [{"id": 1, "name": "ann"}, {"id": 2, "name": "bob"}]


class PostHandler(Handler):
    store = "memory"
    parent = AuthorHandler
    parent_field = "author_id"
    source = [
        {"id": 10, "author_id": 1, "title": "one"},
        {"id": 11, "author_id": 1, "title": "two"},
        {"id": 20, "author_id": 2, "title": "bob's"},
    ]


class CommentHandler(Handler):
    store = "memory"
    parent = PostHandler
    parent_field = "post_id"
    source = [{"id": 100, "post_id": 10, "text": "hi"}, {"id": 200, "post_id": 20, "text": "yo"}]


@pytest.fixture
def client():
    return make_client(make_app([AuthorHandler, PostHandler, CommentHandler]))


def _titles(response) -> list[str]:
    assert response.status_code == 200, response.json
    return sorted(p["title"] for p in response.json)


def test_a_collection_lists_only_the_parents_children(client):
    assert _titles(client.get("/authors/1/posts/")) == ["one", "two"]
    assert _titles(client.get("/authors/2/posts/")) == ["bob's"]


def test_the_top_level_route_does_not_exist(client):
    assert client.get("/posts/").status_code == 404


def test_an_item_of_another_parent_is_404(client):
    assert client.get("/authors/1/posts/10").json["title"] == "one"
    assert client.get("/authors/2/posts/10").status_code == 404


def test_a_missing_parent_is_404_even_for_an_empty_collection(client):
    response = client.get("/authors/9/posts/")
    assert response.status_code == 404
    assert "9" in response.json["detail"]


def test_a_parent_key_failing_its_pattern_is_400(client):
    response = client.get("/authors/abc/posts/")
    assert response.status_code == 400
    assert response.json["title"] == "Invalid key"


def test_create_sets_the_parent_field_and_location(client):
    response = client.post("/authors/2/posts/", json={"title": "new"})
    assert response.status_code == 201, response.json
    assert response.json["author_id"] == 2
    key = response.json["id"]
    assert response.headers["Location"].endswith(f"/authors/2/posts/{key}")
    assert response.json["url"].endswith(f"/authors/2/posts/{key}")
    assert "new" in _titles(client.get("/authors/2/posts/"))


def test_create_under_a_missing_parent_is_404_and_stores_nothing(client):
    assert client.post("/authors/9/posts/", json={"title": "x"}).status_code == 404
    assert client.get("/authors/1/posts/").json.__len__() == 2


def test_create_naming_another_parent_is_400(client):
    response = client.post("/authors/1/posts/", json={"title": "x", "author_id": 2})
    assert response.status_code == 400
    assert "author_id" in response.json["detail"]
    assert client.post("/authors/1/posts/", json={"title": "y", "author_id": 1}).status_code == 201


@pytest.mark.parametrize("method", ["put", "patch"])
def test_a_child_cannot_be_moved_to_another_parent(client, method):
    response = getattr(client, method)("/authors/1/posts/10", json={"title": "t", "author_id": 2})
    assert response.status_code == 400
    assert client.get("/authors/1/posts/10").json["author_id"] == 1


def test_put_keeps_the_parent_field(client):
    response = client.put("/authors/1/posts/10", json={"title": "renamed"})
    assert response.status_code == 200, response.json
    assert response.json["author_id"] == 1


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_writes_through_another_parent_are_404(client, method):
    kwargs = {} if method == "delete" else {"json": {"title": "t"}}
    assert getattr(client, method)("/authors/2/posts/10", **kwargs).status_code == 404
    assert client.get("/authors/1/posts/10").json["title"] == "one"


def test_delete_through_the_parent(client):
    assert client.delete("/authors/1/posts/11").status_code == 204
    assert _titles(client.get("/authors/1/posts/")) == ["one"]


def test_three_levels(client):
    response = client.get("/authors/1/posts/10/comments/")
    assert [c["text"] for c in response.json] == ["hi"]
    assert response.json[0]["url"].endswith("/authors/1/posts/10/comments/100")
    # post 20 exists, but belongs to author 2: its comments are not under author 1
    assert client.get("/authors/1/posts/20/comments/").status_code == 404
    assert client.get("/authors/2/posts/20/comments/200").json["text"] == "yo"
    assert client.get("/authors/1/posts/20/comments/200").status_code == 404
    created = client.post("/authors/2/posts/20/comments/", json={"text": "new"})
    assert created.status_code == 201
    assert created.json["post_id"] == 20


def test_openapi_documents_every_level(client):
    paths = client.get("/openapi.json").json["paths"]
    item = paths["/authors/{author}/posts/{post}/comments/{key}"]["get"]
    names = [p["name"] for p in item["parameters"] if p["in"] == "path"]
    assert names == ["author", "post", "key"]
    assert paths["/authors/{author}/posts/"]["get"]["parameters"][0]["schema"]["pattern"] == (
        "^(?:[0-9]+)$"
    )


def test_authorization_can_look_at_the_parent():
    @object_rule
    def parent_is_open(request, identity, obj):
        return request.parent["name"] != "bob"

    class GuardedPostHandler(PostHandler):
        resource_name = "posts"
        permissions = {"*": parent_is_open}

    client = make_client(make_app([AuthorHandler, GuardedPostHandler]))
    assert client.get("/authors/1/posts/10").status_code == 200
    assert client.get("/authors/2/posts/20").status_code == 403


def test_search_is_refused_not_ignored(client):
    response = client.get("/authors/1/posts/?search=one")
    assert response.status_code == 400
    assert "'search'" in response.json["detail"]
