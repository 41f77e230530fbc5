"""What a parser accepts, every emitter can write (issue 10), across every installed format.

Bodies are written in each parser's format from values that include what no emitter
can write (non-finite floats, integers past 64 bits, lone surrogates) and from hostile
literals (``1e400``, ``1:20``, ``.nan``); whatever a parser accepts must then be written
by every emitter, whole and streamed, and read back unchanged by the JSON, msgpack and
YAML parsers.
"""

from __future__ import annotations

import csv
import io
import json
from importlib.metadata import entry_points
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from camshaft.errors import HTTPError
from camshaft.plugin import EmitContext
from camshaft.testing import make_app, samples

FORMAT_PLUGINS = ("yaml", "xml", "msgpack", "csv", "pickle")
INSTALLED = {ep.name for ep in entry_points(group="camshaft")}
#: Formats whose parsers must give back exactly what their emitters wrote.
ROUND_TRIP = ("json", "msgpack", "yaml")
EXAMPLES = 100


def _app(json_plugin: bool) -> Any:
    plugins = [p for p in FORMAT_PLUGINS if p in INSTALLED]
    if json_plugin:
        plugins.append("orjson")
    return make_app([], plugins=plugins)


@pytest.fixture(
    scope="module",
    params=["builtin json", "orjson"],
)
def app(request):
    if request.param == "orjson" and "orjson" not in INSTALLED:
        pytest.skip("camshaft-orjson is not installed")
    return _app(request.param == "orjson")


# ------------------------------------------------------------------ hostile values

_ANY_TEXT = st.text(max_size=12)  # lone surrogates included
_HOSTILE_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()  # NaN and infinities included
    | _ANY_TEXT
)
HOSTILE_VALUES = samples.nested(_HOSTILE_SCALARS, keys=_ANY_TEXT)

# Literal leaves written into the text as they are: numbers JSON readers disagree on.
_JSON_LITERALS = st.sampled_from(
    [
        "1e400",
        "-1e400",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "18446744073709551616",
        "1" * 30,
        "0.1e-400",
        '"\\ud800"',
        '"\\udfff\\ud800"',
        '"\\u0000"',
        '"a\\u001b[31m"',
    ]
)


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=True, allow_nan=True)


@st.composite
def json_bodies(draw: Any) -> bytes:
    leaf = _JSON_LITERALS | HOSTILE_VALUES.map(_json_text)
    tree = st.recursive(
        leaf,
        lambda inner: (
            st.lists(inner, max_size=4).map(lambda xs: "[" + ",".join(xs) + "]")
            | st.lists(st.tuples(_ANY_TEXT.map(_json_text), inner), max_size=4).map(
                lambda kv: "{" + ",".join(f"{k}:{v}" for k, v in kv) + "}"
            )
        ),
        max_leaves=12,
    )
    return draw(tree).encode("utf-8", "surrogatepass")


_YAML_LITERALS = st.sampled_from(
    [
        "1:20",
        "190:20:30",
        ".inf",
        "-.Inf",
        ".nan",
        "yes",
        "off",
        "~",
        "2001-12-14",
        "0o777",
        "0x8000000000000000",
        "9223372036854775808",
        "1e400",
        "1e3",
        "!!float 1e400",
        "!!int 0x10",
        "'\\ud800'",
        '"\\x00"',
        '"\\e"',
    ]
)


@st.composite
def yaml_bodies(draw: Any) -> bytes:
    tree = st.recursive(
        _YAML_LITERALS | HOSTILE_VALUES.map(_json_text),  # JSON is flow YAML
        lambda inner: (
            st.lists(inner, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]")
            | st.lists(st.tuples(_ANY_TEXT.map(_json_text), inner), max_size=4).map(
                lambda kv: "{" + ", ".join(f"{k}: {v}" for k, v in kv) + "}"
            )
        ),
        max_leaves=12,
    )
    return draw(tree).encode("utf-8", "surrogatepass")


def _packed(value: Any) -> bytes:
    import msgpack

    return msgpack.packb(value, use_bin_type=True, unicode_errors="surrogatepass")


_MSGPACK_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.floats()
    | _ANY_TEXT
    | st.binary(max_size=8)
)


def msgpack_bodies() -> Any:
    return samples.nested(_MSGPACK_SCALARS, keys=_ANY_TEXT).map(_packed)


def _xml_leaf(value: Any) -> str:
    kind = {bool: "bool", int: "int", float: "float", str: "str"}.get(type(value), "str")
    text = str(value).lower() if isinstance(value, bool) else str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;")
    return f'<v type="{kind}">{text}</v>'


def xml_bodies() -> Any:
    leaf = (st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=8)).map(
        _xml_leaf
    ) | st.sampled_from(['<v type="float">1e400</v>', '<v type="int">99999999999999999999</v>'])
    return st.lists(leaf, max_size=5).map(
        lambda xs: ('<r type="list">' + "".join(xs) + "</r>").encode("utf-8", "replace")
    )


def csv_bodies() -> Any:
    def table(rows: list[list[str]]) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([f"c{i}" for i in range(3)])
        writer.writerows(rows)
        return out.getvalue().encode("utf-8", "replace")

    text = st.text(st.characters(exclude_categories=["Cs"]), max_size=8)
    return st.lists(st.lists(text, min_size=3, max_size=3), max_size=4).map(table)


def ndjson_bodies() -> Any:
    return st.lists(json_bodies(), max_size=4).map(lambda xs: b"\n".join(xs))


BODIES = {
    "application/json": json_bodies(),
    "application/x-ndjson": ndjson_bodies(),
    "application/yaml": yaml_bodies(),
    "application/msgpack": msgpack_bodies(),
    "application/xml": xml_bodies(),
    "text/csv": csv_bodies(),
}


def _parsed_or_none(app: Any, media_type: str, body: bytes) -> Any:
    """The parsed body, or ``None`` when the parser refused it with a 4xx."""
    try:
        return app.parse_body(media_type, body)
    except HTTPError as exc:
        assert 400 <= exc.status < 500, exc
        return None


def _has_bytes(data: Any) -> bool:
    if isinstance(data, bytes):
        return True
    if isinstance(data, dict):
        data = data.values()
    return isinstance(data, list | type({}.values())) and any(_has_bytes(v) for v in data)


def _written_everywhere(app: Any, data: Any) -> None:
    many = isinstance(data, list)
    ctx = EmitContext(many=many)
    for name, emitter in app.emitters.items():
        assert isinstance(emitter.emit(data, ctx), bytes), name
        if many and emitter.stream is not None:
            b"".join(emitter.stream(iter(data), ctx))
    if _has_bytes(data):
        return  # only msgpack carries bytes; JSON and YAML write them as base64 text
    for name in ROUND_TRIP:
        emitter = app.emitters.get(name)
        if emitter is not None:
            back = app.parse_body(emitter.media_type, emitter.emit(data, ctx))
            assert back == data, name


@pytest.mark.parametrize("media_type", sorted(BODIES))
def test_what_a_parser_accepts_every_emitter_writes(app, media_type):
    if media_type not in app.parsers:
        pytest.skip(f"no parser for {media_type} installed")

    @settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.too_slow])
    @given(BODIES[media_type])
    def accepted_is_writable(body: bytes) -> None:
        data = _parsed_or_none(app, media_type, body)
        if data is not None:
            _written_everywhere(app, data)

    accepted_is_writable()


# Strings that one reader or another takes for something else when written plain.
_TRICKY_TEXT = samples.TEXT | st.sampled_from(
    ["1e3", "0o17", "0x1F", "1.", "1:20", "yes", "off", "~", "null", "2001-12-14", ".inf", "-.5"]
)
ROUND_TRIP_VALUES = samples.nested(samples.scalars(_TRICKY_TEXT), keys=_TRICKY_TEXT)


@pytest.mark.parametrize("name", ROUND_TRIP)
def test_round_trip_gives_the_same_value_back(app, name):
    emitter = app.emitters.get(name)
    if emitter is None:
        pytest.skip(f"no {name} emitter installed")

    @settings(max_examples=EXAMPLES)
    @given(ROUND_TRIP_VALUES)
    def round_trips(value: Any) -> None:
        body = emitter.emit(value, EmitContext())
        assert app.parse_body(emitter.media_type, body) == value

    round_trips()


@pytest.mark.parametrize(
    ("media_type", "body"),
    [
        ("application/json", b'{"a": 1e400}'),
        ("application/json", b'{"a": "\\ud800"}'),
        ("application/json", b'{"a": 9223372036854775808}'),
        ("application/yaml", b"a: .nan\n"),
        ("application/yaml", b"a: 18446744073709551615\n"),
        ("application/msgpack", b"\x81\xa1a\xcb\x7f\xf8\x00\x00\x00\x00\x00\x00"),
        ("application/msgpack", b"\x81\xa1a\xcf\xff\xff\xff\xff\xff\xff\xff\xff"),
        ("application/xml", b'<r><a type="int">9223372036854775808</a></r>'),
    ],
    ids=[
        "json 1e400",
        "json lone surrogate",
        "json 2**63",
        "yaml .nan",
        "yaml 2**64-1",
        "msgpack NaN",
        "msgpack uint64 2**64-1",
        "xml 2**63",
    ],
)
def test_each_parser_names_the_member_it_refuses(app, media_type, body):
    if media_type not in app.parsers:
        pytest.skip(f"no parser for {media_type} installed")
    with pytest.raises(HTTPError) as caught:
        app.parse_body(media_type, body)
    assert caught.value.status == 400
    assert caught.value.extensions["errors"][0]["pointer"] == "/a"
