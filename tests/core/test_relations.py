"""Relations: ``<name>_url`` links on the default CRUD's items, ``?embed=`` read in one
query per relation, as the client could read the related items itself."""

from __future__ import annotations

from typing import Any

import pytest

from camshaft import App, Handler, Relation
from camshaft.errors import ConfigurationError
from camshaft.models import IntegerField, Model, StringField
from camshaft.openapi import build_document
from camshaft.permissions import authenticated, is_owner, nobody, object_rule
from camshaft.plugin import AuthScheme, Identity, hookimpl
from camshaft.testing import make_client


class AuthorHandler(Handler):
    store = "memory"
    source = [{"id": 1, "name": "ann"}, {"id": 2, "name": "bob"}]


class PostHandler(Handler):
    store = "memory"
    relations = {"author": AuthorHandler}
    embed = ("author",)
    source = [
        {"id": 10, "author_id": 1, "title": "a"},
        {"id": 11, "author_id": 2, "title": "b"},
        {"id": 12, "author_id": None, "title": "c"},
        {"id": 13, "author_id": 9, "title": "d"},
        {"id": 14, "author_id": 1, "title": "e"},
    ]


class CommentHandler(Handler):
    store = "memory"
    parent = PostHandler
    parent_field = "post_id"
    embed = ("post",)
    source = [{"id": 1, "post_id": 10, "text": "hi"}]


@pytest.fixture
def client() -> Any:
    return make_client(App([AuthorHandler, PostHandler, CommentHandler]))


def by_id(items: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {item["id"]: item for item in items}


def test_items_link_to_their_related_items(client: Any) -> None:
    posts = by_id(client.get("/posts/").json)
    assert posts[10]["author_url"] == "http://localhost/authors/1"
    assert "author_url" not in posts[12]  # no author: no link
    assert "author" not in posts[10]  # nothing embedded unless asked
    assert client.get("/posts/11").json["author_url"] == "http://localhost/authors/2"


def test_writes_answer_with_the_links(client: Any) -> None:
    created = client.post("/posts/", json={"title": "new", "author_id": 2})
    assert created.status_code == 201
    assert created.json["author_url"] == "http://localhost/authors/2"
    bulk = client.post("/posts/", json=[{"title": "x", "author_id": 1}])
    assert bulk.json[0]["author_url"] == "http://localhost/authors/1"
    changed = client.patch("/posts/10", json={"author_id": 2})
    assert changed.json["author_url"] == "http://localhost/authors/2"


def test_a_nested_handlers_parent_is_a_relation(client: Any) -> None:
    (comment,) = client.get("/posts/10/comments/").json
    assert comment["post_url"] == "http://localhost/posts/10"
    (embedded,) = client.get("/posts/10/comments/?embed=post").json
    assert embedded["post"]["title"] == "a"
    # The embedded post carries its own links, and embeds nothing further.
    assert embedded["post"]["author_url"] == "http://localhost/authors/1"
    assert "author" not in embedded["post"]


def test_embed_puts_each_related_item_in(client: Any) -> None:
    posts = by_id(client.get("/posts/?embed=author").json)
    assert posts[10]["author"] == {"id": 1, "name": "ann", "url": "http://localhost/authors/1"}
    assert posts[11]["author"]["name"] == "bob"
    assert posts[12]["author"] is None  # no author
    assert posts[13]["author"] is None  # an author that does not exist
    item = client.get("/posts/14?embed=author").json
    assert item["author"]["name"] == "ann"


def test_embed_reads_once_per_relation_per_page(client: Any, monkeypatch: Any) -> None:
    app = client.application
    store = app.stores[AuthorHandler]
    calls: list[Any] = []
    original = store.list

    def counting(query: Any) -> Any:
        calls.append(query)
        return original(query)

    monkeypatch.setattr(store, "list", counting)
    response = client.get("/posts/?embed=author")
    assert response.status_code == 200
    assert len(calls) == 1
    (key_filter,) = calls[0].filters
    assert key_filter.op == "in" and sorted(key_filter.value) == [1, 2, 9]


@pytest.mark.parametrize(
    "query", ["embed=zzz", "embed=author,zzz", "embed=", "embed=author,", "embed=%20author"]
)
def test_embedding_what_is_not_allowed_is_400(client: Any, query: str) -> None:
    for path in ("/posts/", "/posts/10"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, (path, query)
        assert response.json["title"] == "Invalid embed"
        assert "allowed: author" in response.json["detail"]


def test_embed_on_a_handler_without_relations_is_400(client: Any) -> None:
    response = client.get("/authors/?embed=posts")
    assert response.status_code == 400
    assert "allowed: none" in response.json["detail"]


class Owned(Handler):
    """Authors only their owner may read."""

    resource_name = "people"
    store = "memory"
    authentication = ("test",)
    permissions = {"GET": [authenticated, is_owner("owner_id")]}
    source = [{"id": 1, "owner_id": "u1", "name": "mine"}, {"id": 2, "owner_id": "u2"}]


class Closed(Handler):
    resource_name = "secrets"
    store = "memory"
    authentication = ("test",)
    permissions = {"GET": nobody}
    source = [{"id": 1, "text": "s"}]


@object_rule
def not_hidden(request: Any, identity: Any, obj: Any) -> bool:
    return not obj.get("hidden")


class Hidden(Handler):
    resource_name = "tags"
    store = "memory"
    authentication = ("test",)
    permissions = {"GET": [authenticated, not_hidden]}
    source = [{"id": 1, "name": "ok"}, {"id": 2, "name": "no", "hidden": True}]


class Notes(Handler):
    resource_name = "notes"
    store = "memory"
    authentication = ("test",)
    permissions = {"GET": authenticated}
    relations = {
        "person": Owned,
        "secret": Closed,
        "tag": Relation(Hidden, field="tag"),
    }
    embed = ("person", "secret", "tag")
    source = [
        {"id": 1, "person_id": 1, "secret_id": 1, "tag": 1},
        {"id": 2, "person_id": 2, "secret_id": 1, "tag": 2},
    ]


class UserHeader:
    """A test scheme: ``X-User`` names the user."""

    @hookimpl
    def camshaft_auth_schemes(self) -> list[AuthScheme]:
        def authenticate(request: Any) -> Identity | None:
            who = request.header("X-User")
            return None if who is None else Identity(id=who, scheme="test")

        return [AuthScheme("test", authenticate)]


class AsUser:
    def __init__(self, client: Any, user: str) -> None:
        self.client, self.user = client, user

    def get(self, path: str) -> Any:
        return self.client.get(path, headers={"X-User": self.user})


def secured_client() -> Any:
    app = App([Owned, Closed, Hidden, Notes], plugins=[UserHeader()])
    return AsUser(make_client(app), "u1")


def test_embedded_items_are_read_as_the_client_could_read_them() -> None:
    client = secured_client()
    notes = by_id(client.get("/notes/?embed=person,tag").json)
    assert notes[1]["person"]["name"] == "mine"
    assert notes[2]["person"] is None  # u2's: an owner rule hides it
    assert notes[1]["tag"]["name"] == "ok"
    assert notes[2]["tag"] is None  # an object rule hides it
    assert notes[2]["tag_url"] == "http://localhost/tags/2"  # the link holds the key only


def test_embedding_what_the_client_may_not_read_is_403() -> None:
    client = secured_client()
    response = client.get("/notes/?embed=secret")
    assert response.status_code == 403
    assert "'secret'" in response.json["detail"]
    assert client.get("/notes/1?embed=secret").status_code == 403


def test_the_document_describes_links_and_embedding() -> None:
    class AuthorModel(Model):
        fields = [IntegerField("id", read_only=True), StringField("name")]

    class PostModel(Model):
        fields = [IntegerField("id", read_only=True), IntegerField("author_id")]

    authors = type("AuthorHandler", (AuthorHandler,), {"model": AuthorModel})
    posts = type(
        "PostHandler",
        (PostHandler,),
        {"model": PostModel, "relations": {"author": authors}, "source": []},
    )
    document = build_document(App([authors, posts]))
    get = document["paths"]["/posts/"]["get"]
    (embed,) = [p for p in get["parameters"] if p["name"] == "embed"]
    assert embed["schema"]["pattern"] == "^(?:author)(?:,(?:author))*$"
    item = get["responses"]["200"]["content"]["application/json"]["schema"]["items"]
    added = item["allOf"][1]["properties"]
    assert set(added) == {"url", "author_url", "author"}
    assert added["author"]["anyOf"][0] == {"$ref": "#/components/schemas/AuthorModel"}
    author_get = document["paths"]["/authors/"]["get"]
    assert not [p for p in author_get["parameters"] if p["name"] == "embed"]


class Unserved(Handler):
    store = "memory"


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ({"relations": ["author"]}, "must map names to handlers"),
        ({"relations": {"author": object}}, "must be a handler class or a Relation"),
        ({"relations": {"a-b": AuthorHandler}}, "is not a name"),
        ({"relations": {"x": Unserved}}, "Unserved serves no item route"),
        ({"relations": {"author": AuthorHandler}, "embed": "author"}, "tuple of relation"),
        ({"relations": {"author": AuthorHandler}, "embed": ("writer",)}, "not one of its"),
        ({"relations": {"comment": CommentHandler}}, "nested under another resource"),
    ],
)
def test_mistaken_relations_are_refused_at_build(
    attributes: dict[str, Any], message: str
) -> None:
    handler = type("Mistaken", (Handler,), {"store": "memory", **attributes})
    with pytest.raises(ConfigurationError, match=message) as raised:
        App([AuthorHandler, PostHandler, CommentHandler, handler])
    assert "Mistaken." in str(raised.value)


def test_a_relation_member_must_be_in_the_model() -> None:
    class PostModel(Model):
        fields = [IntegerField("id", read_only=True), StringField("title")]

    handler = type("Mistaken", (PostHandler,), {"model": PostModel, "source": []})
    with pytest.raises(ConfigurationError, match="no member 'author_id'"):
        App([AuthorHandler, handler])


def test_a_relation_may_not_hide_a_member() -> None:
    class PostModel(Model):
        fields = [IntegerField("id", read_only=True), IntegerField("author_id"),
                  StringField("author")]

    handler = type("Mistaken", (PostHandler,), {"model": PostModel, "source": []})
    with pytest.raises(ConfigurationError, match="member 'author' would be hidden"):
        App([AuthorHandler, handler])


def test_relations_without_a_store_are_refused() -> None:
    class Custom(Handler):
        relations = {"author": AuthorHandler}

        def read(self) -> list[Any]:
            return []

    with pytest.raises(ConfigurationError, match="Custom.relations needs a store"):
        App([AuthorHandler, Custom])
