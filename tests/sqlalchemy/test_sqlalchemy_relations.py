"""Bulk create and nested resources on the SQL store (SQLite, PostgreSQL, MariaDB)."""

from __future__ import annotations

import re
import uuid

import sqlalchemy as sa

from camshaft import Handler
from camshaft.testing import make_app, make_client

from .conftest import engines_of


def test_bulk_create_is_one_transaction(app_for):
    client = make_client(app_for())
    ok = [{"name": "ann", "age": 1, "email": "a@x"}, {"name": "bob", "age": 2, "email": "b@x"}]
    response = client.post("/people/", json=ok)
    assert response.status_code == 201, response.json
    assert [p["name"] for p in response.json] == ["ann", "bob"]
    # The third item collides with a stored email: the first two are rolled back.
    clash = [
        {"name": "carl", "age": 3, "email": "c@x"},
        {"name": "dan", "age": 4, "email": "d@x"},
        {"name": "eve", "age": 5, "email": "a@x"},
    ]
    response = client.post("/people/", json=clash)
    assert response.status_code == 409
    assert sorted(p["name"] for p in client.get("/people/").json) == ["ann", "bob"]


def test_bulk_create_validates_every_item_first(app_for):
    client = make_client(app_for())
    response = client.post("/people/", json=[{"name": "ann", "age": 1}, {"name": "bob"}])
    assert response.status_code == 400
    assert any(e["pointer"].startswith("/1/") for e in response.json["errors"])
    assert client.get("/people/").json == []


def _tables() -> tuple[sa.Table, sa.Table]:
    metadata = sa.MetaData()
    suffix = uuid.uuid4().hex[:10]
    authors = sa.Table(
        f"cs_a_{suffix}",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
    )
    posts = sa.Table(
        f"cs_p_{suffix}",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("author_id", sa.Integer, nullable=False),
        sa.Column("title", sa.String(50), nullable=False),
    )
    return authors, posts


def test_nested_posts_under_authors(db_url, dropped, disposing):
    authors, posts = _tables()
    dropped.extend([(db_url, posts), (db_url, authors)])

    class AuthorHandler(Handler):
        store = "sqlalchemy"
        source = authors

    class PostHandler(Handler):
        store = "sqlalchemy"
        source = posts
        parent = AuthorHandler
        parent_field = "author_id"

    app = make_app(
        [AuthorHandler, PostHandler],
        plugins=["sqlalchemy"],
        settings={"sqlalchemy": {"url": db_url}},
    )
    disposing.extend(engines_of(app))
    client = make_client(app)
    ann = client.post("/authors/", json={"name": "ann"}).json["id"]
    bob = client.post("/authors/", json={"name": "bob"}).json["id"]
    created = client.post(f"/authors/{ann}/posts/", json={"title": "one"})
    assert created.status_code == 201, created.json
    assert created.json["author_id"] == ann
    post = created.json["id"]
    assert created.headers["Location"].endswith(f"/authors/{ann}/posts/{post}")
    client.post(f"/authors/{bob}/posts/", json=[{"title": "b1"}, {"title": "b2"}])
    assert [p["title"] for p in client.get(f"/authors/{ann}/posts/").json] == ["one"]
    assert len(client.get(f"/authors/{bob}/posts/").json) == 2
    assert client.get(f"/authors/{bob}/posts/{post}").status_code == 404
    assert client.get("/authors/999999/posts/").status_code == 404
    moved = client.patch(f"/authors/{ann}/posts/{post}", json={"author_id": bob})
    assert moved.status_code == 400
    assert client.get(f"/authors/{ann}/posts/{post}").json["author_id"] == ann


def _embedding_app(db_url, dropped, disposing, **post_attrs):
    authors, posts = _tables()
    dropped.extend([(db_url, posts), (db_url, authors)])

    class AuthorHandler(Handler):
        store = "sqlalchemy"
        source = authors

    class PostHandler(Handler):
        store = "sqlalchemy"
        source = posts
        relations = {"author": AuthorHandler}
        embed = ("author",)
        ordering = ("id",)

    for name, value in post_attrs.items():
        setattr(PostHandler, name, value)
    app = make_app(
        [AuthorHandler, PostHandler],
        plugins=["sqlalchemy"],
        settings={"sqlalchemy": {"url": db_url, "cursor_secret": "s" * 32}},
    )
    disposing.extend(engines_of(app))
    client = make_client(app)
    keys = [client.post("/authors/", json={"name": f"a{i}"}).json["id"] for i in range(5)]
    rows = [{"title": f"p{i}", "author_id": keys[i % 5]} for i in range(20)]
    assert client.post("/posts/", json=rows).status_code == 201
    return app, client, keys


def test_embed_is_one_query_per_relation_not_one_per_item(db_url, dropped, disposing):
    app, client, keys = _embedding_app(db_url, dropped, disposing)
    (engine,) = {e for e in engines_of(app)}
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        plain = client.get("/posts/?per_page=20&order=id")
        queries_without = len(statements)
        statements.clear()
        response = client.get("/posts/?per_page=20&order=id&embed=author")
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200 and plain.status_code == 200
    assert len(statements) == queries_without + 1, statements
    posts = response.json
    assert len(posts) == 20
    for post in posts:
        assert post["author"]["id"] == post["author_id"]
        assert post["author"]["name"] == f"a{keys.index(post['author_id'])}"
        assert post["author_url"].endswith(f"/authors/{post['author_id']}")


def test_embed_follows_cursor_pages(db_url, dropped, disposing):
    _, client, _ = _embedding_app(db_url, dropped, disposing, pagination="cursor")
    first = client.get("/posts/?per_page=7&order=id&embed=author")
    assert first.status_code == 200, first.json
    assert all(p["author"]["id"] == p["author_id"] for p in first.json)
    assert all("author_url" in p for p in first.json)
    (following_url,) = re.findall(r'<([^>]*)>; rel="next"', first.headers["Link"])
    following = client.get(following_url)
    assert following.status_code == 200
    assert [p["title"] for p in following.json] == [f"p{i}" for i in range(7, 14)]
    assert all(p["author"]["name"].startswith("a") for p in following.json)
