"""camshaft-yaml: the emitter contract, safe parsing, round trips and the documented bytes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from camshaft import EmitContext, ParseLimits
from camshaft.errors import BadRequest, ValidationError
from camshaft.testing import make_app, make_client, samples
from camshaft.testing.contracts import EmitterContract
from camshaft.testing.samples import SAMPLE
from camshaft_yaml import EMITTER, parse

LIMITS = ParseLimits()

# A ~170-byte alias bomb: expanded, it would be 9**4 strings.
ALIAS_BOMB = b"""a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
"""


class TestYamlEmitterContract(EmitterContract):
    plugins = ("yaml",)
    format = "yaml"
    media_type = "application/yaml"
    round_trip_examples = 150
    sample_doc = Path(__file__).parents[2] / "docs" / "formats" / "yaml.md"
    sample_fence = "yaml"


class Things(samples.Things):
    def read(self, key=None):
        if key is None:
            return (dict(SAMPLE, count=i) for i in range(3))  # an iterator: streamed
        return SAMPLE


@pytest.fixture
def client():
    return make_client(make_app([Things], plugins=["yaml"]))


def post_yaml(client, body):
    return client.post("/things/", data=body, headers={"Content-Type": "application/yaml"})


def test_alias_bomb_is_refused_at_its_first_anchor(client):
    assert len(ALIAS_BOMB) < 200
    response = post_yaml(client, ALIAS_BOMB)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert "anchors" in response.json["detail"]


def test_a_lone_alias_is_refused():
    with pytest.raises(BadRequest, match="aliases"):
        parse(b"- *a\n", LIMITS)


@pytest.mark.parametrize(
    "body",
    [
        b"!!python/object/apply:os.system ['echo pwned']",
        b"a: !!python/name:os.system",
        b"a: !!binary aGk=",
        b"a: !!timestamp 2024-01-01",
        b"a: !!set {x, y}",
        b"a: !custom x",
    ],
    ids=["python object", "python name", "binary", "timestamp", "set", "local tag"],
)
def test_object_building_tags_are_400(client, body):
    response = post_yaml(client, body)
    assert response.status_code == 400
    assert response.json["title"] == "Unsafe YAML"


def test_plain_scalar_tags_are_allowed():
    assert parse(b"a: !!str 5\nb: !!int '7'\n", LIMITS) == {"a": "5", "b": 7}


def test_untagged_timestamps_stay_strings():
    assert parse(b"day: 2024-01-01\n", LIMITS) == {"day": "2024-01-01"}


@pytest.mark.parametrize("opener", [b"[", b"{", b"- "], ids=["flow list", "flow map", "block"])
def test_nesting_past_max_depth_is_400_not_a_recursion_error(client, opener):
    response = post_yaml(client, opener * 100_000)
    assert response.status_code == 400
    assert response.json["title"] == "Too deeply nested"


def test_nesting_up_to_max_depth_is_accepted():
    body = b"[" * 32 + b"]" * 32
    data = parse(body, LIMITS)
    for _ in range(31):
        data = data[0]
    assert data == []
    with pytest.raises(BadRequest):
        parse(b"[" + body + b"]", LIMITS)


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"a: 1\na: 2\n", "repeats"),
        (b"1: a\n", "strings"),
        (b"x: .nan\n", "finite"),
        (b"--- 1\n--- 2\n", "single document"),
        (b"a: [1\n", "valid YAML"),
        (b"\xff\xfe\x00", "UTF-8"),
    ],
    ids=["duplicate key", "int key", "nan", "two documents", "unclosed", "not utf-8"],
)
def test_bad_bodies_are_400(body, detail):
    with pytest.raises(BadRequest, match=detail):
        parse(body, LIMITS)


def test_keys_keep_their_order():
    data = {"z": 1, "a": 2, "m": 3}
    assert EMITTER.emit(data, EmitContext()) == b"z: 1\na: 2\nm: 3\n"


def test_shared_objects_are_not_written_as_aliases():
    shared = {"x": 1}
    body = EMITTER.emit([shared, shared], EmitContext(many=True))
    assert b"&" not in body and b"*" not in body
    assert parse(body, LIMITS) == [{"x": 1}, {"x": 1}]


def test_iterator_is_streamed_as_a_block_sequence(client):
    response = client.get("/things/?format=yaml")
    assert response.status_code == 200
    assert "Content-Length" not in response.headers
    assert [item["count"] for item in parse(response.data, LIMITS)] == [0, 1, 2]


def test_empty_stream_is_an_empty_sequence():
    assert b"".join(EMITTER.stream(iter([]), EmitContext(many=True))) == b"[]\n"
    assert EMITTER.emit([], EmitContext(many=True)) == b"[]\n"


def test_accept_q_values_choose_yaml(client):
    accept = "application/json;q=0.5, application/yaml;q=0.9, */*;q=0.1"
    response = client.get("/things/1", headers={"Accept": accept})
    assert response.mimetype == "application/yaml"
    assert parse(response.data, LIMITS)["title"] == "Soup & <bread>"


def test_problem_documents_are_yaml(client):
    response = client.post(
        "/things/?format=yaml", data=b"a: &x 1", headers={"Content-Type": "application/yaml"}
    )
    assert response.status_code == 400
    assert response.mimetype == "application/yaml"
    assert parse(response.data, LIMITS)["status"] == 400


# --------------------------------------------------------------- YAML 1.2 core schema

from camshaft_yaml import loader  # noqa: E402


@pytest.fixture(params=["libyaml", "pure python"])
def events(request, monkeypatch):
    """Run a test with libyaml tokenising, then with PyYAML's pure-Python parser."""
    if request.param == "libyaml" and loader.CParser is None:
        pytest.skip("PyYAML was built without libyaml")
    monkeypatch.setattr(loader, "LIBYAML", request.param == "libyaml")
    return request.param


def test_libyaml_tokenises_when_pyyaml_has_it():
    assert loader.LIBYAML == bool(yaml.__with_libyaml__)
    if loader.LIBYAML:
        assert isinstance(loader._parser("a: 1", 32), yaml.cyaml.CParser)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1:20", "1:20"),
        ("190:20:30", "190:20:30"),
        ("2001-12-14t21:59:43.10-05:00", "2001-12-14t21:59:43.10-05:00"),
        ("yes", "yes"),
        ("No", "No"),
        ("on", "on"),
        ("OFF", "OFF"),
        ("y", "y"),
        ("0b101", "0b101"),
        ("1_000", "1_000"),
        ("true", True),
        ("False", False),
        ("TRUE", True),
        ("null", None),
        ("~", None),
        ("", None),
        ("12", 12),
        ("-12", -12),
        ("+12", 12),
        ("012", 12),
        ("0o17", 15),
        ("0x1F", 31),
        ("1.5", 1.5),
        ("-.5", -0.5),
        ("1e3", 1000.0),
        ("1.", 1.0),
        ("'12'", "12"),
        ('"true"', "true"),
        ("!!str 12", "12"),
        ("!!float 1", 1.0),
        ("! 12", "12"),
    ],
)
def test_plain_scalars_resolve_by_the_core_schema(events, text, value):
    got = parse(f"v: {text}\n".encode(), LIMITS)["v"]
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize(
    ("text", "pointer"),
    [
        ("{v: .inf}", "/v"),
        ("{v: -.Inf}", "/v"),
        ("[1, {v: .nan}]", "/1/v"),
        ("{v: 9223372036854775808}", "/v"),
        ("{v: 0x8000000000000000}", "/v"),
        ('{v: "\\ud800"}', "/v"),
    ],
    ids=["inf", "-inf", "nan", "2**63", "hex 2**63", "escaped surrogate"],
)
def test_values_no_emitter_writes_are_400_by_pointer(events, text, pointer):
    try:
        parse(text.encode(), LIMITS)
    except ValidationError as exc:
        assert exc.errors[0]["pointer"] == pointer
    except BadRequest as exc:  # libyaml refuses a surrogate escape while scanning
        assert "\\ud800" in text and "escape" in str(exc.detail)
    else:
        pytest.fail("accepted")


def test_explicit_tags_must_fit_their_value(events):
    with pytest.raises(BadRequest, match="not a valid int"):
        parse(b"v: !!int twelve\n", LIMITS)


def test_both_parsers_build_the_same_data(events):
    text = b"a: [1, 2.5, x, 'q', {b: null}]\nc:\n  - d: true\n    e: ''\n"
    assert parse(text, LIMITS) == {
        "a": [1, 2.5, "x", "q", {"b": None}],
        "c": [{"d": True, "e": ""}],
    }


def test_an_empty_body_is_null(events):
    assert parse(b"# nothing\n", LIMITS) is None


def test_yaml_bodies_default_to_256_kib(client):
    body = b"x: '" + b"a" * (256 * 1024) + b"'\n"
    response = post_yaml(client, body)
    assert response.status_code == 413
    assert response.json["setting"] == "body_limits.yaml"
    assert response.json["limit"] == 256 * 1024


def test_body_limits_raise_the_yaml_limit():
    app = make_app([Things], plugins=["yaml"], settings={"body_limits": {"yaml": 512 * 1024}})
    body = b"x: '" + b"a" * (256 * 1024) + b"'\n"
    response = post_yaml(make_client(app), body)
    assert response.status_code != 413


@pytest.mark.parametrize("text", ["1e3", "0o17", "1.", "-.5e1", "+12", "0x1F", "~", "", "TRUE"])
def test_strings_a_yaml_1_2_reader_would_take_for_numbers_are_quoted(text):
    body = EMITTER.emit({text: text}, EmitContext())
    assert parse(body, LIMITS) == {text: text}


# --------------------------------------------------------------------------- libyaml

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63) + 1, 2**63 - 1)  # what every emitter writes (check_value)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(exclude_categories=["Cs"]))  # no lone surrogates either
    | st.binary(max_size=20)
)
_DATA = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(_DATA)
def test_libyaml_writes_what_pure_python_writes(data) -> None:
    """The same document (the bytes may differ: libyaml writes an empty key as ``''``
    where PyYAML writes ``? ''``, and a bare scalar without the ``...`` end marker)."""
    import yaml

    from camshaft_yaml.dumper import PureSafeYamlDumper, SafeYamlDumper, _dump

    assert SafeYamlDumper.__mro__[2] is getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    fast, pure = _dump(data), _dump(data, PureSafeYamlDumper)
    assert parse(fast, ParseLimits()) == parse(pure, ParseLimits())
