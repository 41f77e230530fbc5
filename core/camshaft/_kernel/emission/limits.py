"""Input limits parsers share: nesting depth measured without recursion."""

from __future__ import annotations

import re
from itertools import accumulate

from camshaft.errors import BadRequest

__all__ = ["check_json_depth"]

_ESCAPES = re.compile(rb"\\.", re.DOTALL)
#: Every byte but the four brackets, for bytes.translate to delete.
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_OPENERS = frozenset(b"[{")


def check_json_depth(body: bytes, max_depth: int) -> None:
    """Reject JSON text whose containers nest deeper than ``max_depth``.

    Runs before the parser, so a deep document is a 400, never a RecursionError.
    Brackets inside strings do not count: escapes are dropped first, after which every
    other quote-delimited segment is string content.

    :raises BadRequest: the text nests too deeply.
    """
    if body.count(b"[") + body.count(b"{") <= max_depth:
        return
    outside = b"".join(_ESCAPES.sub(b"", body).split(b'"')[::2])
    brackets = outside.translate(None, _NOT_BRACKETS)
    steps = (1 if b in _OPENERS else -1 for b in brackets)
    if max(accumulate(steps), default=0) > max_depth:
        raise BadRequest(
            f"The body nests deeper than {max_depth} levels.", title="Too deeply nested"
        )
