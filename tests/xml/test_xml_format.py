"""camshaft-xml: the emitter contract, the mapping, defused parsing and round trips."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import strategies as st

from camshaft import EmitContext, ParseLimits
from camshaft.errors import BadRequest
from camshaft.testing import make_app, make_client, samples
from camshaft.testing.contracts import EmitterContract
from camshaft.testing.samples import Things
from camshaft_xml import EMITTER, is_xml_name, parse

LIMITS = ParseLimits()
PROLOG = b'<?xml version="1.0" encoding="utf-8"?>\n'

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<lolz>&lol3;</lolz>"""


# XML 1.0 carries no control characters but tab, CR and LF, no U+FFFE/U+FFFF, and no
# lone surrogates: text that round-trips is narrower than a Python str.
XML_TEXT = st.text(
    st.characters(
        exclude_categories=("Cs",),
        exclude_characters="\ufffe\uffff",
        codec="utf-8",
    ).filter(lambda c: c in "\t\n\r" or c >= " "),
    max_size=20,
)
XML_SCALARS = samples.scalars(XML_TEXT)


class TestXmlEmitterContract(EmitterContract):
    plugins = ("xml",)
    format = "xml"
    media_type = "application/xml"
    values = samples.nested(XML_SCALARS, keys=XML_TEXT)
    collections = samples.records(XML_SCALARS, keys=XML_TEXT)
    sample_doc = Path(__file__).parents[2] / "docs" / "formats" / "xml.md"
    sample_fence = "xml"

    def documented_bytes(self, block):
        return block.removesuffix("\n").encode("utf-8")


@pytest.fixture
def client():
    return make_client(make_app([Things], plugins=["xml"]))


def emit(data, **ctx):
    return EMITTER.emit(data, EmitContext(**ctx))


def post_xml(client, body):
    return client.post("/things/", data=body, headers={"Content-Type": "application/xml"})


@pytest.mark.parametrize(
    ("data", "xml"),
    [
        ({"a": "x"}, b"<response><a>x</a></response>"),
        (
            {"a": 1, "b": 1.5, "c": False},
            b'<response><a type="int">1</a>'
            b'<b type="float">1.5</b><c type="bool">false</c></response>',
        ),
        ({"a": None}, b'<response><a type="null"></a></response>'),
        (
            {"a": [1, "y"]},
            b'<response><a type="list"><item type="int">1</item><item>y</item></a></response>',
        ),
        ({"a": {}, "b": []}, b'<response><a type="dict"></a><b type="list"></b></response>'),
        (
            {"1st": "x", "a b": "y", "xmlns": "z"},
            b'<response><item key="1st">x</item>'
            b'<item key="a b">y</item><item key="xmlns">z</item></response>',
        ),
        ({"k": 'a<b>&"\r\n'}, b'<response><k>a&lt;b&gt;&amp;"&#13;\n</k></response>'),
        ({"k": "\x00\ud800"}, "<response><k>\ufffd\ufffd</k></response>".encode()),
    ],
    ids=[
        "string as text",
        "typed scalars",
        "none as empty element with type null",
        "list as items",
        "empty containers typed",
        "keys that are not xml names",
        "escaping and carriage return",
        "characters xml cannot carry become U+FFFD",
    ],
)
def test_mapping(data, xml):
    assert emit(data) == PROLOG + xml


@pytest.mark.parametrize(
    "key", ["", "1", "a b", "a:b", "xml", "XMLfoo", "é", "<x>", 'q"'], ids=repr
)
def test_unusual_keys_never_crash_and_round_trip(key):
    assert not is_xml_name(key)
    assert parse(emit({key: "v"}), LIMITS) == {key: "v"}


def test_problem_documents_follow_rfc_9457_appendix_b(client):
    response = client.get("/nowhere?format=xml")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+xml"
    root = ET.fromstring(response.data)
    assert root.tag == "{urn:ietf:rfc:7807}problem"
    assert root.find("{urn:ietf:rfc:7807}status").text == "404"


def test_problem_lists_use_i_elements():
    body = emit({"errors": [{"pointer": "/a"}]}, problem=True)
    assert b"<errors><i><pointer>/a</pointer></i></errors>" in body


@pytest.mark.parametrize(
    ("body", "title"),
    [
        (BILLION_LAUGHS, "Unsafe XML"),
        (b'<!DOCTYPE r SYSTEM "http://example.com/r.dtd"><r/>', "Unsafe XML"),
        (b'<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><r>&e;</r>', "Unsafe XML"),
        (b"<r>&undefined;</r>", "Malformed XML"),
        (b"<r><a>1</a><a>2</a></r>", "Malformed XML"),
        (b'<r type="int">x</r>', "Malformed XML"),
        (b'<r type="float">nan</r>', "Malformed XML"),
        (b'<r type="bool">yes</r>', "Malformed XML"),
        (b'<r type="null">x</r>', "Malformed XML"),
        (b'<r type="date">x</r>', "Malformed XML"),
        (b'<r type="int"><a/></r>', "Malformed XML"),
        (b"<r>", "Malformed XML"),
    ],
    ids=[
        "billion laughs (dtd)",
        "external dtd",
        "external entity",
        "undefined entity",
        "repeated member",
        "bad int",
        "nan float",
        "bad bool",
        "non-empty null",
        "unknown type",
        "scalar with children",
        "unclosed",
    ],
)
def test_refused_bodies_are_400(client, body, title):
    response = post_xml(client, body)
    assert response.status_code == 400
    assert response.json["title"] == title


def test_nesting_past_max_depth_is_400(client):
    response = post_xml(client, b"<a>" * 80_000)  # under the 256 KiB XML body limit
    assert response.status_code == 400
    assert response.json["title"] == "Too deeply nested"


def test_nesting_up_to_max_depth_is_accepted():
    value = "x"
    for _ in range(32):
        value = {"a": value}
    assert parse(emit(value), LIMITS) == value
    with pytest.raises(BadRequest, match="deeper"):
        parse(emit({"a": value}), LIMITS)


def test_pretty_printed_and_namespaced_input_is_accepted():
    body = b"""<r xmlns="urn:x">
      <name>Ada</name>
      <tags type="list">
        <t>a</t>
        <t>b</t>
      </tags>
    </r>"""
    assert parse(body, LIMITS) == {"name": "Ada", "tags": ["a", "b"]}


def test_iterator_is_streamed(client):
    response = client.get("/things/", headers={"Accept": "application/xml"})
    assert "Content-Length" not in response.headers
    assert parse(response.data, LIMITS) == [{"n": 0}, {"n": 1}, {"n": 2}]


def test_cut_stream_is_not_well_formed():
    pieces = list(EMITTER.stream(iter([{"n": 1}, {"n": 2}]), EmitContext(many=True)))
    with pytest.raises(BadRequest):
        parse(b"".join(pieces[:-1]), LIMITS)


def test_accept_q_values_choose_xml(client):
    accept = "application/json;q=0.4, application/xml;q=0.8"
    response = client.get("/things/1", headers={"Accept": accept})
    assert response.mimetype == "application/xml"
    assert parse(response.data, LIMITS)["title"] == "Soup & <bread>"


def test_text_xml_bodies_are_parsed(client):
    response = client.post(
        "/things/", data=b"<r><a>x</a></r>", headers={"Content-Type": "text/xml"}
    )
    assert response.json == {"received": {"a": "x"}}


def test_an_unknown_declared_encoding_is_400_not_500():
    # Found by tests/integration/test_fuzz_parsers.py: expat raised LookupError.
    with pytest.raises(BadRequest, match="unknown encoding"):
        parse(b'<?xml version="1.0" encoding="t"?><r/>', LIMITS)


@pytest.mark.parametrize(
    "body",
    [
        b'<r><a type="int">9223372036854775808</a></r>',
        b'<r><a type="int">-9223372036854775808</a></r>',
    ],
)
def test_integers_past_64_bits_are_400_naming_the_member(body):
    with pytest.raises(BadRequest) as caught:
        parse(body, LIMITS)
    assert caught.value.extensions["errors"][0]["pointer"] == "/a"
