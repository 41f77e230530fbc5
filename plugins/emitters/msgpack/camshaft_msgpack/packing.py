"""MessagePack emission.

Representations: maps, arrays, strings, integers, floats, booleans and nil as
themselves; ``bytes`` as the bin type; every other rich scalar as the builtin JSON
emitter writes it (datetimes and dates as ISO 8601 strings, UUIDs and Decimals as
strings, enums by value, sets as sorted arrays). No ext type is ever written (not even
the timestamp ext: clients and our own parser would have to accept ext types for it).

A collection is one msgpack array. An array header states its length up front, so when
the collection arrives as an iterator of unknown length the items are packed one by one
into a buffer of packed bytes (not of objects) and sent after the header: the memory a
streamed msgpack collection holds is the size of its packed body. For exports too large
for that, use NDJSON or CSV, which stream in constant memory.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Sized
from typing import Any

import msgpack

from camshaft.plugin import EmitContext, json_default

__all__ = ["emit", "stream"]


def _default(obj: Any) -> Any:
    if isinstance(obj, enum.Enum):
        return obj.value
    return json_default(obj)


def _packer() -> msgpack.Packer:
    # datetime=False: datetimes go through _default (ISO strings), never the ext type.
    return msgpack.Packer(default=_default, use_bin_type=True, datetime=False)


def emit(data: Any, ctx: EmitContext) -> bytes:
    """``data`` packed as one msgpack object."""
    return bytes(_packer().pack(data))


def stream(items: Iterable[Any], ctx: EmitContext) -> Iterator[bytes]:
    """A msgpack array of ``items`` (the bytes of :func:`emit` for the whole list).

    With a sized ``items`` each item is written as it is packed; otherwise the packed
    items are buffered until the length is known (see the module docstring).
    """
    packer = _packer()
    if isinstance(items, Sized):
        yield packer.pack_array_header(len(items))
        for item in items:
            yield packer.pack(item)
        return
    buffer = bytearray()
    count = 0
    for item in items:
        buffer += packer.pack(item)
        count += 1
    yield packer.pack_array_header(count) + bytes(buffer)
