"""MessagePack emission.

Representations: maps, arrays, strings, integers, floats, booleans and nil as
themselves; ``bytes`` as the bin type; every other rich scalar as the builtin JSON
emitter writes it (datetimes and dates as ISO 8601 strings, UUIDs and Decimals as
strings, enums by value, sets as sorted arrays). No ext type is ever written (not even
the timestamp ext: clients and our own parser would have to accept ext types for it).

A collection is one msgpack array. An array header states its length up front, so when
the collection arrives as an iterator of unknown length the items are packed one by one
into a spool -- memory up to :data:`SPOOL_MEMORY` bytes, then a temporary file -- and
sent after the header once the count is known. Memory stays bounded however many rows
there are (the disk holds the packed body meanwhile); the first byte leaves only after
the last item is packed. A count asked of the store separately could disagree with the
rows read, and a wrong array header would corrupt the body, so none is asked.
"""

from __future__ import annotations

import enum
import tempfile
from collections.abc import Iterable, Iterator, Sized
from typing import Any

import msgpack

from camshaft.plugin import EmitContext, json_default

__all__ = ["SPOOL_MEMORY", "emit", "stream"]

#: Bytes of packed items a stream of unknown length keeps in memory before spilling the
#: rest to a temporary file.
SPOOL_MEMORY = 1024 * 1024
_CHUNK = 64 * 1024


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
    items are spooled (memory, then disk) until the length is known (see the module
    docstring).
    """
    packer = _packer()
    if isinstance(items, Sized):
        yield packer.pack_array_header(len(items))
        for item in items:
            yield packer.pack(item)
        return
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY) as spool:
        count = 0
        for item in items:
            spool.write(packer.pack(item))
            count += 1
        yield packer.pack_array_header(count)
        spool.seek(0)
        while chunk := spool.read(_CHUNK):
            yield chunk
