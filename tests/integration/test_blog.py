"""Piston's blog example: Basic auth, anonymous view, shaping, throttled updates,
only the author deletes."""

from __future__ import annotations

import base64
import importlib
from typing import Any

import pytest

from camshaft.cli import load_app
from camshaft.testing import make_client

blog = importlib.import_module("examples.blog.app")


def creds(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


ALICE = creds("alice", "wonderland")
BOB = creds("bob", "builder")


@pytest.fixture
def client() -> Any:
    return make_client(blog.create_app())


def test_module_app_loads_as_camshaft_serve_does() -> None:
    app = load_app("examples.blog.app:app")
    assert app.auth_schemes["basic"]
    response = make_client(app).get("/posts/hello-world", headers=ALICE)
    assert response.status_code == 200


def test_authenticated_read_is_shaped(client: Any) -> None:
    response = client.get("/posts/hello-world", headers=ALICE)
    assert response.status_code == 200
    assert response.json == {
        "title": "Hello, world",
        "content": "My first post.",
        "author": {"username": "alice", "first_name": "Alice"},
        "content_size": len("My first post."),
        "url": "http://localhost/posts/hello-world",
    }
    assert response.headers["Cache-Control"] == "no-store"


def test_id_and_private_members_are_never_shown(client: Any) -> None:
    body = client.get("/posts/hello-world", headers=BOB).get_data(as_text=True)
    assert "private" not in body and '"id"' not in body and "train" not in body


def test_anonymous_clients_get_the_anonymous_handler(client: Any) -> None:
    response = client.get("/posts/hello-world")
    assert response.status_code == 200
    assert response.json == {
        "title": "Hello, world",
        "content": "My first post.",
        "content_size": 14,
    }


@pytest.mark.parametrize("method", ["put", "delete"])
def test_anonymous_writes_are_challenged(client: Any, method: str) -> None:
    response = getattr(client, method)("/posts/hello-world", json={"title": "x", "content": "y"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith('Basic realm="blog"')


def test_wrong_password_is_401(client: Any) -> None:
    response = client.get("/posts/hello-world", headers=creds("alice", "builder"))
    assert response.status_code == 401


def test_only_get_put_delete_are_allowed(client: Any) -> None:
    assert client.post("/posts/hello-world", json={}, headers=ALICE).status_code == 405
    assert client.patch("/posts/hello-world", json={}, headers=ALICE).status_code == 405
    assert client.get("/posts/", headers=ALICE).status_code == 404


def test_put_updates_the_post(client: Any) -> None:
    response = client.put(
        "/posts/hello-world", json={"title": "Hi", "content": "Edited"}, headers=BOB
    )
    assert response.status_code == 200
    assert response.json["title"] == "Hi" and response.json["content_size"] == 6
    assert response.json["author"]["username"] == "alice"  # editing does not steal it
    assert client.get("/posts/hello-world", headers=ALICE).json["content"] == "Edited"


def test_put_to_a_new_slug_creates_a_post_by_the_caller(client: Any) -> None:
    response = client.put("/posts/new-one", json={"title": "N", "content": "C"}, headers=BOB)
    assert response.status_code == 201
    assert response.json["author"] == {"username": "bob", "first_name": "Bob"}


def test_put_with_a_bad_body_is_400(client: Any) -> None:
    response = client.put("/posts/hello-world", json={"title": 3}, headers=ALICE)
    assert response.status_code == 400


def test_sixth_update_in_ten_minutes_is_429(client: Any) -> None:
    body = {"title": "T", "content": "C"}
    for _ in range(5):
        assert client.put("/posts/hello-world", json=body, headers=ALICE).status_code == 200
    response = client.put("/posts/hello-world", json=body, headers=ALICE)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    # The limit is per user: bob still has his five.
    assert client.put("/posts/hello-world", json=body, headers=BOB).status_code == 200
    # Reads are not throttled.
    assert client.get("/posts/hello-world", headers=ALICE).status_code == 200


def test_delete_by_someone_else_is_403(client: Any) -> None:
    response = client.delete("/posts/hello-world", headers=BOB)
    assert response.status_code == 403
    assert client.get("/posts/hello-world", headers=BOB).status_code == 200


def test_delete_by_the_author_is_204(client: Any) -> None:
    assert client.delete("/posts/hello-world", headers=ALICE).status_code == 204
    assert client.get("/posts/hello-world", headers=ALICE).status_code == 404


def test_bob_deletes_his_own_post(client: Any) -> None:
    assert client.delete("/posts/can-we-fix-it", headers=BOB).status_code == 204


@pytest.mark.parametrize(
    ("fmt", "mimetype", "plugin"),
    [("yaml", "application/yaml", "camshaft_yaml"), ("xml", "application/xml", "camshaft_xml")],
    ids=["yaml when camshaft-yaml is installed", "xml when camshaft-xml is installed"],
)
def test_other_formats_carry_the_same_shaped_post(client: Any, fmt, mimetype, plugin) -> None:
    pytest.importorskip(plugin, reason=f"{plugin} is not installed")
    response = client.get(f"/posts/hello-world?format={fmt}", headers=ALICE)
    assert response.status_code == 200
    assert response.mimetype == mimetype
    parsed = client.application.parse_body(mimetype, response.data)
    assert parsed["author"] == {"username": "alice", "first_name": "Alice"}
    assert parsed["content_size"] == len("My first post.")
    assert "id" not in parsed and not any(k.startswith("private") for k in parsed)
