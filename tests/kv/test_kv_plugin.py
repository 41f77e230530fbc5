"""The ``kv`` plugin in an app: settings, store options, default CRUD over HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from camshaft import App, Handler
from camshaft.errors import ConfigurationError
from camshaft.testing import load_plugin, make_app, make_client
from camshaft_kv import FileBackend, KVStore, ShelveBackend


class ThingHandler(Handler):
    store = "kv"


def _app(root: Path, **kv: Any) -> App:
    # shelve_allow_dumb: this project's Python may have no dbm but dbm.dumb (docs/kv.md).
    settings = {"kv": {"root": str(root), "shelve_allow_dumb": True, **kv}}
    return make_app([ThingHandler], plugins=["kv"], settings=settings)


def test_entry_point_is_the_package() -> None:
    import camshaft_kv

    assert load_plugin("kv") is camshaft_kv


@pytest.mark.parametrize(("backend", "cls"), [("file", FileBackend), ("shelve", ShelveBackend)])
def test_settings_choose_backend_and_root(tmp_path: Path, backend: str, cls: type) -> None:
    app = _app(tmp_path, backend=backend)
    store = app.stores[ThingHandler]
    assert isinstance(store, KVStore) and isinstance(store.backend, cls)
    assert store.backend.directory == tmp_path.resolve() / "things"


def test_store_options_override_settings(tmp_path: Path) -> None:
    class ShelvedHandler(Handler):
        store = "kv"
        store_options = {
            "backend": "shelve",
            "root": str(tmp_path / "elsewhere"),
            "shelve_allow_dumb": True,
        }

    app = make_app([ShelvedHandler], plugins=["kv"], settings={"kv": {"root": str(tmp_path)}})
    backend = app.stores[ShelvedHandler].backend  # type: ignore[attr-defined]
    assert isinstance(backend, ShelveBackend)
    assert backend.directory == (tmp_path / "elsewhere" / "shelveds").resolve()


@pytest.mark.parametrize(
    ("settings", "options", "message"),
    [
        ({"backend": "redis"}, {}, "backend"),
        ({}, {"backend": "redis"}, "backend"),
        ({}, {"colour": "red"}, "colour"),
        ({"bogus": 1}, {}, "bogus"),
    ],
    ids=["bad backend setting", "bad backend option", "unknown option", "unknown setting"],
)
def test_bad_configuration_fails_the_start(
    tmp_path: Path, settings: dict[str, Any], options: dict[str, Any], message: str
) -> None:
    class OptionedHandler(Handler):
        store = "kv"
        store_options = options

    with pytest.raises(ConfigurationError, match=message):
        make_app(
            [OptionedHandler], plugins=["kv"], settings={"kv": {"root": str(tmp_path), **settings}}
        )


def test_source_is_refused(tmp_path: Path) -> None:
    class SeededHandler(Handler):
        store = "kv"
        source = [{"id": 1}]

    with pytest.raises(ConfigurationError, match="source"):
        make_app([SeededHandler], plugins=["kv"], settings={"kv": {"root": str(tmp_path)}})


def test_unwritable_root_fails_the_start(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(ConfigurationError, match="cannot open"):
        _app(blocker)


@pytest.mark.parametrize("backend", ["file", "shelve"])
def test_default_crud_over_http(tmp_path: Path, backend: str) -> None:
    client = make_client(_app(tmp_path, backend=backend))
    created = client.post("/things/", json={"name": "bob", "age": 3})
    assert created.status_code == 201
    assert created.headers["Location"].endswith("/things/1")
    etag = created.headers["ETag"]
    assert client.get("/things/1", headers={"If-None-Match": etag}).status_code == 304
    patched = client.patch("/things/1", json={"age": 4}, headers={"If-Match": etag})
    assert patched.status_code == 200
    assert patched.json.items() >= {"name": "bob", "age": 4, "id": 1}.items()
    stale = client.put("/things/1", json={"name": "x"}, headers={"If-Match": etag})
    assert stale.status_code == 412
    assert [(t["id"], t["age"]) for t in client.get("/things/").json] == [(1, 4)]
    assert client.delete("/things/1").status_code == 204
    assert client.get("/things/1").status_code == 404


@pytest.mark.parametrize("key", ["CON", "nul.txt", "%2e%2e", "a%2fb", "trailing."])
def test_keys_the_route_lets_through_are_refused_by_the_store(tmp_path: Path, key: str) -> None:
    client = make_client(_app(tmp_path))
    response = client.put(f"/things/{key.replace('%', '%25')}", json={"name": "x"})
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert list(tmp_path.rglob("*.kv")) == []


@pytest.mark.parametrize("backend", ["file", "shelve"])
def test_conditional_requests_over_http(tmp_path: Path, backend: str) -> None:
    client = make_client(_app(tmp_path, backend=backend))
    missing = client.put("/things/5", json={"name": "n"}, headers={"If-Match": "*"})
    assert missing.status_code == 412
    assert client.get("/things/5").status_code == 404
    etag = client.post("/things/", json={"name": "bob"}).headers["ETag"]
    listed = client.put("/things/1", json={"name": "b"}, headers={"If-Match": f'"x", {etag}'})
    assert listed.status_code == 200
    current = listed.headers["ETag"]
    assert (
        client.patch("/things/1", json={"a": 1}, headers={"If-None-Match": current}).status_code
        == 412
    )
    assert client.delete("/things/1", headers={"If-Match": '"x", "y"'}).status_code == 412
    assert client.delete("/things/1", headers={"If-Match": "nope"}).status_code == 400
    assert client.get("/things/1").json["name"] == "b"
