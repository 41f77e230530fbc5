"""HTTP Basic (RFC 7617) against a user source.

An unknown user and a wrong password get the same 401 (same status, headers and body)
after the same work: an unknown user's password is checked against a dummy hash.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from typing import TYPE_CHECKING, Any

from camshaft.errors import Unauthorized
from camshaft.plugin import AuthScheme, Identity

from .headers import authorization, quote
from .passwords import make_password_hash, verify_password

if TYPE_CHECKING:
    from camshaft.plugin import Request

__all__ = ["BasicScheme"]

REJECTED = "The credentials are not valid."


class BasicScheme:
    """The ``basic`` scheme. :meth:`descriptor` is what the plugin registers."""

    __slots__ = ("_dummy", "realm", "source")

    def __init__(self, realm: str, source: Any) -> None:
        self.realm = realm
        self.source = source
        # Hashed once, with the default parameters, so checking an unknown user costs what
        # checking a known one does.
        self._dummy = make_password_hash("camshaft-httpauth dummy password")

    def descriptor(self, name: str = "basic") -> AuthScheme:
        return AuthScheme(
            name,
            self.authenticate,
            self.challenge,
            openapi={"type": "http", "scheme": "basic", "description": "HTTP Basic (RFC 7617)."},
        )

    def challenge(self, request: Request) -> str:
        return f'Basic realm={quote(self.realm)}, charset="UTF-8"'

    def _check(self, username: str, password: str) -> bool:
        source = self.source
        if hasattr(source, "password_hash"):
            stored = source.password_hash(username)
            matched = verify_password(password, stored if stored else self._dummy)
            return matched and bool(stored)
        clear = source.password(username)
        expected = (clear if clear is not None else "\x00unknown user").encode()
        return hmac.compare_digest(password.encode(), expected) and clear is not None

    def authenticate(self, request: Request) -> Identity | None:
        """Not mine without ``Authorization: Basic``; a malformed one or a wrong
        user/password is rejected (401)."""
        header = authorization(request)
        if header is None or header[0] != "basic":
            return None
        try:
            decoded = base64.b64decode(header[1], validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):  # ValueError: not ASCII
            raise Unauthorized(REJECTED) from None
        username, colon, password = decoded.partition(":")
        if not colon or not self._check(username, password):
            raise Unauthorized(REJECTED)
        return Identity(id=username, scheme="basic", attrs={"username": username})
