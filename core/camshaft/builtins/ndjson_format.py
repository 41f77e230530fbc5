"""The NDJSON format (``application/x-ndjson``, ``?format=ndjson``).

Emitting: a collection is one JSON document per line, each line ending in ``\\n``
(streamed line by line, in constant memory); a single object (or a problem document)
is one line. Documents are written exactly as the JSON emitter writes them.

Parsing: every non-blank line is one JSON document, parsed by the JSON parser (so
with its rules and ``max_depth``); the result is always a list, one item per line.
A line that does not parse is a 400 naming the line; a value no emitter can write is a
400 naming it by its pointer in that list (``/2/price``: the third document).

A stream cut short ends at a line boundary and so looks complete: a client must rely
on HTTP framing (a missing last chunk, or a short Content-Length) to notice.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator
from itertools import repeat
from typing import Any

from camshaft.errors import BadRequest
from camshaft.plugin import (
    EmitContext,
    Emitter,
    ParseLimits,
    Parser,
    check_value,
    hookimpl,
    json_emit,
    json_encode_each,
    json_load,
    json_may_hold_unwritable,
)

MEDIA_TYPE = "application/x-ndjson"


def _line(item: Any, ctx: EmitContext) -> bytes:
    return json_emit(item, ctx) + b"\n"


def emit(data: Any, ctx: EmitContext) -> bytes:
    if ctx.many and isinstance(data, list | tuple):
        return b"".join(_line(item, ctx) for item in data)
    return _line(data, ctx)


def stream(items: Iterable[Any], ctx: EmitContext) -> Iterator[bytes]:
    """One line per item, one chunk per line, encoded as the JSON emitter does (in C)."""
    return map(operator.add, json_encode_each(items), repeat(b"\n"))


def parse(body: bytes, limits: ParseLimits) -> list[Any]:
    out = []
    for number, line in enumerate(body.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            out.append(json_load(line, limits))
        except BadRequest as exc:
            raise BadRequest(f"Line {number}: {exc.detail}", title=exc.title) from None
    if json_may_hold_unwritable(body):
        check_value(out)
    return out


EMITTER = Emitter(format="ndjson", media_type=MEDIA_TYPE, emit=emit, stream=stream)


@hookimpl(trylast=True)
def camshaft_emitters() -> list[Emitter]:
    return [EMITTER]


@hookimpl(trylast=True)
def camshaft_parsers() -> list[Parser]:
    return [Parser(MEDIA_TYPE, parse, format="ndjson", many=True)]
