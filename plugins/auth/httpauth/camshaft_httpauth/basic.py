"""HTTP Basic (RFC 7617) against a user source.

An unknown user and a wrong password get the same 401 (same status, headers and body)
after the same work: an unknown user's password is checked against a dummy hash of the
configured default algorithm and cost (``httpauth.passwords``), made on first use. A user
whose stored hash is weaker than the default is rehashed on a successful sign-in, when
the source can store it (``set_password_hash(username, hash)``).
"""

from __future__ import annotations

import base64
import binascii
import hmac
from typing import TYPE_CHECKING, Any

from camshaft.errors import Unauthorized
from camshaft.plugin import AuthScheme, Identity

from .headers import authorization, quote
from .passwords import PasswordHasher

if TYPE_CHECKING:
    from camshaft.plugin import Request

__all__ = ["BasicScheme"]

REJECTED = "The credentials are not valid."


class BasicScheme:
    """The ``basic`` scheme. :meth:`descriptor` is what the plugin registers."""

    __slots__ = ("hasher", "realm", "rehash", "source")

    def __init__(
        self,
        realm: str,
        source: Any,
        hasher: PasswordHasher | None = None,
        rehash: bool = True,
    ) -> None:
        self.realm = realm
        self.source = source
        self.hasher = hasher or PasswordHasher()
        self.rehash = rehash

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
            if not self.hasher.verify(password, stored):
                return False
            assert stored is not None
            setter = getattr(source, "set_password_hash", None)
            if self.rehash and setter is not None and self.hasher.needs_rehash(stored):
                setter(username, self.hasher.hash(password))
            return True
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
        return Identity(id=username, scheme="basic", kind="user", attrs={"username": username})
