"""What a parsed body may hold: only values that every emitter and store can write.

Every parser calls :func:`check_value` on what it parsed, before a handler sees it, so
that one request cannot store a value that makes every later read of a collection fail.
A value is refused (400) when it holds:

* a float that is not finite (``1e400`` parses as infinity in JSON, msgpack and YAML
  carry NaN and infinities natively);
* a string or mapping key with a lone surrogate (``"\\ud800"`` in JSON): it cannot be
  encoded as UTF-8, so no text format can write it;
* an integer outside the signed 64-bit range, ``-2**63 < n < 2**63``: msgpack, SQL
  ``BIGINT`` columns and most JSON readers stop there. The range is symmetric so that
  negating a stored value never leaves it; ``-2**63`` itself is refused too;
* a mapping key that is not a string.

The refusal names the member as a JSON Pointer (RFC 6901), e.g. ``/items/3/price``.
"""

from __future__ import annotations

from typing import Any

from camshaft.errors import FieldError, ValidationError
from camshaft.models import INT_LIMIT

__all__ = ["INT_LIMIT", "check_value", "pointer_to"]


_INF = float("inf")


class _Refused(Exception):
    """Raised at the bad value; each enclosing container adds its key on the way out."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.path: list[str | int] = []


def _escape(token: str | int) -> str:
    if isinstance(token, int):
        return str(token)
    # A key with a lone surrogate cannot be written either; show it escaped.
    text = token.encode("utf-8", "backslashreplace").decode("utf-8")
    return text.replace("~", "~0").replace("/", "~1")


def pointer_to(path: list[str | int]) -> str:
    """The JSON Pointer for ``path`` (outermost first); ``""`` is the whole document."""
    return "".join("/" + _escape(token) for token in path)


def _check_str(text: str) -> None:
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise _Refused("holds a lone surrogate, which no format can write") from None


def _walk(value: Any) -> None:
    kind = type(value)
    if kind is str:
        _check_str(value)
    elif kind is dict:
        for key, member in value.items():
            try:
                if type(key) is not str:
                    raise _Refused("has a key that is not a string")
                if not key.isascii():
                    _check_str(key)
                _walk(member)
            except _Refused as exc:
                exc.path.append(key if type(key) is str else repr(key))
                raise
    elif kind is list:
        for index, member in enumerate(value):
            try:
                _walk(member)
            except _Refused as exc:
                exc.path.append(index)
                raise
    elif kind is int:
        if not -INT_LIMIT < value < INT_LIMIT:
            raise _Refused("is an integer outside the signed 64-bit range")
    elif kind is float:
        if not -_INF < value < _INF:  # also False for NaN
            raise _Refused("is not a finite number")


def _fine(value: Any) -> bool:
    """Whether ``value`` passes, by the rules of :func:`_walk`, without keeping a path:
    scalars are checked inline (a function call each would double the cost)."""
    kind = type(value)
    if kind is dict:
        for key, member in value.items():
            if type(key) is not str or not (key.isascii() or _encodes(key)):
                return False
            kind = type(member)
            if kind is str:
                if not (member.isascii() or _encodes(member)):
                    return False
            elif kind is int:
                if not -INT_LIMIT < member < INT_LIMIT:
                    return False
            elif kind is float:
                if not -_INF < member < _INF:
                    return False
            elif (kind is dict or kind is list) and not _fine(member):
                return False
        return True
    if kind is list:
        for member in value:
            kind = type(member)
            if kind is str:
                if not (member.isascii() or _encodes(member)):
                    return False
            elif kind is int:
                if not -INT_LIMIT < member < INT_LIMIT:
                    return False
            elif kind is float:
                if not -_INF < member < _INF:
                    return False
            elif (kind is dict or kind is list) and not _fine(member):
                return False
        return True
    if kind is str:
        return value.isascii() or _encodes(value)
    if kind is int:
        return bool(-INT_LIMIT < value < INT_LIMIT)
    if kind is float:
        return bool(-_INF < value < _INF)
    return True


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_value(value: Any) -> None:
    """Refuse parsed data that some emitter or store could not write.

    ``value`` is what a parser built: dicts, lists, str, int, float, bool, None, bytes.
    Other types pass unchecked (a parser that makes them documents them). Runs in one
    walk (a second one finds the member when something is refused); nesting is bounded
    by the parser's depth limit.

    :raises ValidationError: a 400 naming the first offending member by its JSON
        Pointer, in the detail and in ``errors`` (as model validation does).
    """
    if _fine(value):
        return
    try:
        _walk(value)  # again, slower, to name the member
    except _Refused as exc:
        pointer = pointer_to(exc.path[::-1])
        shown = pointer or "The body"
        raise ValidationError(
            [FieldError(pointer, exc.reason)], detail=f"{shown} {exc.reason}."
        ) from None
