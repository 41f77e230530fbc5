"""The OAuth 2.0 authorization server: authlib's grants and endpoints over our tables.

* Authorization code with PKCE (RFC 7636): ``S256`` only (``plain``, or a challenge
  without a method, which means ``plain``, is refused). PKCE is required of public
  clients always, and of every client while ``oauth2.require_pkce`` is true.
* Codes are single-use: the redemption that marks the code used (a conditional UPDATE)
  wins; any other redemption fails and revokes every token issued from that code
  (RFC 6749 §4.1.2).
* Refresh tokens rotate: each use issues a new one and retires the old one atomically;
  presenting a retired refresh token revokes its whole family (RFC 9700 §4.14.2).
* Client credentials, revocation (RFC 7009) and introspection (RFC 7662).
* Errors of the token, revocation and introspection endpoints are ``application/json``
  (RFC 6749 §5.2), with the OAuth members ``error`` and ``error_description`` beside the
  RFC 9457 problem members.
* A public client authenticates with ``none``: its ``client_id`` in the form, or in
  ``Authorization: Basic base64(client_id:)`` with an empty secret, as oauthlib-based
  clients send it.
"""

from __future__ import annotations

import hmac
import secrets
from typing import TYPE_CHECKING, Any

from authlib.oauth2.rfc6749 import AuthorizationServer, ClientMixin, TokenMixin, grants
from authlib.oauth2.rfc6749.errors import (
    InvalidClientError,
    InvalidGrantError,
    InvalidRequestError,
    OAuth2Error,
)
from authlib.oauth2.rfc6749.util import extract_basic_authorization
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge, create_s256_code_challenge
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from werkzeug.wrappers import Response

from .adapters import CamshaftOAuth2Request, json_response
from .errors import from_authlib
from .models import Client, Token

if TYPE_CHECKING:
    from .provider import OAuthProvider

__all__ = ["OAuth2Server"]

ANY_CLIENT_AUTH = ["client_secret_basic", "client_secret_post", "none"]
SECRET_CLIENT_AUTH = ["client_secret_basic", "client_secret_post"]


def _authenticate_public(query_client: Any, request: Any) -> Client | None:
    """The ``none`` method: a client that proves nothing but names itself, in the form
    or as ``Authorization: Basic base64(client_id:)`` (an empty secret). Only public
    clients are accepted this way (authlib checks ``check_endpoint_auth_method``)."""
    client_id = request.payload.client_id
    if request.payload.data.get("client_secret"):
        return None
    basic_id, basic_secret = extract_basic_authorization(request.headers)
    if basic_id:
        if basic_secret or (client_id and client_id != basic_id):
            return None
        client_id = basic_id
    if not client_id:
        return None
    client: Client | None = query_client(client_id)
    if client is None:
        raise InvalidClientError(
            status_code=401 if basic_id else 400,
            description="The client does not exist on this server.",
        )
    return client


def _compare_s256(verifier: str, challenge: str) -> bool:
    # types-authlib leaves create_s256_code_challenge unannotated (str in, str out).
    expected: str = create_s256_code_challenge(verifier)  # type: ignore[no-untyped-call]
    return hmac.compare_digest(expected, challenge)


class S256CodeChallenge(CodeChallenge):
    """PKCE with ``S256`` only; required of public clients, and of all when asked."""

    DEFAULT_CODE_CHALLENGE_METHOD = "S256"
    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]
    CODE_CHALLENGE_METHODS = {"S256": _compare_s256}

    def __init__(self, require_all: bool) -> None:
        super().__init__(required=True)
        self.require_all = require_all

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        challenge = data.get("code_challenge")
        method = data.get("code_challenge_method")
        client: Client = grant.request.client
        if not challenge and (self.require_all or client.is_public):
            raise InvalidRequestError(
                "PKCE is required: send code_challenge and code_challenge_method=S256."
            )
        if challenge and method != "S256":
            # An absent method means "plain" (RFC 7636 §4.3), which we refuse too.
            raise InvalidRequestError("Only code_challenge_method=S256 is accepted.")
        super().validate_code_challenge(grant, redirect_uri)


class _CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ANY_CLIENT_AUTH
    server: OAuth2Server

    def save_authorization_code(self, code: str, request: Any) -> None:
        data = request.payload.data
        self.server.provider.repository.add_code(
            code,
            client_id=request.client.get_client_id(),
            user_id=str(request.user),
            redirect_uri=request.payload.redirect_uri,
            scope=request.scope or "",
            code_challenge=data.get("code_challenge"),
            code_challenge_method=data.get("code_challenge_method"),
            ttl=self.server.provider.oauth2_settings["code_ttl"],
        )

    def query_authorization_code(self, code: str, client: ClientMixin) -> Any:
        repository = self.server.provider.repository
        found = repository.get_code(code)
        if found is None or not hmac.compare_digest(found.client_id, client.get_client_id()):
            return None
        if found.used:
            # A second redemption: the code leaked. Revoke what the first one got.
            repository.revoke_family(f"code:{found.id}")
            return None
        if found.expires_at <= repository.now():
            return None
        return found

    def authenticate_user(self, authorization_code: Any) -> str:
        return str(authorization_code.user_id)

    def delete_authorization_code(self, authorization_code: Any) -> None:
        # Called after the token is saved: if another redemption consumed the code
        # meanwhile, both lose (and every token from the code is revoked).
        repository = self.server.provider.repository
        if not repository.consume_code(authorization_code.id):
            repository.revoke_family(f"code:{authorization_code.id}")
            raise InvalidGrantError("The authorization code has already been used.")


class _RefreshGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ANY_CLIENT_AUTH
    INCLUDE_NEW_REFRESH_TOKEN = True
    server: OAuth2Server

    # None is authlib's "no such refresh token" (invalid_grant); types-authlib omits it.
    def authenticate_refresh_token(self, refresh_token: str) -> Token | None:  # type: ignore[override]
        repository = self.server.provider.repository
        token = repository.token_by_refresh(refresh_token)
        if token is None:
            return None
        if token.refresh_revoked:
            # A retired refresh token came back: someone holds a copy. Revoke the family.
            repository.revoke_family(token.family)
            return None
        return token if token.refresh_usable() else None

    def authenticate_user(self, refresh_token: Token) -> str | None:
        return refresh_token.user_id

    def revoke_old_credential(self, refresh_token: TokenMixin) -> None:
        assert isinstance(refresh_token, Token)  # what authenticate_refresh_token returned
        repository = self.server.provider.repository
        if not repository.rotate_refresh(refresh_token.id):
            repository.revoke_family(refresh_token.family)
            raise InvalidGrantError("The refresh token has already been used.")


class _ClientCredentialsGrant(grants.ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = SECRET_CLIENT_AUTH


def _find_token(server: OAuth2Server, value: str, hint: str | None) -> tuple[Token, str] | None:
    """The token ``value`` is (an access or a refresh token), trying the hinted kind
    first (RFC 7009 §2.1: a wrong hint must not make the lookup fail)."""
    repository = server.provider.repository
    kinds = (
        ["refresh_token", "access_token"]
        if hint == "refresh_token"
        else [
            "access_token",
            "refresh_token",
        ]
    )
    for kind in kinds:
        finder = (
            repository.token_by_access if kind == "access_token" else repository.token_by_refresh
        )
        token = finder(value)
        if token is not None:
            return token, kind
    return None


class _Revocation(RevocationEndpoint):
    CLIENT_AUTH_METHODS = ANY_CLIENT_AUTH
    server: OAuth2Server

    def create_endpoint_response(self, request: Any) -> tuple[int, Any, list[tuple[str, str]]]:
        # Unannotated in types-authlib; it returns query_client's Client or raises.
        client: Client = self.authenticate_endpoint_client(request)  # type: ignore[no-untyped-call]
        self.check_params(request, client)
        found = _find_token(self.server, request.form["token"], request.form.get("token_type_hint"))
        # Another client's token is treated as unknown: 200, nothing done, nothing told.
        if found is not None and found[0].check_client(client):
            self.server.provider.repository.revoke_token(found[0].id)
        return 200, {}, []


class _Introspection(IntrospectionEndpoint):
    CLIENT_AUTH_METHODS = SECRET_CLIENT_AUTH
    server: OAuth2Server

    def create_endpoint_response(self, request: Any) -> tuple[int, Any, list[tuple[str, str]]]:
        # Unannotated in types-authlib; it returns query_client's Client or raises.
        client: Client = self.authenticate_endpoint_client(request)  # type: ignore[no-untyped-call]
        self.check_params(request, client)
        found = _find_token(self.server, request.form["token"], request.form.get("token_type_hint"))
        inactive: tuple[int, Any, list[tuple[str, str]]] = (200, {"active": False}, [])
        if found is None:
            return inactive
        token, kind = found
        if not (client.may_introspect or token.check_client(client)):
            return inactive
        expires: int | None
        if kind == "access_token":
            if token.is_revoked() or token.is_expired():
                return inactive
            expires = token.expires_at
        else:
            if not token.refresh_usable():
                return inactive
            expires = token.refresh_expires_at
        body: dict[str, Any] = {
            "active": True,
            "scope": token.scope,
            "client_id": token.client_id,
            "token_type": "Bearer" if kind == "access_token" else "refresh_token",
            "iat": token.issued_at,
        }
        if expires is not None:
            body["exp"] = expires
        if token.user_id is not None:
            body["sub"] = body["username"] = token.user_id
        return 200, body, []


class OAuth2Server(AuthorizationServer):
    """authlib's authorization server bound to one :class:`OAuthProvider`.

    Responses are Werkzeug responses; errors are raised as
    :class:`~camshaft_oauth.errors.OAuthProblem` (rendered by the kernel), except errors
    authlib sends back to the client's redirect URI, which stay 302 redirects.
    """

    def __init__(self, provider: OAuthProvider) -> None:
        options = provider.oauth2_settings
        super().__init__(scopes_supported=options["scopes_supported"] or None)
        self.provider = provider

        def new_token(**_: Any) -> str:
            return secrets.token_urlsafe(32)  # no "." in it: dotted bearers are others'

        def expires_in(client: Any, grant_type: str) -> int:
            return int(options["access_token_ttl"])

        self.register_token_generator(
            "default", BearerTokenGenerator(new_token, new_token, expires_in)
        )
        self.register_grant(_CodeGrant, [S256CodeChallenge(options["require_pkce"])])
        self.register_grant(_RefreshGrant)
        self.register_grant(_ClientCredentialsGrant)
        self.register_endpoint(_Revocation)
        self.register_endpoint(_Introspection)
        self.register_client_auth_method("none", _authenticate_public)

    # None is authlib's "unknown client" (invalid_client); types-authlib omits it.
    def query_client(self, client_id: str) -> Client | None:  # type: ignore[override]
        return self.provider.repository.get_client(client_id)

    def save_token(self, token: dict[str, Any], request: Any) -> None:
        if request.authorization_code is not None:
            family: str | None = f"code:{request.authorization_code.id}"
        elif request.refresh_token is not None:
            family = request.refresh_token.family
        else:
            family = None
        self.provider.repository.add_token(
            access_token=token["access_token"],
            refresh_token=token.get("refresh_token"),
            client_id=request.client.get_client_id(),
            user_id=None if request.user is None else str(request.user),
            scope=token.get("scope", ""),
            expires_in=int(token["expires_in"]),
            refresh_ttl=self.provider.oauth2_settings["refresh_token_ttl"] or None,
            family=family,
        )

    def create_oauth2_request(self, request: Any) -> CamshaftOAuth2Request:
        if not isinstance(request, CamshaftOAuth2Request):
            raise TypeError("build a CamshaftOAuth2Request first")
        return request

    def handle_response(self, status: int, body: Any, headers: Any) -> Response:
        return json_response(status, body, headers)

    def handle_error_response(self, request: Any, error: OAuth2Error) -> Response:
        if error.redirect_uri:
            response = super().handle_error_response(request, error)
            assert isinstance(response, Response)  # built by our handle_response
            return response
        raise from_authlib(error, self.provider.realm)

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """No signals: Camshaft has no signal bus."""
