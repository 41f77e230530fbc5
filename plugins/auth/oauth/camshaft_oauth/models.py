"""Records read from the tables, shaped as authlib's model mixins expect them.

Each is an immutable snapshot of a row; changes go through the repository.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass

from authlib.oauth1.rfc5849.models import ClientMixin as OAuth1ClientMixin
from authlib.oauth1.rfc5849.models import TemporaryCredentialMixin
from authlib.oauth2.rfc6749 import AuthorizationCodeMixin, ClientMixin, TokenMixin
from authlib.oauth2.rfc6749.util import scope_to_list

from .secrets_hash import check_secret

__all__ = [
    "AuthorizationCode",
    "Client",
    "Consumer",
    "OAuth1Token",
    "Token",
    "sha256_hex",
]


def sha256_hex(value: str) -> str:
    """The stored form of a secret the server only has to recognise."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Client(ClientMixin):
    """An OAuth 2.0 client. ``secret_hash`` None makes it public (PKCE, no secret)."""

    client_id: str
    secret_hash: str | None
    name: str
    redirect_uris: tuple[str, ...]
    grant_types: tuple[str, ...]
    scope: str
    may_introspect: bool

    @property
    def is_public(self) -> bool:
        return self.secret_hash is None

    def get_client_id(self) -> str:
        return self.client_id

    # types-authlib says str; authlib itself takes None for "no default redirect URI"
    # (invalid_request) and, from get_allowed_scope, for a scope refused (invalid_scope).
    def get_default_redirect_uri(self) -> str | None:  # type: ignore[override]
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope: str | None) -> str | None:  # type: ignore[override]
        """The client's whole scope when none is asked; the asked scope when the client
        may have all of it; None (``invalid_scope``) otherwise."""
        allowed = scope_to_list(self.scope) or []
        if not scope:
            return " ".join(allowed)
        asked = scope_to_list(scope) or []
        if not set(asked) <= set(allowed):
            return None
        return " ".join(dict.fromkeys(asked))

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        # Exact match only (RFC 9700 §4.1.3): no prefix or pattern matching.
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        if self.secret_hash is None:
            return False
        return check_secret(client_secret, self.secret_hash)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if self.is_public:
            return method == "none"
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code" and "authorization_code" in self.grant_types

    def check_grant_type(self, grant_type: str) -> bool:
        if grant_type == "client_credentials" and self.is_public:
            return False  # a public client cannot prove who it is
        return grant_type in self.grant_types


@dataclass(frozen=True, slots=True)
class AuthorizationCode(AuthorizationCodeMixin):
    id: int
    client_id: str
    user_id: str
    redirect_uri: str | None
    scope: str
    code_challenge: str | None
    code_challenge_method: str | None
    expires_at: int
    used: bool

    # None when the authorization request named no redirect_uri (authlib checks it).
    def get_redirect_uri(self) -> str | None:  # type: ignore[override]
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope


@dataclass(frozen=True, slots=True)
class Token(TokenMixin):
    """An access token and, when issued with one, its refresh token."""

    id: int
    client_id: str
    user_id: str | None
    scope: str
    issued_at: int
    expires_at: int
    refresh_expires_at: int | None
    access_revoked: bool
    refresh_revoked: bool
    family: str
    has_refresh: bool
    clock: Callable[[], float]

    def check_client(self, client: ClientMixin) -> bool:
        return hmac.compare_digest(self.client_id, client.get_client_id())

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_at - self.issued_at

    def is_expired(self) -> bool:
        return self.clock() >= self.expires_at

    def is_revoked(self) -> bool:
        return self.access_revoked

    def refresh_usable(self) -> bool:
        """The refresh token exists, is neither rotated nor revoked, and has not expired."""
        if not self.has_refresh or self.refresh_revoked:
            return False
        return self.refresh_expires_at is None or self.clock() < self.refresh_expires_at

    def get_user(self) -> str | None:
        return self.user_id


@dataclass(frozen=True, slots=True)
class Consumer(OAuth1ClientMixin):
    """An OAuth 1.0a consumer (client)."""

    consumer_key: str
    secret: str | None
    rsa_public_key: str | None
    name: str
    callback_uri: str | None
    scope: str

    @property
    def callback_uris(self) -> tuple[str, ...]:
        """The registered callbacks (stored space-separated; URIs hold no spaces)."""
        return tuple((self.callback_uri or "").split())

    def get_default_redirect_uri(self) -> str | None:
        return self.callback_uris[0] if self.callback_uris else None

    def get_client_secret(self) -> str:
        # authlib's verifiers refuse an empty secret, so an RSA-only consumer cannot
        # be impersonated with HMAC-SHA1 and an empty key.
        return self.secret or ""

    def get_rsa_public_key(self) -> bytes | None:
        return self.rsa_public_key.encode("ascii") if self.rsa_public_key else None


@dataclass(frozen=True, slots=True)
class OAuth1Token(TemporaryCredentialMixin):
    """An OAuth 1.0a request token (temporary credential) or access token."""

    token: str
    secret: str
    kind: str
    consumer_key: str
    user_id: str | None
    callback_uri: str | None
    verifier_hash: str | None
    scope: str
    expires_at: int | None
    revoked: bool

    def get_oauth_token(self) -> str:
        return self.token

    def get_oauth_token_secret(self) -> str:
        return self.secret

    def get_client_id(self) -> str:
        return self.consumer_key

    def get_redirect_uri(self) -> str | None:
        return self.callback_uri

    def get_user_id(self) -> str | None:
        return self.user_id

    def check_verifier(self, verifier: str) -> bool:
        if self.verifier_hash is None:
            return False
        return hmac.compare_digest(sha256_hex(verifier), self.verifier_hash)
