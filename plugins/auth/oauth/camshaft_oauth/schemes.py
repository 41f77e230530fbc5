"""Resource protection: the ``oauth2`` (Bearer, RFC 6750) and ``oauth1`` (RFC 5849)
authentication schemes.

Credentials come from the ``Authorization`` header only: an ``access_token`` query
parameter, a token in a form body, or OAuth 1.0a parameters in the URL are ignored (the
request is "not mine", so it is answered 401 with the challenges when nothing else
claims it).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from authlib.oauth1.rfc5849.errors import OAuth1Error

from camshaft.errors import BadRequest, Unauthorized
from camshaft.plugin import AuthScheme, Identity

from .errors import OAuthProblem, bearer_challenge, from_authlib, quote
from .models import OAuth1Token
from .oauth1_server import OAuth1Resource, oauth1_request

if TYPE_CHECKING:
    from camshaft.plugin import Request

    from .provider import OAuthProvider

__all__ = ["BearerScheme", "OAuth1Scheme"]

#: RFC 6750 §2.1 b64token.
_B64TOKEN = re.compile(r"^[A-Za-z0-9\-._~+/]+=*$")


class BearerScheme:
    """The ``oauth2`` scheme: ``Authorization: Bearer <access token>``.

    Tokens are found by their SHA-256 digest. A bearer value containing a ``.`` (an API
    key ``<id>.<secret>``, a JWT) is not ours: it is left to other schemes, so this one
    can share a resource with camshaft-httpauth's ``apikey``.
    """

    __slots__ = ("provider",)

    def __init__(self, provider: OAuthProvider) -> None:
        self.provider = provider

    def descriptor(self) -> AuthScheme:
        return AuthScheme(
            "oauth2",
            self.authenticate,
            self.challenge,
            openapi={
                "type": "http",
                "scheme": "bearer",
                "description": "An OAuth 2.0 access token (RFC 6750), sent as "
                "'Authorization: Bearer <token>'.",
            },
        )

    def challenge(self, request: Request) -> str:
        return bearer_challenge(self.provider.realm)

    def _invalid(self, description: str) -> Unauthorized:
        challenge = bearer_challenge(
            self.provider.realm, error="invalid_token", error_description=description
        )
        return Unauthorized(
            description,
            headers=[("WWW-Authenticate", challenge)],
            error="invalid_token",
            error_description=description,
        )

    def authenticate(self, request: Request) -> Identity | None:
        """Not mine without ``Authorization: Bearer`` (or with a dotted value); 400
        ``invalid_request`` for a malformed value; 401 ``invalid_token`` for an unknown,
        expired or revoked token."""
        header = request.header("Authorization")
        if not header:
            return None
        scheme, _, value = header.strip().partition(" ")
        if scheme.lower() != "bearer":
            return None
        value = value.strip()
        if "." in value:
            return None
        if not _B64TOKEN.match(value):
            description = "The Authorization header is not 'Bearer <token>'."
            raise BadRequest(
                description,
                headers=[
                    (
                        "WWW-Authenticate",
                        bearer_challenge(
                            self.provider.realm,
                            error="invalid_request",
                            error_description=description,
                        ),
                    )
                ],
                error="invalid_request",
            )
        token = self.provider.repository.token_by_access(value)
        if token is None or token.is_revoked():
            raise self._invalid("The access token is not valid.")
        if token.is_expired():
            raise self._invalid("The access token has expired.")
        # A token issued to a client for itself (client credentials) names a client,
        # never a user: a client called "alice" must not own alice's rows.
        return Identity(
            id=token.user_id or token.client_id,
            scheme="oauth2",
            kind="user" if token.user_id else "client",
            scopes=frozenset(token.scope.split()),
            attrs={
                "client_id": token.client_id,
                "user_id": token.user_id,
                "expires_at": token.expires_at,
            },
        )


class OAuth1Scheme:
    """The ``oauth1`` scheme: a request signed with ``Authorization: OAuth ...``."""

    __slots__ = ("provider",)

    def __init__(self, provider: OAuthProvider) -> None:
        self.provider = provider

    def descriptor(self) -> AuthScheme:
        return AuthScheme(
            "oauth1",
            self.authenticate,
            self.challenge,
            openapi={
                "type": "http",
                "scheme": "OAuth",
                "description": "OAuth 1.0a (RFC 5849): requests signed with the client's and "
                "the token's credentials in an 'Authorization: OAuth ...' header. OpenAPI "
                "has no OAuth 1.0 flow object; the token endpoints are listed under paths.",
            },
        )

    def challenge(self, request: Request) -> str:
        return f"OAuth realm={quote(self.provider.realm)}"

    def authenticate(self, request: Request) -> Identity | None:
        """Not mine without ``Authorization: OAuth``; 401 (with the OAuth challenge) for
        an unknown consumer or token, a wrong signature, a timestamp outside the window
        or a replayed nonce; 400 for a malformed request."""
        header = request.header("Authorization")
        if not header or header.strip().partition(" ")[0].lower() != "oauth":
            return None
        challenge = ("WWW-Authenticate", self.challenge(request))
        try:
            oauth_request = oauth1_request(request)
            checked = OAuth1Resource(self.provider, request).check(oauth_request)
        except OAuthProblem as exc:
            if exc.status != 401:
                raise
            raise Unauthorized(
                exc.detail, headers=[challenge], error=exc.error, error_description=exc.detail
            ) from None
        except OAuth1Error as exc:
            if exc.status_code != 401:
                raise from_authlib(exc, self.provider.realm) from None
            description = exc.get_error_description() or "The request is not validly signed."
            raise Unauthorized(
                description,
                headers=[challenge],
                error=exc.error,
                error_description=description,
            ) from None
        token = checked.credential
        assert isinstance(token, OAuth1Token)  # from OAuth1Resource.get_token_credential
        return Identity(
            id=token.user_id or token.consumer_key,
            scheme="oauth1",
            kind="user" if token.user_id else "client",
            scopes=frozenset(token.scope.split()),
            attrs={"consumer_key": token.consumer_key, "user_id": token.user_id},
        )
