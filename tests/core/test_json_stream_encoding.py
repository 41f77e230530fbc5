"""The streamed JSON and NDJSON bytes are exactly what the one-piece emitters write."""

from __future__ import annotations

import datetime
import decimal
import json
import uuid
from typing import Any

import pytest

from camshaft.builtins import ndjson_format
from camshaft.plugin import EmitContext, json_emit, json_encode_each, json_stream

CTX = EmitContext(True, None)
ITEMS: list[Any] = [
    {"id": 1, "name": "é \u2028 \"q\" \\", "amount": 0.25, "none": None},
    {"when": datetime.datetime(2024, 5, 6, 7, 8, 9), "uuid": uuid.UUID(int=7)},
    {"price": decimal.Decimal("1.10"), "tags": ("a", "b"), "raw": b"\x00\xff", 3: "int key"},
    [1, 2.5, -0.0, 10**30, True],
    "plain",
]


def test_each_item_is_encoded_as_emit_encodes_it() -> None:
    assert list(json_encode_each(ITEMS)) == [json_emit(item, CTX) for item in ITEMS]


def test_a_streamed_array_is_the_emitted_array() -> None:
    assert b"".join(json_stream(iter(ITEMS), CTX)) == json_emit(ITEMS, CTX)
    assert b"".join(json_stream(iter([]), CTX)) == b"[]"


def test_streamed_ndjson_is_the_emitted_ndjson() -> None:
    streamed = b"".join(ndjson_format.stream(iter(ITEMS), CTX))
    assert streamed == ndjson_format.emit(ITEMS, CTX)
    assert json.loads(streamed.splitlines()[0])["amount"] == 0.25


def test_the_stream_is_lazy_one_item_per_chunk() -> None:
    pulled: list[int] = []

    def source() -> Any:
        for i in range(100):
            pulled.append(i)
            yield {"i": i}

    chunks = json_stream(source(), CTX)
    assert pulled == []  # nothing read before the server asks
    assert [next(chunks) for _ in range(3)] == [b"[", b'{"i":0}', b',{"i":1}']
    assert pulled == [0, 1]


@pytest.mark.parametrize("bad", [float("nan"), object()])
def test_an_item_json_cannot_hold_fails_as_emit_fails(bad: Any) -> None:
    with pytest.raises((ValueError, TypeError)) as streamed:
        b"".join(json_stream(iter([{"ok": 1}, {"bad": bad}]), CTX))
    with pytest.raises((ValueError, TypeError)) as emitted:
        json_emit({"bad": bad}, CTX)
    assert streamed.type is emitted.type
