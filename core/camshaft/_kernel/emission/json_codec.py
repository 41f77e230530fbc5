"""The JSON codec the builtin JSON format and other plugins share.

Emitting: datetimes and dates as ISO 8601 strings, UUIDs and Decimals as strings, enums
by value, bytes as base64, sets and tuples as arrays. Parsing rejects NaN/Infinity,
duplicate object keys and nesting past ``max_depth`` (each a 400).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import decimal
import enum
import json
import json.encoder
import operator
import uuid
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, islice, repeat
from json.encoder import encode_basestring
from typing import Any

from camshaft._kernel.emission.descriptors import EmitContext, ParseLimits
from camshaft._kernel.emission.limits import check_json_depth
from camshaft._kernel.values import check_value
from camshaft.errors import BadRequest

__all__ = ["default", "emit", "encode_each", "load", "may_hold_unwritable", "parse", "stream"]


def default(obj: Any) -> Any:
    """JSON's representation of the rich scalars and objects it has no type for."""
    if isinstance(obj, datetime.datetime | datetime.date | datetime.time):
        return obj.isoformat()
    if isinstance(obj, uuid.UUID | decimal.Decimal):
        return str(obj)
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(obj)).decode("ascii")
    if isinstance(obj, set | frozenset):
        return sorted(obj, key=repr)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    raise TypeError(f"{type(obj).__name__} is not JSON serializable")


_encoder = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=default
)


def emit(data: Any, ctx: EmitContext) -> bytes:
    return _encoder.encode(data).encode("utf-8")


# CPython's C encoder (None on interpreters without the _json accelerator).
_c_make_encoder: Any = getattr(json.encoder, "c_make_encoder", None)


def _item_encoder() -> Callable[[Any, int], list[str]]:
    """One C encoder for one stream: what ``_encoder.encode`` builds on every call (with a
    fresh circular-reference memo, as it does), built once, so each item costs one C
    call. Same options, so the same bytes."""
    assert _c_make_encoder is not None
    return _c_make_encoder(  # type: ignore[no-any-return]
        {}, default, encode_basestring, None, ":", ",", False, False, False
    )


def encode_each(items: Iterable[Any]) -> Iterator[bytes]:
    """Each item as one UTF-8 JSON document, as :func:`emit` writes it, lazily.

    The iteration runs in C (maps over one encoder made for this call): in a long
    stream the per-item work of the Python-level ``JSONEncoder.encode`` was a third of
    the time.
    """
    if _c_make_encoder is None:  # pragma: no cover
        return (_encoder.encode(item).encode("utf-8") for item in items)
    return map(str.encode, map("".join, map(_item_encoder(), items, repeat(0))))


def stream(items: Iterable[Any], ctx: EmitContext) -> Iterator[bytes]:
    """A JSON array written item by item; an error mid-way leaves it unterminated.

    One chunk per item (nothing is held back waiting for the next, however slowly a
    source yields): ``[``, the first, then ``,`` and each next, then ``]``.
    """
    encoded = encode_each(items)
    return chain((b"[",), islice(encoded, 1), map(operator.add, repeat(b","), encoded), (b"]",))


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        dup = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise ValueError(f"duplicate key {dup!r}")
    return obj


_decoder = json.JSONDecoder(parse_constant=_no_constants, object_pairs_hook=_no_duplicates)


# Every digit becomes "0", "e" and "E" become "e", signs stay, any other byte a space.
_NUMBER_SHAPES = bytes(
    0x30 if 0x30 <= b <= 0x39 else 0x65 if b in b"eE" else b if b in b"+-" else 0x20
    for b in range(256)
)
_SUSPECT_SHAPES = (b"0" * 19, b"e000", b"e+000", b"e-000")


def may_hold_unwritable(body: bytes) -> bool:
    """Whether JSON text could parse to a value :func:`~camshaft.plugin.check_value`
    refuses, found by C-speed byte scans (a false alarm only costs the walk).

    A lone surrogate needs a ``\\u`` escape of one; an integer outside 64 bits needs 19
    digits in a row; a float that overflows to infinity needs a three-digit exponent or
    over 300 digits. JSON keys are always strings.
    """
    if b"\\ud" in body or b"\\uD" in body:
        return True
    shapes = body.translate(_NUMBER_SHAPES)
    return any(suspect in shapes for suspect in _SUSPECT_SHAPES)


def parse(body: bytes, limits: ParseLimits) -> Any:
    """One JSON document within ``limits``; every refusal is a 400 (malformed, duplicate
    keys, too deep, or a value some emitter cannot write: ``1e400``, a lone surrogate, an
    integer past 64 bits)."""
    data = load(body, limits)
    if may_hold_unwritable(body):
        check_value(data)
    return data


def load(body: bytes, limits: ParseLimits) -> Any:
    """:func:`parse` without :func:`~camshaft.plugin.check_value` (for NDJSON's lines)."""
    check_json_depth(body, limits.max_depth)
    try:
        text = body.decode("utf-8-sig")
        data = _decoder.decode(text)
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest(f"The body is not valid JSON: {exc}", title="Malformed JSON") from None
    except RecursionError:  # belt and braces: the depth check runs first
        raise BadRequest("The body nests too deeply.") from None
    return data
