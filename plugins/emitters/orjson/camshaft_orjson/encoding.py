"""Emitting JSON with orjson, in the builtin emitter's representations.

orjson writes datetimes, dates and times as ``isoformat()`` does, and UUIDs, enums,
str/int/dict/list subclasses and tuples the way the builtin does; dataclasses are passed
through to the builtin's ``default`` function, as are Decimals, bytes and sets. What
orjson cannot encode at all (integers beyond 64 bits, non-string keys, a ``time`` with
a timezone, nesting past 254 levels) is handed to the builtin encoder, which gives the
builtin's bytes or error.

Differences in bytes (see ``docs/formats/orjson.md``): float exponents are not padded
(``1e-7`` where the builtin writes ``1e-07``); a NaN or infinite float is written
``null`` where the builtin raises (a 500); and a datetime whose UTC offset has seconds
(historical local mean time) gets its offset truncated to minutes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from camshaft.plugin import EmitContext, json_default, json_emit

__all__ = ["emit", "stream"]

_OPTIONS = orjson.OPT_PASSTHROUGH_DATACLASS
_default = json_default


def emit(data: Any, ctx: EmitContext) -> bytes:
    """``data`` as compact UTF-8 JSON (the builtin's representations)."""
    try:
        return orjson.dumps(data, default=_default, option=_OPTIONS)
    except orjson.JSONEncodeError:
        return json_emit(data, ctx)


def stream(items: Iterable[Any], ctx: EmitContext) -> Iterator[bytes]:
    """A JSON array written item by item; an error mid-way leaves it unterminated."""
    yield b"["
    first = True
    for item in items:
        yield (b"" if first else b",") + emit(item, ctx)
        first = False
    yield b"]"
