"""Input limits parsers share: body size per format, nesting depth measured without recursion."""

from __future__ import annotations

import re
from collections.abc import Mapping
from itertools import accumulate
from typing import Any

from camshaft._kernel.emission.descriptors import ParseLimits, Parser
from camshaft.errors import BadRequest, ConfigurationError

__all__ = ["check_json_depth", "parse_limits_by_media_type"]

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


def parse_limits_by_media_type(
    parsers: Mapping[str, Parser], settings: Mapping[str, Any]
) -> dict[str, ParseLimits]:
    """Each parser's limits: ``body_limits.<format>`` when set, else the lower of the
    parser's own default and ``max_body_size``.

    :raises ConfigurationError: ``body_limits`` names a format no parser has, or a
        limit is not a positive integer.
    """
    overrides: Mapping[str, Any] = settings["body_limits"]
    known = {p.format for p in parsers.values() if p.format}
    for name, value in overrides.items():
        if name not in known:
            raise ConfigurationError(
                f"setting 'body_limits.{name}' names no parser format; "
                f"known: {', '.join(sorted(known)) or 'none'}"
            )
        if type(value) is not int or value <= 0:
            raise ConfigurationError(
                f"setting 'body_limits.{name}' must be a positive integer, got {value!r}"
            )
    default: int = settings["max_body_size"]
    depth: int = settings["max_depth"]
    out = {}
    for media_type, parser in parsers.items():
        if parser.format in overrides:
            size, setting = overrides[parser.format], f"body_limits.{parser.format}"
        elif parser.max_body_size is not None and parser.max_body_size < default:
            size = parser.max_body_size
            setting = f"body_limits.{parser.format}" if parser.format else "max_body_size"
        else:
            size, setting = default, "max_body_size"
        out[media_type] = ParseLimits(size, depth, setting)
    return out
