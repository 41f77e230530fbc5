"""Cursor tokens: a position in an ordered listing, signed so that clients cannot forge one.

A token is ``base64url(payload) "." base64url(HMAC-SHA256(secret, scope, payload))``
without padding. The payload is compact JSON, ``{"d": "n"|"p", "v": [values] | null}``:
the direction (rows after the position, or rows before it) and the ordering values of
the row the position is at (null: the end of the listing, for the ``last`` link).

The *scope* (the resource's path and its full ordering) is part of what is signed but not
of the token, so a cursor handed out for another resource or ordering fails the check
exactly like a tampered one. Tokens are signed, not encrypted: a client who decodes one
reads the ordering values of a row it was sent.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import decimal
import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from camshaft.errors import BadRequest, ConfigurationError

__all__ = ["AFTER", "BEFORE", "MAX_TOKEN_LENGTH", "CursorCodec", "Position", "scope_of"]

AFTER = "n"
BEFORE = "p"
#: Longer tokens are refused before any decoding (a cursor holds a few values).
MAX_TOKEN_LENGTH = 2048
_B64 = re.compile(r"[A-Za-z0-9_-]+")
_DOMAIN = b"camshaft-cursor-v1\x00"


@dataclass(frozen=True, slots=True)
class Position:
    """Where a page starts: ``direction`` :data:`AFTER` or :data:`BEFORE` the row whose
    ordering values are ``values`` (None: before the end, i.e. the last page)."""

    direction: str
    values: tuple[Any, ...] | None


# Values that JSON cannot carry travel tagged, as {"$": tag, "v": text}.
_TAGS: dict[str, Any] = {
    "dt": datetime.datetime.fromisoformat,
    "d": datetime.date.fromisoformat,
    "t": datetime.time.fromisoformat,
    "dec": decimal.Decimal,
    "u": uuid.UUID,
    "b": lambda text: base64.urlsafe_b64decode(text.encode()),
}


def _encode_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    # datetime before date: a datetime is a date.
    if isinstance(value, datetime.datetime):
        return {"$": "dt", "v": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"$": "d", "v": value.isoformat()}
    if isinstance(value, datetime.time):
        return {"$": "t", "v": value.isoformat()}
    if isinstance(value, decimal.Decimal):
        return {"$": "dec", "v": str(value)}
    if isinstance(value, uuid.UUID):
        return {"$": "u", "v": str(value)}
    if isinstance(value, bytes):
        return {"$": "b", "v": base64.urlsafe_b64encode(value).decode()}
    raise ConfigurationError(
        f"sqlalchemy: a {type(value).__name__} value cannot be put in a cursor; "
        "order cursor-paginated resources by columns of simpler types"
    )


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        tag, text = value.get("$"), value.get("v")
        if len(value) != 2 or tag not in _TAGS or not isinstance(text, str):
            raise ValueError("unknown tagged value")
        return _TAGS[tag](text)
    if isinstance(value, list):
        raise ValueError("lists are not ordering values")
    return value


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    if not _B64.fullmatch(text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _invalid() -> BadRequest:
    return BadRequest(
        "The cursor is malformed, was altered, or belongs to another listing or ordering; "
        "start again from the first page.",
        title="Invalid cursor",
    )


class CursorCodec:
    """Encodes and checks cursor tokens with one secret.

    :param secret: the HMAC key (its UTF-8 bytes, or random bytes).
    """

    __slots__ = ("_secret",)

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _mac(self, scope: str, payload: bytes) -> bytes:
        message = _DOMAIN + scope.encode() + b"\x00" + payload
        return hmac.new(self._secret, message, hashlib.sha256).digest()

    def encode(self, scope: str, position: Position) -> str:
        """The token for ``position`` in the listing ``scope`` names.

        :raises ConfigurationError: an ordering value of a type no cursor can carry.
        """
        values = None if position.values is None else [_encode_value(v) for v in position.values]
        payload = json.dumps(
            {"d": position.direction, "v": values}, separators=(",", ":"), allow_nan=True
        ).encode()
        return f"{_b64encode(payload)}.{_b64encode(self._mac(scope, payload))}"

    def decode(self, scope: str, token: str, width: int) -> Position:
        """The position a token holds, once its signature for ``scope`` is checked.

        :param width: how many ordering values the listing has (the tie-breaker included).
        :raises BadRequest: a token that is too long, malformed, truncated, altered, or
            signed for another scope.
        """
        if not token or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 1:
            raise _invalid()
        encoded_payload, encoded_mac = token.split(".")
        try:
            payload, mac = _b64decode(encoded_payload), _b64decode(encoded_mac)
        except (ValueError, binascii.Error):
            raise _invalid() from None
        if not hmac.compare_digest(mac, self._mac(scope, payload)):
            raise _invalid()
        # Signed by us from here on; the checks below guard against our own old formats.
        try:
            data = json.loads(payload)
            direction, raw = data["d"], data["v"]
            if direction not in (AFTER, BEFORE) or len(data) != 2:
                raise ValueError("bad direction")
            if raw is None:
                return Position(direction, None)
            if not isinstance(raw, list) or len(raw) != width:
                raise ValueError("bad values")
            return Position(direction, tuple(_decode_value(v) for v in raw))
        except (ValueError, TypeError, KeyError, binascii.Error):
            raise _invalid() from None


def scope_of(path: str, order: Sequence[tuple[str, bool]]) -> str:
    """The scope a cursor is signed for: the resource's path and its full ordering."""
    return path + "?" + ",".join(("-" if desc else "") + name for name, desc in order)
