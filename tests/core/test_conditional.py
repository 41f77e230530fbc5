"""Conditional requests as RFC 9110 §13 writes them, over HTTP with the real headers:
entity-tag lists, If-None-Match on writes, ``If-Match: *`` on nothing, malformed
headers, per-representation ETags, Last-Modified and the date preconditions, validators
returned by a handler without a store, and authorization before preconditions."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests
from werkzeug.http import http_date
from werkzeug.serving import WSGIRequestHandler, make_server

from camshaft import Handler, Result
from camshaft.models import IntegerField, Model, StringField
from camshaft.testing import make_app, make_client


class Person(Model):
    fields = [
        IntegerField("id", read_only=True),
        StringField("name", required=True),
        StringField("owner"),
    ]


def _people(**attrs):
    base = {
        "resource_name": "people",
        "store": "memory",
        "model": Person,
        "source": [{"id": i, "name": f"p{i}", "owner": "ann"} for i in range(5)],
    }
    base.update(attrs)
    return type("PersonHandler", (Handler,), base)


@pytest.fixture
def client():
    return make_client(make_app([_people()]))


def _tag(client, path: str = "/people/1", **kwargs) -> str:
    response = client.get(path, **kwargs)
    assert response.status_code == 200
    return response.headers["ETag"]


# --------------------------------------------------------------------------- If-Match


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_if_match_list_succeeds_when_the_current_tag_is_listed(client, method) -> None:
    etag = _tag(client)
    headers = {"If-Match": f'"nope", {etag}, W/"weak"'}
    body = {"name": "x"} if method != "delete" else None
    response = getattr(client, method)("/people/1", json=body, headers=headers)
    assert response.status_code in (200, 204), response.data


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_if_match_list_without_the_current_tag_is_412(client, method) -> None:
    etag = _tag(client)
    body = {"name": "x"} if method != "delete" else None
    # A weak tag never matches a write's strong comparison, even of the current version.
    headers = {"If-Match": f'"nope", "other", W/{etag}'}
    response = getattr(client, method)("/people/1", json=body, headers=headers)
    assert response.status_code == 412
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert client.get("/people/1").json["name"] == "p1"


def test_if_match_star_on_a_missing_resource_is_412_and_creates_nothing(client) -> None:
    response = client.put("/people/99", json={"name": "n"}, headers={"If-Match": "*"})
    assert response.status_code == 412
    assert client.get("/people/99").status_code == 404
    # On an existing one it holds.
    ok = client.put("/people/1", json={"name": "n"}, headers={"If-Match": "*"})
    assert ok.status_code == 200 and ok.json["name"] == "n"


def test_if_match_tag_on_a_missing_resource(client) -> None:
    etag = _tag(client)
    assert (
        client.put("/people/99", json={"name": "n"}, headers={"If-Match": etag}).status_code == 412
    )
    # PATCH and DELETE answer what they answer without the condition (RFC 9110 §13.2.1).
    assert (
        client.patch("/people/99", json={"name": "n"}, headers={"If-Match": etag}).status_code
        == 404
    )
    assert client.delete("/people/99", headers={"If-Match": "*"}).status_code == 404


# --------------------------------------------------------------------------- If-None-Match


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_if_none_match_with_the_current_tag_refuses_a_write(client, method) -> None:
    etag = _tag(client)
    body = {"name": "x"} if method != "delete" else None
    response = getattr(client, method)("/people/1", json=body, headers={"If-None-Match": etag})
    assert response.status_code == 412
    assert client.get("/people/1").json["name"] == "p1"
    # Weak comparison: W/ of the current tag matches too.
    weak = getattr(client, method)("/people/1", json=body, headers={"If-None-Match": f"W/{etag}"})
    assert weak.status_code == 412


def test_empty_tags_and_tabs_are_tags_like_any_other(client) -> None:
    etag = _tag(client)
    listed = f'""\t ,\t W/"", ,{etag}\t'
    assert (
        client.put("/people/1", json={"name": "t"}, headers={"If-Match": listed}).status_code == 200
    )
    assert (
        client.put("/people/1", json={"name": "u"}, headers={"If-Match": '""'}).status_code == 412
    )


def test_if_none_match_with_another_tag_lets_the_write_through(client) -> None:
    response = client.patch("/people/1", json={"name": "x"}, headers={"If-None-Match": '"old"'})
    assert response.status_code == 200 and response.json["name"] == "x"


def test_if_none_match_on_get_304_and_its_headers(client) -> None:
    first = client.get("/people/1")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    not_modified = client.get("/people/1", headers={"If-None-Match": f'"x", {etag}'})
    assert not_modified.status_code == 304 and not_modified.data == b""
    assert not_modified.headers["ETag"] == etag
    assert not_modified.headers["Last-Modified"] == modified
    assert client.head("/people/1", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/people/1", headers={"If-None-Match": "*"}).status_code == 304
    assert client.get("/people/1", headers={"If-None-Match": '"x"'}).status_code == 200


# --------------------------------------------------------------------------- malformed


@pytest.mark.parametrize("header", ["If-Match", "If-None-Match"])
@pytest.mark.parametrize("value", ["abc", "", '"a" "b"', '"unterminated', '*, "a"'])
@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_a_malformed_entity_tag_list_is_400_naming_the_header(
    client, header, value, method
) -> None:
    body = {"name": "x"} if method in ("put", "patch") else None
    response = getattr(client, method)("/people/1", json=body, headers={header: value})
    assert response.status_code == 400, (method, header, value)
    assert header in response.json["detail"]
    assert client.get("/people/1").json["name"] == "p1"


# --------------------------------------------------------------------------- representations


def test_strong_etags_differ_between_representations_but_all_match_a_write() -> None:
    app = make_app([_people()], plugins=["yaml"])
    client = make_client(app)
    json_tag = _tag(client)
    yaml_tag = _tag(client, headers={"Accept": "application/yaml"})
    fields_tag = _tag(client, query_string={"fields": "name"})
    assert len({json_tag, yaml_tag, fields_tag}) == 3
    assert not any(t.startswith("W/") for t in (json_tag, yaml_tag, fields_tag))
    # A cached YAML copy is fresh for YAML, not for JSON.
    accept_yaml = {"Accept": "application/yaml", "If-None-Match": yaml_tag}
    assert client.get("/people/1", headers=accept_yaml).status_code == 304
    assert client.get("/people/1", headers={"If-None-Match": yaml_tag}).status_code == 200
    # The compare-and-swap compares the stored version: any representation's tag will do.
    written = client.patch("/people/1", json={"name": "y"}, headers={"If-Match": yaml_tag})
    assert written.status_code == 200
    assert written.headers["ETag"] != json_tag
    stale = client.patch("/people/1", json={"name": "z"}, headers={"If-Match": fields_tag})
    assert stale.status_code == 412


# --------------------------------------------------------------------------- dates


def test_last_modified_and_the_date_preconditions(client) -> None:
    modified = client.get("/people/1").headers["Last-Modified"]
    later = http_date(datetime.now(UTC) + timedelta(hours=1))
    earlier = http_date(datetime.now(UTC) - timedelta(hours=1))
    assert client.get("/people/1", headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get("/people/1", headers={"If-Modified-Since": earlier}).status_code == 200
    assert client.get("/people/1", headers={"If-Modified-Since": "not a date"}).status_code == 200
    # If-None-Match takes precedence over If-Modified-Since.
    both = {"If-Modified-Since": modified, "If-None-Match": '"other"'}
    assert client.get("/people/1", headers=both).status_code == 200
    stale = client.patch("/people/1", json={"name": "x"}, headers={"If-Unmodified-Since": earlier})
    assert stale.status_code == 412
    assert client.get("/people/1", headers={"If-Unmodified-Since": earlier}).status_code == 412
    fresh = client.patch("/people/1", json={"name": "x"}, headers={"If-Unmodified-Since": later})
    assert fresh.status_code == 200 and "Last-Modified" in fresh.headers


# --------------------------------------------------------------------------- no store


class ClockHandler(Handler):
    resource_name = "clocks"
    moment = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)

    def read(self, key: str | None = None) -> Result:
        return Result({"id": key, "tick": 7}, etag="v7", last_modified=self.moment)


def test_a_handler_without_a_store_gets_validators_for_free() -> None:
    client = make_client(make_app([ClockHandler]))
    first = client.get("/clocks/a")
    etag = first.headers["ETag"]
    assert etag.startswith('"v7~') and first.headers["Last-Modified"] == http_date(
        ClockHandler.moment
    )
    assert client.get("/clocks/a", headers={"If-None-Match": etag}).status_code == 304
    since = {"If-Modified-Since": http_date(ClockHandler.moment)}
    assert client.get("/clocks/a", headers=since).status_code == 304
    assert client.get("/clocks/a", headers={"If-Match": '"v6"'}).status_code == 412
    assert client.get("/clocks/a", headers={"If-Match": etag}).status_code == 200
    assert client.get("/clocks/a", headers={"If-Match": "bad"}).status_code == 400


# --------------------------------------------------------------------------- authorization first


def _owned(request, identity, obj) -> bool:
    return obj is None or request.method == "GET" or obj.get("owner") == "bob"


def test_preconditions_are_evaluated_after_authorization() -> None:
    client = make_client(make_app([_people(permissions=[_owned])]))
    etag = _tag(client)
    # Another owner's row: a create-only PUT answers like the write would (403), not 412.
    create_only = client.put("/people/1", json={"name": "x"}, headers={"If-None-Match": "*"})
    assert create_only.status_code == 403
    assert (
        client.patch("/people/1", json={"name": "x"}, headers={"If-Match": '"no"'}).status_code
        == 403
    )
    assert client.delete("/people/1", headers={"If-None-Match": etag}).status_code == 403
    hidden = make_client(
        make_app([_people(permissions=[_owned])], settings={"auth": {"hide_forbidden": True}})
    )
    hidden_put = hidden.put("/people/1", json={"name": "x"}, headers={"If-None-Match": "*"})
    assert hidden_put.status_code == 404


# --------------------------------------------------------------------------- a real client


class _Quiet(WSGIRequestHandler):
    def log(self, *args, **kwargs) -> None:
        pass


@pytest.fixture
def served() -> Iterator[str]:
    server = make_server(
        "127.0.0.1", 0, make_app([_people()]), threaded=True, request_handler=_Quiet
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


def test_conditional_requests_with_requests_over_a_socket(served: str) -> None:
    url = f"{served}/people/2"
    with requests.Session() as http:
        first = http.get(url, timeout=10)
        etag = first.headers["ETag"]
        assert http.get(url, headers={"If-None-Match": etag}, timeout=10).status_code == 304
        listed = http.put(url, json={"name": "r"}, headers={"If-Match": f'"a", {etag}'}, timeout=10)
        assert listed.status_code == 200
        assert (
            http.put(url, json={"name": "s"}, headers={"If-Match": etag}, timeout=10).status_code
            == 412
        )
        assert (
            http.delete(
                url, headers={"If-None-Match": listed.headers["ETag"]}, timeout=10
            ).status_code
            == 412
        )
        missing = http.put(
            f"{served}/people/77", json={"name": "m"}, headers={"If-Match": "*"}, timeout=10
        )
        assert missing.status_code == 412
        bad = http.patch(url, json={"name": "t"}, headers={"If-Match": "unquoted"}, timeout=10)
        assert bad.status_code == 400 and "If-Match" in bad.json()["detail"]
