"""What a parser accepts, every emitter can write: check_value and the builtin parsers."""

from __future__ import annotations

import pytest

from camshaft import Handler
from camshaft._kernel.values import INT_LIMIT, check_value, pointer_to
from camshaft.builtins import ndjson_format
from camshaft.errors import ValidationError
from camshaft.plugin import ParseLimits, json_emit, json_may_hold_unwritable, json_parse
from camshaft.testing import make_app, make_client

LIMITS = ParseLimits()


@pytest.mark.parametrize(
    ("value", "pointer"),
    [
        (float("inf"), ""),
        ({"items": [0, 1, 2, {"price": float("nan")}]}, "/items/3/price"),
        ([-float("inf")], "/0"),
        ({"a/b": {"c~d": "\ud800"}}, "/a~1b/c~0d"),
        ({"name": "ok", "\udfff": 1}, "/\\udfff"),
        ([INT_LIMIT], "/0"),
        ([-INT_LIMIT], "/0"),
        ({"n": 10**400}, "/n"),
        ({1: "x"}, "/1"),
    ],
    ids=[
        "infinity at the top",
        "NaN deep in a list of objects",
        "minus infinity in a list",
        "a lone surrogate in a string, under keys that need escaping",
        "a lone surrogate in a key",
        "2**63",
        "minus 2**63",
        "a 401-digit integer",
        "a key that is not a string",
    ],
)
def test_refused_values_are_named_by_pointer(value, pointer):
    with pytest.raises(ValidationError) as caught:
        check_value(value)
    assert caught.value.status == 400
    assert caught.value.errors[0]["pointer"] == pointer
    # The problem itself must be writable: no surrogate survives into it.
    json_emit(caught.value.to_problem(), None)


@pytest.mark.parametrize(
    "value",
    [
        None,
        {"a": [1, 2.5, -0.0, True, None, "x", "é€😀", b"\x00"]},
        [INT_LIMIT - 1, -INT_LIMIT + 1, 1e308, -1e308],
        {"nul": "\x00", "tab": "\t"},
    ],
    ids=["null", "plain data", "the largest numbers", "control characters (models judge those)"],
)
def test_writable_values_pass(value):
    check_value(value)


def test_pointer_of_the_whole_document_is_empty():
    assert pointer_to([]) == ""
    assert pointer_to(["a", 0, "b/c"]) == "/a/0/b~1c"


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        (b"1e400", ""),
        (b'{"items": [1, 2, 3, {"price": -1e400}]}', "/items/3/price"),
        (b'{"name": "\\ud800"}', "/name"),
        (b'{"\\udc00x": 1}', "/\\udc00x"),
        (b'{"n": 9223372036854775808}', "/n"),
        (b'{"n": -9223372036854775808}', "/n"),
        (b"[18446744073709551616]", "/0"),
        (b"[1E+400]", "/0"),
        (b"[" + b"1" * 400 + b".5]", "/0"),
        (b'{"k": "\\uDC00"}', "/k"),
    ],
    ids=[
        "1e400",
        "-1e400 deep",
        "lone surrogate",
        "lone surrogate key",
        "2**63",
        "-2**63",
        "2**64",
        "1E+400",
        "a 400-digit float",
        "upper-case surrogate escape",
    ],
)
def test_json_parser_refuses_what_no_emitter_writes(body, pointer):
    with pytest.raises(ValidationError) as caught:
        json_parse(body, LIMITS)
    assert caught.value.errors[0]["pointer"] == pointer


def test_ndjson_names_the_document_and_member():
    body = b'{"a": 1}\n\n{"a": 2}\n{"a": 1e999}\n'
    with pytest.raises(ValidationError) as caught:
        ndjson_format.parse(body, LIMITS)
    assert caught.value.errors[0]["pointer"] == "/2/a"


def test_json_keeps_the_largest_64_bit_integers():
    body = b"[9223372036854775807, -9223372036854775807]"
    assert json_parse(body, LIMITS) == [INT_LIMIT - 1, -INT_LIMIT + 1]


class Sink(Handler):
    resource_name = "sink"

    def create(self, data):
        return {"got": data}, 200


def test_refusal_over_http_is_a_problem_naming_the_member():
    client = make_client(make_app([Sink]))
    response = client.post(
        "/sink/", data=b'{"items": [{"price": 1e400}]}', content_type="application/json"
    )
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    problem = response.json
    assert problem["errors"] == [{"pointer": "/items/0/price", "detail": "is not a finite number"}]
    assert "/items/0/price" in problem["detail"]


@pytest.mark.parametrize(
    "body",
    [b'{"a": [1, 2.5, "x\\u00e9"]}', b'{"price": 1e30, "n": 123456789012345678}'],
    ids=["plain data", "short exponents and 18 digits"],
)
def test_json_without_suspect_bytes_skips_the_walk(body):
    assert not json_may_hold_unwritable(body)


@pytest.mark.parametrize(
    "body",
    [b'"\\ud800"', b'"\\uDFFF"', b"1e308", b"1E-400", b"9223372036854775807", b"-" + b"9" * 19],
)
def test_json_with_suspect_bytes_gets_the_walk(body):
    assert json_may_hold_unwritable(body)
