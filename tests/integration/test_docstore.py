"""The docstore example over HTTP, on each backend: exact bytes in and out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from camshaft.errors import ConfigurationError
from camshaft.testing import Client, make_client
from examples.docstore.handlers import build_app

#: This project's Python may have no dbm but dbm.dumb, which the shelve backend refuses
#: unless allowed (docs/kv.md).
ALLOW_DUMB_DBM = {"CAMSHAFT__KV__SHELVE_ALLOW_DUMB": "true"}
BINARY = bytes(range(256)) * 4 + b"\x00\r\n--end"
API_KEY = "writer." + "s" * 32


class KeyedClient(Client):
    """A client that sends the writers' API key with every request."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["headers"] = {"X-API-Key": API_KEY, **dict(kwargs.get("headers") or {})}
        return super().open(*args, **kwargs)


@pytest.fixture(params=["memory", "file", "shelve"])
def client(request: pytest.FixtureRequest, tmp_path: Path) -> Client:
    return KeyedClient(
        build_app(request.param, tmp_path / "root", environ=ALLOW_DUMB_DBM, api_key=API_KEY)
    )


def test_writes_need_the_key_and_reads_do_not(tmp_path: Path) -> None:
    app = build_app("memory", tmp_path, environ={}, api_key=API_KEY)
    anonymous = make_client(app)
    for method in ("put", "delete"):
        response = getattr(anonymous, method)("/docs/x", data=b"x")
        assert response.status_code == 401, method
    assert anonymous.post("/docs/", data=b"x").status_code == 401
    wrong = anonymous.put("/docs/x", data=b"x", headers={"X-API-Key": "writer." + "t" * 32})
    assert wrong.status_code == 401
    assert KeyedClient(app).put("/docs/x", data=b"x").status_code == 201
    assert anonymous.get("/docs/x").data == b"x"
    assert anonymous.get("/docs/").status_code == 200


def test_without_a_configured_key_nobody_writes(tmp_path: Path) -> None:
    client = KeyedClient(build_app("memory", tmp_path, environ={}))
    assert client.put("/docs/x", data=b"x").status_code == 401


@pytest.mark.parametrize(
    ("content_type", "attachment"),
    [
        ("text/html; charset=utf-8", True),
        ("image/svg+xml", True),
        ("text/javascript", True),
        ("application/javascript", True),
        ("application/xhtml+xml", True),
        ("image/png", False),
        ("text/plain", False),
    ],
)
def test_active_types_are_downloads_and_nothing_is_sniffed(
    client: Client, content_type: str, attachment: bool
) -> None:
    client.put("/docs/doc", data=b"<script>alert(1)</script>", content_type=content_type)
    got = client.get("/docs/doc")
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in got.headers["Content-Security-Policy"]
    assert (got.headers.get("Content-Disposition") == "attachment") is attachment


def test_put_new_is_201_then_204(client: Client) -> None:
    created = client.put("/docs/photo.png", data=BINARY, content_type="image/png")
    assert created.status_code == 201
    assert created.headers["Location"] == "http://localhost/docs/photo.png"
    assert created.headers["ETag"].startswith('"')
    replaced = client.put("/docs/photo.png", data=b"v2", content_type="image/png")
    assert replaced.status_code == 204
    assert replaced.headers["ETag"] != created.headers["ETag"]


def test_get_returns_exact_bytes_type_and_etag(client: Client) -> None:
    put = client.put("/docs/blob", data=BINARY, content_type="application/x-blob; v=2")
    got = client.get("/docs/blob")
    assert got.status_code == 200
    assert got.data == BINARY
    assert got.headers["Content-Type"] == "application/x-blob; v=2"
    assert got.headers["ETag"] == put.headers["ETag"]


def test_body_is_not_parsed_whatever_its_type(client: Client) -> None:
    garbage = b'{"not": json'
    assert client.put("/docs/j", data=garbage, content_type="application/json").status_code == 201
    assert client.get("/docs/j").data == garbage


def test_no_content_type_is_octet_stream(client: Client) -> None:
    client.put("/docs/raw", data=b"abc")
    assert client.get("/docs/raw").headers["Content-Type"] == "application/octet-stream"


def test_post_stores_under_a_new_uuid(client: Client) -> None:
    posted = client.post("/docs/", data=b"hello", content_type="text/plain; charset=utf-8")
    assert posted.status_code == 201
    key = posted.json["key"]
    assert len(key) == 36 and posted.headers["Location"] == f"http://localhost/docs/{key}"
    assert posted.json["href"] == posted.headers["Location"]
    got = client.get(f"/docs/{key}")
    assert got.data == b"hello" and got.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert client.post("/docs/", data=b"again").json["key"] != key


def test_delete_then_404_problem(client: Client) -> None:
    client.put("/docs/gone", data=b"x")
    assert client.delete("/docs/gone").status_code == 204
    missing = client.get("/docs/gone")
    assert missing.status_code == 404
    assert missing.mimetype == "application/problem+json"
    assert missing.json["status"] == 404
    assert client.delete("/docs/gone").status_code == 404


def test_list_has_keys_and_links(client: Client) -> None:
    for key in ["b", "a", "10", "2"]:
        client.put(f"/docs/{key}", data=key.encode())
    listed = client.get("/docs/")
    assert listed.status_code == 200 and listed.mimetype == "application/json"
    assert [d["key"] for d in listed.json] == ["2", "10", "a", "b"]
    assert listed.json[0]["href"] == "http://localhost/docs/2"
    assert listed.headers["X-Total-Count"] == "4"


def test_list_of_empty_store(client: Client) -> None:
    assert client.get("/docs/").json == []


def test_unicode_key_round_trips_and_links_are_encoded(client: Client) -> None:
    created = client.put("/docs/%C3%BCber%20alles", data=b"u")
    assert created.status_code == 201
    assert created.headers["Location"] == "http://localhost/docs/%C3%BCber%20alles"
    assert client.get("/docs/%C3%BCber%20alles").data == b"u"
    assert client.get("/docs/").json[0]["key"] == "über alles"


def test_conditional_requests(client: Client) -> None:
    etag = client.put("/docs/c", data=b"1").headers["ETag"]
    assert client.get("/docs/c", headers={"If-None-Match": etag}).status_code == 304
    assert client.put("/docs/c", data=b"2", headers={"If-Match": '"stale"'}).status_code == 412
    assert client.put("/docs/c", data=b"2", headers={"If-None-Match": "*"}).status_code == 412
    assert client.get("/docs/c").data == b"1"
    assert client.put("/docs/c", data=b"2", headers={"If-Match": etag}).status_code == 204
    assert client.delete("/docs/c", headers={"If-Match": etag}).status_code == 412
    assert client.put("/docs/new", data=b"n", headers={"If-Match": etag}).status_code == 412


def test_conditional_requests_as_rfc_9110_writes_them(client: Client) -> None:
    # If-Match: * on nothing is 412 and creates nothing.
    assert client.put("/docs/m", data=b"m", headers={"If-Match": "*"}).status_code == 412
    assert client.get("/docs/m").status_code == 404
    etag = client.put("/docs/m", data=b"1").headers["ETag"]
    assert client.put("/docs/m", data=b"2", headers={"If-Match": "*"}).status_code == 204
    etag = client.get("/docs/m").headers["ETag"]
    # A list: success when the current tag is in it, 412 otherwise.
    listed = client.put("/docs/m", data=b"3", headers={"If-Match": f'"a", {etag}'})
    assert listed.status_code == 204
    etag = listed.headers["ETag"]
    assert client.put("/docs/m", data=b"4", headers={"If-Match": '"a", "b"'}).status_code == 412
    # If-None-Match with the current tag refuses the write; another tag lets it through.
    assert client.put("/docs/m", data=b"5", headers={"If-None-Match": etag}).status_code == 412
    assert client.delete("/docs/m", headers={"If-None-Match": etag}).status_code == 412
    assert client.get("/docs/m").data == b"3"
    assert client.put("/docs/m", data=b"6", headers={"If-None-Match": '"a"'}).status_code == 204
    # Malformed: 400 naming the header, nothing written.
    for header in ("If-Match", "If-None-Match"):
        for value in ("unquoted", ""):
            bad = client.put("/docs/m", data=b"7", headers={header: value})
            assert bad.status_code == 400 and header in bad.json["detail"]
    assert client.get("/docs/m").data == b"6"


@pytest.mark.parametrize(
    "path",
    [
        "/docs/..",
        "/docs/%2e%2e",
        "/docs/%252e%252e",
        "/docs/%252e%252e%252fetc",
        "/docs/a%00b",
        "/docs/a%5cb",
        "/docs/CON",
        "/docs/lpt1.txt",
        "/docs/trailing.",
        "/docs/" + "a" * 256,
    ],
)
def test_traversal_and_bad_keys_are_400(client: Client, path: str, tmp_path: Path) -> None:
    response = client.put(path, data=b"evil")
    assert response.status_code == 400, response.data
    assert response.mimetype == "application/problem+json"
    assert client.get(path).status_code == 400
    assert not [p for p in tmp_path.rglob("*") if p.is_file() and "root" not in p.parts]


@pytest.mark.parametrize("path", ["/docs/a/b", "/docs/../../etc/passwd", "/docs/%2fetc"])
def test_paths_with_slashes_are_404_or_400(client: Client, path: str) -> None:
    assert client.put(path, data=b"evil").status_code in (400, 404)


def test_body_over_the_limit_is_413(tmp_path: Path) -> None:
    app = build_app("file", tmp_path, settings={"max_body_size": 10}, environ={}, api_key=API_KEY)
    response = KeyedClient(app).put("/docs/big", data=b"x" * 11)
    assert response.status_code == 413
    assert make_client(app).get("/docs/big").status_code == 404


def test_patch_is_not_allowed(client: Client) -> None:
    client.put("/docs/p", data=b"x")
    assert client.patch("/docs/p", data=b"y").status_code == 405


def test_environment_chooses_backend_and_root(tmp_path: Path) -> None:
    app = build_app(
        environ={
            "DOCSTORE_BACKEND": "shelve",
            "DOCSTORE_ROOT": str(tmp_path),
            "DOCSTORE_API_KEY": API_KEY,
            **ALLOW_DUMB_DBM,
        }
    )
    assert KeyedClient(app).put("/docs/x", data=b"x").status_code == 201
    assert (tmp_path / "docs" / ".lock").exists()
    assert [p.name for p in (tmp_path / "docs").iterdir() if p.name.startswith("shelf")]


def test_unknown_backend_fails_the_start() -> None:
    with pytest.raises(ConfigurationError, match="backend"):
        build_app("redis", environ={})
