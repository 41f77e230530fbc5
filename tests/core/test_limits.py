from __future__ import annotations

import io

import pytest
from werkzeug.test import EnvironBuilder

from camshaft import Handler
from camshaft.testing import make_app, make_client


class Sink(Handler):
    resource_name = "sink"

    def create(self, data):
        return {"got": data}, 200


@pytest.fixture
def client():
    return make_client(make_app([Sink], settings={"max_body_size": 1024, "max_depth": 8}))


def post_json(client, raw: str | bytes):
    return client.post("/sink/", data=raw, headers={"Content-Type": "application/json"})


def test_a_body_over_the_limit_is_413(client):
    response = post_json(client, b'"' + b"x" * 2000 + b'"')
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"


def test_a_chunked_body_over_the_limit_is_413():
    app = make_app([Sink], settings={"max_body_size": 1024})
    builder = EnvironBuilder(
        path="/sink/",
        method="POST",
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
    )
    environ = builder.get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ["wsgi.input"] = io.BytesIO(b'"' + b"y" * 5000 + b'"')
    environ["wsgi.input_terminated"] = True
    status = {}
    body = b"".join(app(environ, lambda s, h: status.setdefault("s", s)))
    assert status["s"].startswith("413"), body


def test_a_chunked_body_under_the_limit_is_read():
    app = make_app([Sink])
    environ = EnvironBuilder(
        path="/sink/", method="POST", headers={"Content-Type": "application/json"}
    ).get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ["wsgi.input"] = io.BytesIO(b'{"a": 1}')
    environ["wsgi.input_terminated"] = True
    status = {}
    body = b"".join(app(environ, lambda s, h: status.setdefault("s", s)))
    assert status["s"].startswith("200") and body == b'{"got":{"a":1}}'


@pytest.mark.parametrize(
    "raw",
    ["[" * 9 + "]" * 9, '{"a":' * 9 + "1" + "}" * 9, "[" * 100000 + "]" * 100000],
    ids=["nine levels of arrays", "nine levels of objects", "a hundred thousand levels"],
)
def test_nesting_past_the_limit_is_400_never_a_recursion_error(client, raw):
    if len(raw) > 1024:
        client = make_client(make_app([Sink], settings={"max_body_size": 1 << 20}))
    response = post_json(client, raw)
    assert response.status_code == 400
    assert "nest" in response.json["detail"]


def test_brackets_inside_strings_do_not_count_as_nesting(client):
    assert post_json(client, '["[[[[[[[[[[[[[[[[[["]').json == {"got": ["[" * 18]}


@pytest.mark.parametrize(
    "raw",
    ["NaN", "[Infinity]", '{"a": -Infinity}', '{"a": 1, "a": 2}', "{bad json", b"\xff\xfe"],
    ids=["nan", "infinity", "negative infinity", "duplicate keys", "syntax error", "not utf-8"],
)
def test_malformed_or_ambiguous_json_is_400(client, raw):
    response = post_json(client, raw)
    assert response.status_code == 400
    assert response.json["status"] == 400


@pytest.mark.parametrize(
    "content_type",
    ["application/python-pickle", "application/x-pickle", "text/plain", ""],
    ids=["pickle", "x-pickle", "plain text", "missing"],
)
def test_bodies_without_a_parser_are_415(client, content_type):
    response = client.post("/sink/", data=b"\x80\x04K\x01.", headers={"Content-Type": content_type})
    assert response.status_code == 415


def test_a_bad_content_length_is_400(client):
    environ = EnvironBuilder(
        path="/sink/", method="POST", headers={"Content-Type": "application/json"}
    ).get_environ()
    environ["CONTENT_LENGTH"] = "many"
    status = {}
    app = make_app([Sink])
    b"".join(app(environ, lambda s, h: status.setdefault("s", s)))
    assert status["s"].startswith("400")


def test_an_empty_body_is_none(client):
    assert client.post("/sink/", headers={"Content-Type": "application/json"}).json == {"got": None}


def test_the_413_names_the_limit_and_its_setting(client):
    response = post_json(client, b'"' + b"x" * 2000 + b'"')
    problem = response.json
    assert problem["limit"] == 1024 and problem["setting"] == "max_body_size"
    assert "1024 bytes" in problem["detail"]


def test_body_limits_sets_one_format_s_limit():
    app = make_app([Sink], settings={"body_limits": {"json": 16}})
    client = make_client(app)
    response = post_json(client, b'"' + b"x" * 20 + b'"')
    assert response.status_code == 413
    assert response.json["setting"] == "body_limits.json"
    assert response.json["limit"] == 16
    assert post_json(client, b'"xx"').status_code == 200


def test_a_format_without_its_own_limit_follows_max_body_size():
    app = make_app([Sink], settings={"max_body_size": 4096})
    assert app.parse_limits_for["application/json"].max_body_size == 4096
    assert app.parse_limits_for["application/x-ndjson"].max_body_size == 4096


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        ({"jsn": 10}, "body_limits.jsn' names no parser format"),
        ({"json": 0}, "must be a positive integer"),
        ({"json": "big"}, "must be a positive integer"),
    ],
    ids=["an unknown format", "zero", "a string"],
)
def test_bad_body_limits_fail_the_build(limits, message):
    from camshaft.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match=message):
        make_app([Sink], settings={"body_limits": limits})
