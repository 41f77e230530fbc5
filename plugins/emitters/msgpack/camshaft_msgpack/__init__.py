"""camshaft-msgpack: the ``msgpack`` format (``application/msgpack``), emitted and parsed.

See :mod:`camshaft_msgpack.packing` for what is written (a collection is one array) and
:mod:`camshaft_msgpack.unpacking` for the limits a request body must keep.
"""

from __future__ import annotations

from typing import Any

from camshaft import Emitter, ParseLimits, Parser, hookimpl

from .packing import emit, stream
from .unpacking import load

__all__ = ["EMITTER", "parse"]

MEDIA_TYPE = "application/msgpack"


def parse(body: bytes, limits: ParseLimits) -> Any:
    """Parse a msgpack request body within ``limits``; every refusal is a 400."""
    return load(body, limits.max_depth, limits.max_body_size)


# RFC 9457 registers no msgpack problem type, so problems are application/msgpack.
EMITTER = Emitter(format="msgpack", media_type=MEDIA_TYPE, emit=emit, stream=stream)


@hookimpl
def camshaft_emitters() -> list[Emitter]:
    return [EMITTER]


@hookimpl
def camshaft_parsers() -> list[Parser]:
    return [Parser(t, parse, format="msgpack") for t in (MEDIA_TYPE, "application/x-msgpack")]
