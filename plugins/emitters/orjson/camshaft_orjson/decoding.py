"""Parsing JSON with orjson, within the builtin parser's rules and limits.

The result, or the 400, is the builtin parser's for every body; the work is arranged so
that the common body costs one orjson call, a few byte scans and one walk over the
parsed containers:

* a body orjson refuses is handed to the builtin parser, which gives its own 400 (or,
  for what only the builtin accepts, such as a lone surrogate escape or ``1e400``, its
  own result);
* nesting is measured on the parsed data (orjson parses without recursion and refuses
  past 1024 levels); past ``max_depth`` :func:`camshaft.plugin.check_json_depth` raises
  the builtin's 400;
* orjson turns an integer beyond 64 bits into a float; a body with 19 digits in a row
  (found at C speed) goes to the builtin parser, which keeps such an integer an int;
* orjson keeps the last of repeated keys silently. Every key in the text is a string
  followed by a colon, so there are at least as many colons as key tokens, and in
  text with no whitespace before any colon at least as many ``":`` as key tokens;
  when either count equals the number of keys parsed there is no repeat. Otherwise
  (colons inside strings, spaced keys) the key tokens are counted exactly with a
  regular expression, and more tokens than keys sends the body to the builtin parser,
  which names the repeated key in its 400;
* what orjson itself accepts needs no :func:`camshaft.plugin.check_value` walk: it
  refuses lone surrogates and numbers that overflow to infinity, and every integer
  outside the signed 64-bit range has 19 digits or more, so goes to the builtin parser,
  which runs the check.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from camshaft.errors import BadRequest
from camshaft.plugin import ParseLimits, check_json_depth, json_parse

__all__ = ["parse"]

_BOM = b"\xef\xbb\xbf"
_CONTAINERS = frozenset({dict, list})
# Every digit becomes "0" and every other byte " ", so a C-speed substring search finds
# runs of digits. A 64-bit integer has at most 19 digits (20 unsigned); orjson keeps
# those exact, so a shorter run is never a converted integer.
_DIGIT_MAP = bytes(0x30 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))
_LONG_RUN = b"0" * 19
_SPACED_COLONS = (b" :", b"\t:", b"\n:", b"\r:")
# Every string token and the colon after it when it is a key. In text orjson accepted,
# each match starts at an opening quote, so the matches stay aligned with the tokens.
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"[ \t\r\n]*(:?)', re.DOTALL)


def _survey(data: Any) -> tuple[int, int]:
    """(number of keys, depth) of parsed data, without recursion."""
    keys = depth = 0
    stack: list[tuple[Any, int]] = [(data, 1)] if type(data) in _CONTAINERS else []
    while stack:
        value, level = stack.pop()
        depth = max(depth, level)
        if type(value) is dict:
            keys += len(value)
            value = value.values()
        stack.extend([(m, level + 1) for m in value if type(m) in _CONTAINERS])
    return keys, depth


def _has_long_digit_run(body: bytes) -> bool:
    """Whether the text has 19 digits in a row (an integer orjson may make a float)."""
    return _LONG_RUN in body.translate(_DIGIT_MAP)


def _repeats_a_key(body: bytes, keys: int) -> bool:
    if body.count(b":") == keys:
        return False
    if not any(spaced in body for spaced in _SPACED_COLONS) and body.count(b'":') == keys:
        return False
    return _STRING.findall(body).count(b":") > keys


def parse(body: bytes, limits: ParseLimits) -> Any:
    """Parse a JSON body as the builtin parser would; every refusal is a 400."""
    if body.startswith(_BOM):
        body = body[3:]
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return json_parse(body, limits)  # raises the builtin's 400 (or agrees)
    keys, depth = _survey(data)
    if depth > limits.max_depth:
        check_json_depth(body, limits.max_depth)  # raises the builtin's 400
        raise BadRequest(f"The body nests deeper than {limits.max_depth} levels.")
    if _has_long_digit_run(body) or (keys and _repeats_a_key(body, keys)):
        return json_parse(body, limits)
    return data
