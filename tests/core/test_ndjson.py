"""The builtin NDJSON format: one JSON document per line, streamed; bodies of lines."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from hypothesis import strategies as st

from camshaft import EmitContext, Handler, ParseLimits
from camshaft._kernel.plugin_manager import BUILTINS
from camshaft.builtins.ndjson_format import EMITTER, parse
from camshaft.errors import BadRequest
from camshaft.testing import make_app, make_client
from camshaft.testing.contracts import EmitterContract
from camshaft.testing.samples import VALUES

LIMITS = ParseLimits()


class TestNdjsonEmitterContract(EmitterContract):
    plugins = ()
    format = "ndjson"
    media_type = "application/x-ndjson"
    parses_to_list = True
    # Any JSON value is a line, so a collection is a list of any values, not only objects.
    collections = st.lists(VALUES, max_size=6)
    stream_examples = 200
    sample_doc = Path(__file__).parents[2] / "docs" / "formats" / "ndjson.md"
    sample_fence = "json"


class Events(Handler):
    resource_name = "events"

    def read(self, key=None):
        if key is None:
            return ({"n": i, "at": datetime.date(2024, 1, i + 1)} for i in range(3))
        return {"n": int(key)}

    def create(self, data):
        return ({"received": data}, 200)


@pytest.fixture
def client():
    return make_client(make_app([Events]))


def test_ndjson_is_a_builtin():
    assert BUILTINS["ndjson"] == "camshaft.builtins.ndjson_format"
    assert make_app().emitters["ndjson"] is EMITTER


def test_iterator_streams_one_document_per_line(client):
    response = client.get("/events/?format=ndjson")
    assert response.mimetype == "application/x-ndjson"
    assert "Content-Length" not in response.headers
    assert response.data == (
        b'{"n":0,"at":"2024-01-01"}\n{"n":1,"at":"2024-01-02"}\n{"n":2,"at":"2024-01-03"}\n'
    )


def test_single_object_is_one_line(client):
    response = client.get("/events/4", headers={"Accept": "application/x-ndjson, */*;q=0.1"})
    assert response.data == b'{"n":4}\n'


def test_problem_documents_are_one_line(client):
    response = client.get("/nowhere?format=ndjson")
    assert response.status_code == 404
    assert response.data.endswith(b"}\n") and response.data.count(b"\n") == 1
    assert json.loads(response.data)["status"] == 404


def test_empty_collection_is_an_empty_body():
    assert EMITTER.emit([], EmitContext(many=True)) == b""
    assert b"".join(EMITTER.stream(iter([]), EmitContext(many=True))) == b""


def test_posted_lines_become_a_list(client):
    body = b'{"a":1}\r\n\n  \n[2]\n"x"'
    response = client.post("/events/", data=body, headers={"Content-Type": "application/x-ndjson"})
    assert response.json == {"received": [{"a": 1}, [2], "x"]}


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b'{"a":1}\n{"a":1,"a":2}\n', "Line 2: .*duplicate key"),
        (b'{"a":1}\n{"a":\n1}\n', "Line 2"),
        (b"1\nNaN\n", "Line 2: .*NaN"),
        (b"[" * 33 + b"]" * 33, "Line 1: .*deeper"),
    ],
    ids=["duplicate key", "document split over lines", "nan", "too deep"],
)
def test_bad_lines_are_400_naming_the_line(body, detail):
    with pytest.raises(BadRequest, match=detail):
        parse(body, LIMITS)
