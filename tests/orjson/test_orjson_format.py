"""camshaft-orjson: it replaces the builtin JSON format, with the builtin's behaviour."""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from camshaft import App, EmitContext, ParseLimits
from camshaft.builtins import json_format
from camshaft.errors import BadRequest
from camshaft.plugin import json_emit, json_parse, json_stream
from camshaft.testing import make_app, make_client
from camshaft.testing.contracts import EmitterContract
from camshaft.testing.samples import SAMPLE, SCALARS, VALUES, Things
from camshaft_orjson import EMITTER, parse

LIMITS = ParseLimits()


class Color(enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


@dataclasses.dataclass
class Point:
    x: int
    y: datetime.date


class TestOrjsonEmitterContract(EmitterContract):
    plugins = ("orjson",)
    format = "json"
    media_type = "application/json"
    sample_doc = Path(__file__).parents[2] / "docs" / "formats" / "orjson.md"
    sample_fence = "json"

    def documented_bytes(self, block):
        return block.removesuffix("\n").encode("utf-8")


def test_installed_orjson_replaces_the_builtin_json():
    app = make_app([Things], plugins=["orjson"])
    assert app.emitters["json"] is EMITTER
    assert app.parsers["application/json"].parse is parse


def only_discovering(name: str, **plugins) -> dict:
    """Settings that autoload entry points but block every installed plugin except
    ``name`` (other plugins may need settings of their own)."""
    others = sorted({ep.name for ep in entry_points(group="camshaft")} - {name})
    return {"plugins": {"autoload": True, "block": others, **plugins}}


def test_it_wins_when_discovered_through_its_entry_point():
    app = App([Things], settings=only_discovering("orjson"), environ={})
    assert app.emitters["json"] is EMITTER
    assert app.parsers["application/json"].parse is parse


def test_blocking_it_brings_the_builtin_back():
    settings = only_discovering("orjson")
    settings["plugins"]["block"].append("orjson")
    app = App([Things], settings=settings, environ={})
    assert app.emitters["json"] is json_format.EMITTER


RICH = {
    **SAMPLE,
    "naive": datetime.datetime(2024, 1, 2, 3, 4, 5, 600),
    "offset": datetime.datetime(2024, 1, 2, tzinfo=datetime.timezone(datetime.timedelta(hours=-5))),
    "date": datetime.date(2024, 1, 1),
    "time": datetime.time(1, 2, 3),
    "color": Color.RED,
    "level": Level.HIGH,
    "point": Point(1, datetime.date(2020, 2, 2)),
    "set": {"b", "a"},
    "tuple": (1, "x"),
    "big": 2**80,
    "int_keys": {1: "a", 2: "b"},
    "unicode": "héllo ✓ \u2028",
}


@pytest.mark.parametrize("many", [False, True], ids=["document", "collection"])
def test_emitted_bytes_are_the_builtins(many):
    data = [RICH, RICH] if many else RICH
    ctx = EmitContext(many=many)
    assert EMITTER.emit(data, ctx) == json_emit(data, ctx)


def test_streamed_bytes_are_the_builtins():
    ctx = EmitContext(many=True)
    ours = b"".join(EMITTER.stream(iter([RICH, SAMPLE]), ctx))
    assert ours == b"".join(json_stream(iter([RICH, SAMPLE]), ctx))


def test_unserialisable_objects_fail_as_in_the_builtin():
    with pytest.raises(TypeError):
        EMITTER.emit({"x": object()}, EmitContext())


@pytest.mark.parametrize(
    "body",
    [
        b'{"a":1,"a":2}',
        b'{"a":{"b":1,"b":1}}',
        b'[{"k":1},{"k":2,"k":3}]',
        b"NaN",
        b"[Infinity]",
        b"[-Infinity]",
        b"{'a': 1}",
        b'{"a":1,}',
        b"\xff\xfe\x00{[<",
        b"[" * 33 + b"]" * 33,
        b"[" * 100_000,
        b"1" * 5000,
        b'{"n":123456789012345678901234567890}',
        b'{"n":-9223372036854775808}',
        b'{"n":9223372036854775808}',
        b'"\\ud800"',
        b"[1e400]",
    ],
    ids=[
        "duplicate key",
        "nested duplicate key",
        "duplicate key in a list item",
        "nan",
        "infinity",
        "minus infinity",
        "single quotes",
        "trailing comma",
        "not utf-8",
        "33 levels",
        "very deep",
        "an integer past python's digit limit",
        "integer past 64 bits",
        "negative 2**63",
        "2**63",
        "lone surrogate escape",
        "float overflow",
    ],
)
def test_refused_bodies_are_refused_like_the_builtin(body):
    with pytest.raises(BadRequest) as ours:
        parse(body, LIMITS)
    with pytest.raises(BadRequest) as builtin:
        json_parse(body, LIMITS)
    assert ours.value.detail == builtin.value.detail


@pytest.mark.parametrize(
    "body",
    [
        b'{"a":"x\\":","b":1}',
        b'[":",{"a":1}]',
        b'{"a" : 1, "b":[{"c":{}}]}',
        b'\xef\xbb\xbf{"bom":true}',
        b'{"":1," ":2}',
        b"[-0, -0.0, 1E3]",
    ],
    ids=[
        "colon inside a string",
        "colon string before an object",
        "spaces before colons",
        "byte order mark",
        "empty and blank keys",
        "signed zeros and exponents",
    ],
)
def test_accepted_bodies_parse_as_in_the_builtin(body):
    assert repr(parse(body, LIMITS)) == repr(json_parse(body, LIMITS))


def test_problem_documents_are_problem_json():
    client = make_client(make_app([Things], plugins=["orjson"]))
    response = client.post(
        "/things/", data=b'{"a":1,"a":2}', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert "duplicate key 'a'" in response.json["detail"]


# The contract checks that what is emitted parses back; this checks the bytes are standard
# JSON too.
@settings(max_examples=200, deadline=None)
@given(VALUES)
def test_what_is_emitted_is_standard_json(value):
    assert json.loads(EMITTER.emit(value, EmitContext())) == value


@settings(max_examples=200, deadline=None)
@given(VALUES)
def test_parsing_agrees_with_the_builtin(value):
    body = json_emit(value, EmitContext())
    assert parse(body, LIMITS) == json_parse(body, LIMITS)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abc"), SCALARS), max_size=6))
def test_duplicate_keys_are_always_found(pairs):
    body = ("{" + ",".join(f"{json.dumps(k)}:{json.dumps(v)}" for k, v in pairs) + "}").encode()
    keys = [k for k, _ in pairs]
    if len(set(keys)) < len(keys):
        with pytest.raises(BadRequest, match="duplicate key"):
            parse(body, LIMITS)
    else:
        assert parse(body, LIMITS) == dict(pairs)
