"""camshaft-msgpack: the emitter contract, limits on parsing, arrays and round trips."""

from __future__ import annotations

from pathlib import Path

import msgpack
import pytest
from hypothesis import strategies as st

from camshaft import EmitContext, ParseLimits
from camshaft.errors import BadRequest, PayloadTooLarge
from camshaft.testing import make_app, make_client, samples
from camshaft.testing.contracts import EmitterContract
from camshaft.testing.samples import SAMPLE, Things
from camshaft_msgpack import EMITTER, parse

LIMITS = ParseLimits()

# msgpack carries bytes (the bin type) too; its ints past the signed 64-bit range and
# its infinities are refused like every parser's (camshaft.plugin.check_value).
SCALARS = samples.scalars() | st.binary(max_size=20)


class TestMsgpackEmitterContract(EmitterContract):
    plugins = ("msgpack",)
    format = "msgpack"
    media_type = "application/msgpack"
    values = samples.nested(SCALARS)
    collections = samples.records(SCALARS)
    sample_doc = Path(__file__).parents[2] / "docs" / "formats" / "msgpack.md"

    def documented_bytes(self, block):
        return bytes.fromhex(block)


@pytest.fixture
def client():
    return make_client(make_app([Things], plugins=["msgpack"]))


def post(client, body):
    return client.post("/things/", data=body, headers={"Content-Type": "application/msgpack"})


def test_rich_scalars_are_written_as_documented():
    out = msgpack.unpackb(EMITTER.emit(SAMPLE, EmitContext()))
    assert out["updated"] == "2024-05-01T12:30:00+00:00"
    assert out["uuid"] == "12345678-1234-5678-1234-567812345678"
    assert out["total"] == "19.90"
    assert out["logo"] == b"\x89PNG"  # the bin type


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (msgpack.packb(msgpack.ExtType(5, b"x")), "ext"),
        (msgpack.packb(msgpack.Timestamp(1)), "ext"),
        (msgpack.packb({1: "a"}), "map key"),
        (msgpack.packb({b"k": "a"}), "strings"),
        (b"\x82\xa1a\x01\xa1a\x02", "repeats"),
        (b"\x01\x02", "after the first"),
        (b"\x92\x01", "ends in the middle"),
        (b"\xdd\xff\xff\xff\xff", "exceeds"),
        (b"\xdb\xff\xff\xff\xff", "ends in the middle"),
        (b"\xa2\xff\xfe", "utf-8"),
        (b"\xc1", "acceptable"),
    ],
    ids=[
        "ext type",
        "timestamp ext",
        "int map key",
        "bytes map key",
        "duplicate key",
        "trailing data",
        "truncated",
        "array length past the body limit",
        "string length past the body",
        "invalid utf-8 string",
        "reserved byte",
    ],
)
def test_refused_bodies_are_400(client, body, detail):
    response = post(client, body)
    assert response.status_code == 400
    assert detail in response.json["detail"]


@pytest.mark.parametrize("depth", [33, 2000, 200_000], ids=lambda d: f"{d} levels")
def test_nesting_past_max_depth_is_400(client, depth):
    response = post(client, b"\x91" * depth + b"\xc0")
    assert response.status_code == 400
    assert response.json["title"] == "Too deeply nested"


def test_nesting_up_to_max_depth_is_accepted():
    value = parse(b"\x91" * 31 + b"\x81\xa1k\xc0", LIMITS)
    for _ in range(31):
        value = value[0]
    assert value == {"k": None}


def test_bodies_past_the_body_limit_are_refused_even_when_parsed_directly():
    small = ParseLimits(max_body_size=16)
    with pytest.raises(PayloadTooLarge):
        parse(b"\xdc\x00\x20" + b"\xc0" * 32, small)  # a 32-item array in a 16-byte limit


def test_a_declared_length_longer_than_the_body_is_refused():
    with pytest.raises(BadRequest):
        parse(b"\xdb\x7f\xff\xff\xff" + b"x" * 10, LIMITS)


def test_collections_are_one_array_even_when_streamed(client):
    response = client.get("/things/?format=msgpack")
    assert response.status_code == 200
    assert msgpack.unpackb(response.data) == [{"n": 0}, {"n": 1}, {"n": 2}]


def test_sized_collections_stream_without_buffering():
    pieces = list(EMITTER.stream([{"n": 1}, {"n": 2}], EmitContext(many=True)))
    assert pieces[0] == b"\x92" and len(pieces) == 3


def test_accept_q_values_choose_msgpack(client):
    accept = "application/json;q=0.2, application/msgpack"
    response = client.get("/things/1", headers={"Accept": accept})
    assert response.mimetype == "application/msgpack"
    assert msgpack.unpackb(response.data)["count"] == 3


def test_problem_documents_are_msgpack(client):
    response = post(client, b"\xc1")
    assert response.status_code == 400
    response = client.post(
        "/things/?format=msgpack", data=b"\xc1", headers={"Content-Type": "application/msgpack"}
    )
    assert response.mimetype == "application/msgpack"
    assert msgpack.unpackb(response.data)["status"] == 400


@pytest.mark.parametrize(
    ("value", "pointer"),
    [
        ({"a": float("nan")}, "/a"),
        ({"a": [float("inf")]}, "/a/0"),
        ({"a": -float("inf")}, "/a"),
        ({"a": 2**63}, "/a"),
        ({"a": 2**64 - 1}, "/a"),
        ({"a": -(2**63)}, "/a"),
    ],
    ids=["NaN", "infinity in a list", "minus infinity", "2**63", "2**64-1", "-2**63"],
)
def test_values_no_emitter_writes_are_400_naming_the_member(client, value, pointer):
    response = post(client, msgpack.packb(value))
    assert response.status_code == 400
    assert response.json["errors"][0]["pointer"] == pointer


def test_unsized_streams_hold_bounded_memory_and_stay_one_array():
    """200,000 rows of unknown count: one valid array, and the peak of Python memory
    allocated while streaming stays near the spool's bound, not the body's size."""
    import tracemalloc

    from camshaft_msgpack.packing import SPOOL_MEMORY

    rows = 200_000

    def items():
        for i in range(rows):
            yield {"id": i, "name": f"person {i}", "email": f"p{i}@example.com"}

    tracemalloc.start()
    try:
        size, first = 0, b""
        for chunk in EMITTER.stream(items(), EmitContext(many=True)):
            size += len(chunk)
            first = first or chunk
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert first == b"\xdd" + rows.to_bytes(4, "big")  # array32 header: every row
    assert size > 8 * SPOOL_MEMORY  # the body is far larger than the spool
    assert peak < 4 * SPOOL_MEMORY, (peak, size)


def test_unsized_stream_round_trips():
    items = ({"n": i} for i in range(5000))
    body = b"".join(EMITTER.stream(items, EmitContext(many=True)))
    assert msgpack.unpackb(body) == [{"n": i} for i in range(5000)]
