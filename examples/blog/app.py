"""Piston's blog example: posts behind HTTP Basic, only the author may delete.

    pip install -e plugins/auth/httpauth
    camshaft serve examples.blog.app:app
    curl http://127.0.0.1:8000/posts/hello-world                       # anonymous view
    curl -u alice:wonderland http://127.0.0.1:8000/posts/hello-world   # full view
    curl -u bob:builder -X PUT -H 'Content-Type: application/json' \\
         -d '{"title": "Hi", "content": "Edited by bob"}' http://127.0.0.1:8000/posts/hello-world
    curl -u bob:builder -X DELETE http://127.0.0.1:8000/posts/hello-world      # 403
    curl -u alice:wonderland -X DELETE http://127.0.0.1:8000/posts/hello-world # 204

Users: alice (password ``wonderland``) and bob (``builder``), stored as scrypt hashes
made with ``camshaft_httpauth.make_password_hash``. Posts live in the memory store.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from camshaft import App, Handler, Result, rc, throttle
from camshaft.errors import BadRequest, NotFound
from camshaft.permissions import authenticated, is_owner

#: Who may log in; the hashes are of "wonderland" and "builder".
PASSWORD_HASHES = {
    "alice": "scrypt$14$8$1$kjyGWAe-y7gxA7bSdl2fXg$qFcrZs1X39jZ84W9C3dGv2rHsvn5O_RYRUbknK5S_Xk",
    "bob": "scrypt$14$8$1$OlTid-3mtZj0iOVqAm6M8A$ERjBHQw4vIvAz4rXh9QWqSj0fc3G_bLdYRxmZtPeir0",
}

#: The people behind the user names; ``private_*`` members are never shown.
USERS = {
    "alice": {"username": "alice", "first_name": "Alice", "private_email": "alice@example.org"},
    "bob": {"username": "bob", "first_name": "Bob", "private_email": "bob@example.org"},
}

SEED_POSTS = [
    {
        "id": 1,
        "slug": "hello-world",
        "title": "Hello, world",
        "content": "My first post.",
        "author": "alice",
        "private_notes": "draft written on the train",
    },
    {
        "id": 2,
        "slug": "down-the-rabbit-hole",
        "title": "Down the rabbit hole",
        "content": "It was all very curious.",
        "author": "alice",
        "private_notes": "",
    },
    {
        "id": 3,
        "slug": "can-we-fix-it",
        "title": "Can we fix it?",
        "content": "Yes we can.",
        "author": "bob",
        "private_notes": "",
    },
]

SETTINGS = {"httpauth": {"realm": "blog", "users": PASSWORD_HASHES}}


def _with_author(post: Mapping[str, Any]) -> dict[str, Any]:
    """The post with its author as a related object, as Piston's ORM gave it; the
    handlers' ``fields`` then pick ``username`` and ``first_name`` from it."""
    name = post.get("author", "")
    return {**post, "author": USERS.get(name, {"username": name})}


def _posts(handler: Handler) -> Any:
    return handler.request.app.stores[BlogPostHandler]


def _load(handler: Handler, slug: str) -> dict[str, Any]:
    record = _posts(handler).get(slug)
    if record is None:
        raise NotFound(f"No post {slug!r}.")
    return _with_author(record.data)


class AnonymousBlogPostHandler(Handler):
    """What clients without credentials see (Piston's ``AnonymousBaseHandler``)."""

    allowed_methods = ("GET",)
    fields = ("title", "content", "content_size")

    @classmethod
    def content_size(cls, post: Mapping[str, Any]) -> int:
        return len(post.get("content") or "")

    def read(self, slug: str) -> dict[str, Any]:
        return _load(self, slug)


class BlogPostHandler(Handler):
    """A blog post at ``/posts/<slug>``."""

    resource_name = "posts"
    key_name = "slug"
    key_field = "slug"
    key_pattern = r"[a-z0-9][a-z0-9-]{0,99}"
    allowed_methods = ("GET", "PUT", "DELETE")
    authentication = ("basic",)
    anonymous = AnonymousBlogPostHandler
    permissions = {"DELETE": is_owner("author"), "*": authenticated}
    store = "memory"
    source = SEED_POSTS
    fields = ("title", "content", ("author", ("username", "first_name")), "content_size")
    exclude = ("id", re.compile(r"^private_"))

    @classmethod
    def content_size(cls, post: Mapping[str, Any]) -> int:
        return len(post.get("content") or "")

    def read(self, slug: str) -> dict[str, Any]:
        return _load(self, slug)

    @throttle(5, 10 * 60)
    def update(self, slug: str, data: Any) -> Result:
        """Replace a post's title and content (any signed-in user, as in Piston); a new
        slug creates a post by the caller (201)."""
        if not isinstance(data, Mapping) or not all(
            isinstance(data.get(k), str) and data.get(k) for k in ("title", "content")
        ):
            raise BadRequest("Send a JSON object with non-empty 'title' and 'content' strings.")
        store = _posts(self)
        record = store.get(slug)
        if record is None:
            post = {"slug": slug, "author": self.identity.id, "private_notes": ""}
            post.update(title=data["title"], content=data["content"])
            created = store.create(post)
            return rc.CREATED(_with_author(created.data))
        post = {**record.data, "title": data["title"], "content": data["content"]}
        updated = store.replace(slug, post, expected_version=record.version)
        return Result(_with_author(updated.data))

    def delete(self, slug: str) -> Any:
        """Only the author may delete (403 for anybody else)."""
        post = _posts(self).get(slug)
        if post is None:
            raise NotFound(f"No post {slug!r}.")
        self.authorize("delete", post.data)
        _posts(self).delete(slug)
        return rc.DELETED


def create_app(settings: Mapping[str, Any] | None = None) -> App:
    """A fresh blog (seeded posts, empty throttle counters)."""
    merged = {**SETTINGS, **(settings or {})}
    return App([BlogPostHandler], settings=merged)


app = create_app()
