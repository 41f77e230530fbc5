"""Input limits parsers share: nesting depth measured without recursion."""

from __future__ import annotations

import re
from itertools import accumulate

from .errors import BadRequest

__all__ = ["check_json_depth"]

_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")
_OPENERS = frozenset(b"[{")


def check_json_depth(body: bytes, max_depth: int) -> None:
    """Reject JSON text whose containers nest deeper than ``max_depth``.

    Runs before the parser, so a deep document is a 400, never a RecursionError.

    :raises BadRequest: the text nests too deeply.
    """
    if body.count(b"[") + body.count(b"{") <= max_depth:
        return
    brackets = _BRACKETS.findall(_STRINGS.sub(b"", body))
    steps = (1 if b[0] in _OPENERS else -1 for b in brackets)
    if max(accumulate(steps), default=0) > max_depth:
        raise BadRequest(
            f"The body nests deeper than {max_depth} levels.", title="Too deeply nested"
        )
