"""HTTP Basic (RFC 7617) against a user source.

An unknown user and a wrong password get the same 401 (same status, headers and body)
after the same work: an unknown user's password is checked against a dummy hash of the
configured default algorithm and cost (``httpauth.passwords``), made on first use. A user
whose stored hash is weaker than the default is rehashed on a successful sign-in, when
the source can store it (``set_password_hash(username, hash)``).

Optional cache of verified credentials (``cache_ttl`` > 0, off by default): a password
hash checked once is not checked again for ``cache_ttl`` seconds. Entries are keyed by
an HMAC of the whole ``Authorization`` value under a random per-process key (neither the
header nor the password is kept), hold the stored hash they were verified against, and
are only used while the source still returns that very hash, so a removed user or a
changed password stops working at once; an entry never outlives ``cache_ttl``. See
docs/auth.md for the trade-off.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
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

    __slots__ = (
        "_cache",
        "_cache_key",
        "_clock",
        "_lock",
        "cache_size",
        "cache_ttl",
        "hasher",
        "realm",
        "rehash",
        "source",
    )

    def __init__(
        self,
        realm: str,
        source: Any,
        hasher: PasswordHasher | None = None,
        rehash: bool = True,
        *,
        cache_ttl: float = 0.0,
        cache_size: int = 1024,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """
        :param cache_ttl: seconds a verified password hash check is remembered; 0 (the
            default) remembers nothing.
        :param cache_size: most entries remembered (the oldest go first).
        :param clock: monotonic seconds (injectable for tests).
        :raises ValueError: a negative ``cache_ttl`` or ``cache_size``.
        """
        if cache_ttl < 0 or cache_size < 0:
            raise ValueError("cache_ttl and cache_size must not be negative")
        self.realm = realm
        self.source = source
        self.hasher = hasher or PasswordHasher()
        self.rehash = rehash
        self.cache_ttl = float(cache_ttl)
        self.cache_size = int(cache_size)
        self._clock = clock
        self._cache_key = secrets.token_bytes(32)
        # HMAC(header) -> (expiry, username, stored hash it was verified against)
        self._cache: dict[bytes, tuple[float, str, str]] = {}
        self._lock = threading.Lock()

    def descriptor(self, name: str = "basic") -> AuthScheme:
        return AuthScheme(
            name,
            self.authenticate,
            self.challenge,
            openapi={"type": "http", "scheme": "basic", "description": "HTTP Basic (RFC 7617)."},
        )

    def challenge(self, request: Request) -> str:
        return f'Basic realm={quote(self.realm)}, charset="UTF-8"'

    def clear_cache(self) -> None:
        """Forget every remembered verification."""
        with self._lock:
            self._cache.clear()

    def _check(self, username: str, password: str, header: str) -> bool:
        source = self.source
        if hasattr(source, "password_hash"):
            stored = source.password_hash(username)
            caching = self.cache_ttl > 0 and bool(stored)
            if caching and self._remembered(username, header, stored):
                return True
            if not self.hasher.verify(password, stored):
                return False
            assert stored is not None
            setter = getattr(source, "set_password_hash", None)
            if self.rehash and setter is not None and self.hasher.needs_rehash(stored):
                stored = self.hasher.hash(password)
                setter(username, stored)
            if caching:
                self._remember(username, header, stored)
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
        if not colon or not self._check(username, password, header[1]):
            raise Unauthorized(REJECTED)
        return Identity(id=username, scheme="basic", kind="user", attrs={"username": username})

    def _key(self, header: str) -> bytes:
        return hmac.new(self._cache_key, header.encode("utf-8"), hashlib.sha256).digest()

    def _remembered(self, username: str, header: str, stored: str) -> bool:
        """Whether the same header was verified against the same ``stored`` hash less
        than ``cache_ttl`` seconds ago; a stale entry is dropped."""
        key = self._key(header)
        entry = self._cache.get(key)
        if entry is None:
            return False
        expiry, cached_user, cached_hash = entry
        if self._clock() < expiry and cached_user == username and cached_hash == stored:
            return True
        with self._lock:  # stale, or the user's hash changed: never used again
            self._cache.pop(key, None)
        return False

    def _remember(self, username: str, header: str, stored: str) -> None:
        if not self.cache_size:
            return
        with self._lock:
            cache = self._cache
            while len(cache) >= self.cache_size:
                del cache[next(iter(cache))]  # the oldest entry
            cache[self._key(header)] = (self._clock() + self.cache_ttl, username, stored)
