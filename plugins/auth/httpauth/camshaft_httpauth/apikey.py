"""API keys and static bearer tokens: ``<key_id>.<secret>`` in a header, stored hashed.

A key is sent as ``X-API-Key: <key_id>.<secret>`` (the header is a setting) or as
``Authorization: Bearer <key_id>.<secret>``; never from the query string, where it would
end up in logs and ``Referer`` headers. The key id finds the stored record; the secret's
SHA-256 is compared with the stored one in constant time.

Why a plain SHA-256 is enough here, unlike for passwords: the secret is 256 random bits
(:func:`make_api_key`), so nobody can guess it from its hash however fast hashing is; a
slow hash only protects low-entropy secrets, and would cost every request dearly.

A stored key is ``"sha256$<hex>"``, or a mapping ``{"hash": "sha256$<hex>", "owner":
"alice", "scopes": ["read"]}`` (the identity is the user ``owner``, else the key id
as an identity of kind ``"key"``, which owner rules never take for a user).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from camshaft.errors import ConfigurationError, Unauthorized
from camshaft.plugin import AuthScheme, Identity

from .headers import authorization, quote

if TYPE_CHECKING:
    from camshaft.plugin import Request

__all__ = ["ApiKeyScheme", "hash_api_secret", "make_api_key"]

_TOKEN = re.compile(r"^([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{16,256})$")
REJECTED = "The API key is not valid."


def hash_api_secret(secret: str) -> str:
    """The stored form of a key's secret: ``"sha256$<hex>"``."""
    return "sha256$" + hashlib.sha256(secret.encode("utf-8")).hexdigest()


def make_api_key(key_id: str | None = None) -> tuple[str, str]:
    """A new key: ``(token to give the client, hash to store)``.

    :param key_id: the public part; 16 random hex digits when None.
    :raises ValueError: a key id outside ``[A-Za-z0-9_-]{1,64}``.
    """
    key_id = key_id or secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    token = f"{key_id}.{secret}"
    if not _TOKEN.match(token):
        raise ValueError(f"key id {key_id!r} must match [A-Za-z0-9_-]{{1,64}}")
    return token, hash_api_secret(secret)


def _record(value: Any, where: str) -> dict[str, Any]:
    if isinstance(value, str):
        value = {"hash": value}
    if not (
        isinstance(value, Mapping)
        and isinstance(value.get("hash"), str)
        and re.fullmatch(r"sha256\$[0-9a-f]{64}", value["hash"])
    ):
        raise ConfigurationError(
            f"{where} must be 'sha256$<hex>' or {{hash, owner, scopes}} "
            "(make one with camshaft_httpauth.make_api_key)"
        )
    return dict(value)


class ApiKeyScheme:
    """The ``apikey`` scheme.

    :param keys: key id -> stored key (see the module docstring).
    :param lookup: ``lookup(key_id) -> stored key | None``, consulted instead of ``keys``.
    :param header: the request header carrying a key (``X-API-Key``); "" for none.
    :param bearer: whether ``Authorization: Bearer <key_id>.<secret>`` is accepted.
    """

    __slots__ = ("_dummy", "bearer", "header", "keys", "lookup", "realm")

    def __init__(
        self,
        realm: str,
        keys: Mapping[str, Any],
        lookup: Callable[[str], Any] | None = None,
        header: str = "X-API-Key",
        bearer: bool = True,
    ) -> None:
        self.realm = realm
        self.keys = {k: _record(v, f"httpauth.apikey.keys[{k!r}]") for k, v in keys.items()}
        self.lookup = lookup
        self.header = header
        self.bearer = bearer
        self._dummy = hash_api_secret(secrets.token_urlsafe(32))

    def descriptor(self, name: str = "apikey") -> AuthScheme:
        text = f"An API key '<key_id>.<secret>' in the {self.header} header."
        if self.bearer:
            text += " 'Authorization: Bearer <key_id>.<secret>' is accepted too."
        return AuthScheme(
            name,
            self.authenticate,
            self.challenge,
            openapi={"type": "apiKey", "in": "header", "name": self.header, "description": text},
            vary=(self.header,),
        )

    def challenge(self, request: Request) -> str:
        if self.bearer:
            return f"Bearer realm={quote(self.realm)}"
        return f"APIKey realm={quote(self.realm)}, header={quote(self.header)}"

    def _stored(self, key_id: str) -> dict[str, Any] | None:
        if self.lookup is None:
            return self.keys.get(key_id)
        found = self.lookup(key_id)
        return None if found is None else _record(found, f"apikey lookup({key_id!r})")

    def authenticate(self, request: Request) -> Identity | None:
        """Not mine without a key header or a bearer token of the ``<id>.<secret>`` shape
        (another bearer scheme may own it); rejected (401) when the key is malformed,
        unknown or wrong -- the last two answered alike."""
        token = request.header(self.header) if self.header else None
        if token is None:
            header = authorization(request) if self.bearer else None
            if header is None or header[0] != "bearer" or not _TOKEN.match(header[1]):
                return None
            token = header[1]
        match = _TOKEN.match(token.strip())
        if match is None:
            raise Unauthorized(REJECTED)
        key_id, secret = match.groups()
        stored = self._stored(key_id)
        expected = stored["hash"] if stored else self._dummy
        if not hmac.compare_digest(hash_api_secret(secret), expected) or stored is None:
            raise Unauthorized(REJECTED)
        owner = stored.get("owner")
        # A key with an owner acts as that user; one without is only itself (kind
        # "key"), so owner rules never match it against a user of the same name.
        return Identity(
            id=str(owner or key_id),
            scheme="apikey",
            kind="user" if owner else "key",
            scopes=frozenset(stored.get("scopes") or ()),
            attrs={"key_id": key_id},
        )
