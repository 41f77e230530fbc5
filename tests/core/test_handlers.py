from __future__ import annotations

import dataclasses
import logging

import pytest
from werkzeug.wrappers import Response

from camshaft import Handler, Result, rc


def make(method_name, body, resource="things", **attrs):
    return type("ThingHandler", (Handler,), {"resource_name": resource, method_name: body, **attrs})


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (rc.FORBIDDEN, 403),
        (rc.NOT_FOUND, 404),
        (rc.THROTTLED, 429),
        (rc.DUPLICATE_ENTRY, 409),
        (rc.NOT_HERE, 410),
        (rc.BAD_REQUEST, 400),
    ],
    ids=[
        "forbidden-is-403",
        "not-found-is-404",
        "throttled-is-429",
        "duplicate-is-409",
        "not-here-is-410",
        "bad-request-is-400",
    ],
)
def test_bare_error_statuses_become_problem_documents(client_for, status, code):
    client = client_for(make("read", lambda self, key: status))
    response = client.get("/things/1")
    assert response.status_code == code
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == code


def test_deleted_is_204_with_no_body(client_for):
    response = client_for(make("delete", lambda self, key: rc.DELETED)).delete("/things/1")
    assert response.status_code == 204
    assert response.data == b""


def test_created_with_location(client_for):
    handler = make("create", lambda self, data: rc.CREATED({"id": 5}, location="/things/5"))
    response = client_for(handler).post("/things/", json={})
    assert response.status_code == 201
    assert response.headers["Location"] == "http://localhost/things/5"
    assert response.json == {"id": 5}


def test_post_to_a_collection_returning_data_is_201_with_location_from_the_key(client_for):
    handler = make(
        "create", lambda self, data: {"id": 7, **data}, read=lambda self, key: {"id": key}
    )
    response = client_for(handler).post("/things/", json={"a": 1})
    assert response.status_code == 201
    assert response.headers["Location"] == "http://localhost/things/7"


def test_tuple_results_carry_status_and_headers(client_for):
    handler = make("read", lambda self, key: ({"ok": True}, 202, {"X-Job": "42"}))
    response = client_for(handler).get("/things/1")
    assert response.status_code == 202
    assert response.headers["X-Job"] == "42"


def test_result_objects(client_for):
    handler = make("read", lambda self, key: Result({"a": 1}, 200, {"ETag": '"v1"'}))
    response = client_for(handler).get("/things/1")
    assert response.headers["ETag"] == '"v1"'


def test_werkzeug_responses_pass_through(client_for):
    handler = make("read", lambda self, key: Response(b"raw", mimetype="image/png"))
    response = client_for(handler).get("/things/1")
    assert response.data == b"raw"
    assert response.mimetype == "image/png"


def test_read_returning_none_is_404_and_delete_returning_none_is_204(client_for):
    handler = make("read", lambda self, key: None, delete=lambda self, key: None)
    client = client_for(handler)
    assert client.get("/things/1").status_code == 404
    assert client.delete("/things/1").status_code == 204


def test_dataclasses_are_emitted_as_objects(client_for):
    @dataclasses.dataclass
    class Point:
        x: int
        y: int

    response = client_for(make("read", lambda self, key: Point(1, 2))).get("/things/1")
    assert response.json == {"x": 1, "y": 2}


def test_generators_are_streamed_as_a_json_array(client_for):
    def read(self, key=None):
        return ({"n": i} for i in range(3))

    response = client_for(make("read", read)).get("/things/")
    assert "Content-Length" not in response.headers
    assert response.json == [{"n": 0}, {"n": 1}, {"n": 2}]


def test_unhandled_exceptions_are_a_generic_500_and_logged(client_for, caplog):
    def read(self, key):
        raise RuntimeError("secret detail")

    with caplog.at_level(logging.ERROR, logger="camshaft"):
        response = client_for(make("read", read)).get("/things/1")
    assert response.status_code == 500
    assert response.mimetype == "application/problem+json"
    assert b"secret detail" not in response.data
    assert b"Traceback" not in response.data
    assert "secret detail" in caplog.text and "Traceback" in caplog.text


def test_identity_is_anonymous_without_authentication(client_for):
    handler = make(
        "read", lambda self, key: {"who": self.identity.id, "scheme": self.identity.scheme}
    )
    assert client_for(handler).get("/things/1").json == {"who": None, "scheme": "anonymous"}
