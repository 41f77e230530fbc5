"""The ``request_id`` and ``access_log`` builtins, over HTTP."""

from __future__ import annotations

import json
import logging
import re

import pytest

from camshaft import Handler
from camshaft.builtins.request_id import RequestIdFilter
from camshaft.testing import make_app, make_client

HEX32 = re.compile(r"[0-9a-f]{32}")


class Thing(Handler):
    resource_name = "things"
    links = False

    def read(self, key=None):
        logging.getLogger("app.things").warning("reading %s", key)
        return {"id": key, "seen_id": self.request.id}


def test_every_response_carries_a_fresh_request_id():
    client = make_client(make_app([Thing]))
    first, second = client.get("/things/1"), client.get("/things/1")
    assert HEX32.fullmatch(first.headers["X-Request-ID"])
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]
    assert first.json["seen_id"] == first.headers["X-Request-ID"]
    assert HEX32.fullmatch(client.get("/nothing").headers["X-Request-ID"])  # a problem too


def test_a_safe_client_id_is_echoed():
    client = make_client(make_app([Thing]))
    response = client.get("/things/1", headers={"X-Request-ID": "req-42.abc:Z/+="})
    assert response.headers["X-Request-ID"] == "req-42.abc:Z/+="
    assert response.json["seen_id"] == "req-42.abc:Z/+="


@pytest.mark.parametrize(
    "given",
    [
        "abc\r\nSet-Cookie: x=1",
        "abc\x00def",
        "abc\tdef",
        "a" * 129,
        "",
        "<script>",
        "id with spaces",
        "caf\u00e9",
    ],
    ids=repr,
)
def test_an_unsafe_client_id_is_replaced(given):
    client = make_client(make_app([Thing]))
    response = client.get("/things/1", environ_overrides={"HTTP_X_REQUEST_ID": given})
    assert response.status_code == 200
    assert HEX32.fullmatch(response.headers["X-Request-ID"])


def test_client_ids_can_be_ignored_and_the_header_renamed():
    app = make_app(
        [Thing], settings={"request_id": {"header": "Request-Id", "trust_client": False}}
    )
    response = make_client(app).get("/things/1", headers={"Request-Id": "mine"})
    assert HEX32.fullmatch(response.headers["Request-Id"])
    assert "X-Request-ID" not in response.headers


def test_log_records_of_a_request_carry_its_id(caplog):
    caplog.handler.addFilter(RequestIdFilter())
    client = make_client(make_app([Thing]))
    with caplog.at_level(logging.WARNING, logger="app.things"):
        response = client.get("/things/1", headers={"X-Request-ID": "trace-1"})
    record = next(r for r in caplog.records if r.name == "app.things")
    assert record.request_id == "trace-1" == response.headers["X-Request-ID"]


def test_access_log_is_off_by_default(caplog):
    with caplog.at_level(logging.INFO, logger="camshaft.access"):
        make_client(make_app([Thing])).get("/things/1")
    assert [r for r in caplog.records if r.name == "camshaft.access"] == []


def test_access_log_writes_one_structured_line_per_request(caplog):
    client = make_client(make_app([Thing], settings={"access_log": {}}))
    with caplog.at_level(logging.INFO, logger="camshaft.access"):
        ok = client.get("/things/1?secret=x", headers={"X-Request-ID": "r1"})
        client.get("/nothing", headers={"X-Request-ID": "r2"})
    lines = [r for r in caplog.records if r.name == "camshaft.access"]
    assert len(lines) == 2
    first, second = lines
    assert (first.method, first.path, first.status, first.request_id) == (
        "GET",
        "/things/1",
        200,
        "r1",
    )
    assert first.bytes == int(ok.headers["Content-Length"])
    assert isinstance(first.duration_us, int) and first.duration_us >= 0
    assert first.identity is None
    assert first.getMessage().startswith("GET /things/1 200 ")
    assert "secret" not in first.getMessage()
    assert (second.status, second.request_id) == (404, "r2")


def test_access_log_json_format_and_hostile_paths(caplog):
    client = make_client(make_app([Thing], settings={"access_log": {"format": "json"}}))
    with caplog.at_level(logging.INFO, logger="camshaft.access"):
        client.get("/things/a%0d%0aFAKE%20200")
    (record,) = [r for r in caplog.records if r.name == "camshaft.access"]
    message = record.getMessage()
    assert "\n" not in message and "\r" not in message
    entry = json.loads(message)
    assert entry["path"] == "/things/a%0D%0AFAKE%20200"
    assert entry["status"] == 400 and entry["method"] == "GET"  # an invalid key


def test_access_log_names_the_identity(caplog):
    from camshaft import AuthScheme, Identity, hookimpl

    class Who(Thing):
        resource_name = "who"
        authentication = ("fixed",)

    class Fixed:
        camshaft_name = "fixed"

        @staticmethod
        @hookimpl
        def camshaft_auth_schemes():
            return [AuthScheme("fixed", lambda request: Identity("bob", "fixed", kind="client"))]

    app = make_app([Who], plugins=[Fixed()], settings={"access_log": {}})
    with caplog.at_level(logging.INFO, logger="camshaft.access"):
        make_client(app).get("/who/1")
    (record,) = [r for r in caplog.records if r.name == "camshaft.access"]
    assert record.identity == "client:bob"
