"""HTTP Basic (RFC 7617) against a user source.

An unknown user and a wrong password get the same 401 (same status, headers and body)
after the same work: an unknown user's password is checked against a dummy hash (made
on first use, not when the app is built: an scrypt hash costs ~16 MiB and tens of
milliseconds, which every worker would pay at start whether or not Basic is ever used).

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
from .passwords import make_password_hash, verify_password

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
        "_dummy",
        "_lock",
        "cache_size",
        "cache_ttl",
        "realm",
        "source",
    )

    def __init__(
        self,
        realm: str,
        source: Any,
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
        self._dummy: str | None = None  # made on first use: see the module docstring
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

    def dummy_hash(self) -> str:
        """The hash an unknown user's password is checked against, made on first use with
        the default parameters, so checking an unknown user costs what checking a known
        one does. (Two threads racing here both hash; either result will do.)"""
        dummy = self._dummy
        if dummy is None:
            dummy = self._dummy = make_password_hash("camshaft-httpauth dummy password")
        return dummy

    def clear_cache(self) -> None:
        """Forget every remembered credential (e.g. after changing users in bulk)."""
        with self._lock:
            self._cache.clear()

    def _check(self, username: str, password: str, header: str) -> bool:
        source = self.source
        if hasattr(source, "password_hash"):
            stored = source.password_hash(username)
            if not stored:
                verify_password(password, self.dummy_hash())  # the same work, then no
                return False
            if self.cache_ttl <= 0:
                return verify_password(password, stored)
            return self._cached_check(username, password, header, stored)
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
        except (binascii.Error, UnicodeDecodeError):
            raise Unauthorized(REJECTED) from None
        username, colon, password = decoded.partition(":")
        if not colon or not self._check(username, password, header[1]):
            raise Unauthorized(REJECTED)
        return Identity(id=username, scheme="basic", attrs={"username": username})

    def _cached_check(self, username: str, password: str, header: str, stored: str) -> bool:
        """:func:`verify_password`, skipped when the same header was verified against
        the same ``stored`` hash less than ``cache_ttl`` seconds ago."""
        key = hmac.new(self._cache_key, header.encode("utf-8"), hashlib.sha256).digest()
        now = self._clock()
        entry = self._cache.get(key)
        if entry is not None:
            expiry, cached_user, cached_hash = entry
            if now < expiry and cached_user == username and cached_hash == stored:
                return True
            with self._lock:  # stale, or the user's hash changed: never used again
                self._cache.pop(key, None)
        if not verify_password(password, stored):
            return False
        if self.cache_size:
            with self._lock:
                cache = self._cache
                while len(cache) >= self.cache_size:
                    del cache[next(iter(cache))]  # the oldest entry
                cache[key] = (now + self.cache_ttl, username, stored)
        return True
