"""camshaft-oauth: OAuth 2.0 and OAuth 1.0a, provider side, on authlib.

* Schemes ``oauth2`` (Bearer tokens, RFC 6750) and ``oauth1`` (signed requests,
  RFC 5849) for resources to name in ``authentication``.
* Endpoints (``camshaft_routes``): OAuth 2.0 authorize, token, revoke and introspect;
  OAuth 1.0a request token, authorize and access token.
* Scopes per resource and verb (the handler's ``scopes``), enforced through
  ``camshaft_authorize``: 403 ``insufficient_scope``.
* Clients, consumers, codes and tokens in SQL tables (SQLAlchemy Core; ``[oauth] url``).
* Its part of the OpenAPI document (``camshaft_openapi``): the ``oauth2`` flows and
  scopes, ``oauth1`` as a described scheme, the endpoints' bodies and responses.

Opt-in per app: installing the distribution changes no app. An app turns it on with
``[plugins] enable = ["oauth"]`` and names its database in ``[oauth] url`` (there is no
implicit database file). Settings live in the ``[oauth]`` section; see docs/oauth.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from camshaft import AuthScheme, Option, Route, Settings, hookimpl

from .endpoints import routes_for
from .errors import OAuthProblem
from .models import sha256_hex
from .openapi import describe
from .provider import OAuthProvider, provider_for, register
from .repository import OAuthRepository
from .schemes import BearerScheme, OAuth1Scheme
from .scopes import TOKEN_SCHEMES, check_declaration, required_scopes, scope_refusal
from .secrets_hash import make_client_secret

if TYPE_CHECKING:
    from camshaft import App, Identity
    from camshaft.plugin import Request

__all__ = [
    "BearerScheme",
    "OAuth1Scheme",
    "OAuthProblem",
    "OAuthProvider",
    "OAuthRepository",
    "make_client_secret",
    "provider_for",
    "sha256_hex",
]

SIGNATURE_METHODS = ("HMAC-SHA1", "RSA-SHA1", "PLAINTEXT")

#: It mounts /oauth/* routes and needs a database: only apps that enable it get it.
camshaft_opt_in = True


@hookimpl
def camshaft_settings_spec() -> Mapping[str, Any]:
    return {
        "url": Option(
            str,
            "",
            "SQLAlchemy URL of the OAuth tables; required ('sqlite://' in tests). "
            "{'$env': NAME} keeps passwords out of files. A SQLite file is created 0600.",
        ),
        "create_tables": Option(bool, True, "Create missing tables on first use."),
        "realm": Option(str, "camshaft", "The realm named in WWW-Authenticate challenges."),
        "secret": Option(
            str,
            "",
            "Key signing consent tokens (use {'$env': NAME}); random per process if empty.",
        ),
        "oauth2": {
            "authorize_path": Option(str, "/oauth/authorize", "Authorization endpoint."),
            "token_path": Option(str, "/oauth/token", "Token endpoint."),
            "revoke_path": Option(str, "/oauth/revoke", "Revocation endpoint (RFC 7009)."),
            "introspect_path": Option(
                str, "/oauth/introspect", "Introspection endpoint (RFC 7662)."
            ),
            "access_token_ttl": Option(int, 3600, "Seconds an access token lives."),
            "refresh_token_ttl": Option(
                int, 14 * 24 * 3600, "Seconds a refresh token lives (0: until used)."
            ),
            "code_ttl": Option(int, 600, "Seconds an authorization code lives."),
            "require_pkce": Option(
                bool, True, "PKCE (S256) for every client; public clients always need it."
            ),
            "scopes_supported": Option(
                list, [], "Scopes the server knows; empty: whatever clients are allowed."
            ),
        },
        "oauth1": {
            "request_token_path": Option(
                str, "/oauth1/request_token", "Temporary credential request endpoint."
            ),
            "authorize_path": Option(str, "/oauth1/authorize", "Resource owner authorization."),
            "access_token_path": Option(str, "/oauth1/access_token", "Token request endpoint."),
            "signature_methods": Option(
                list,
                ["HMAC-SHA1", "RSA-SHA1"],
                "Accepted signature methods; add PLAINTEXT only over TLS, knowingly.",
                choices=SIGNATURE_METHODS,
            ),
            "timestamp_window": Option(
                int, 300, "Seconds a timestamp may differ from the server's clock, either way."
            ),
            "request_token_ttl": Option(int, 600, "Seconds a request token lives."),
            "access_token_ttl": Option(int, 0, "Seconds an access token lives (0: until revoked)."),
        },
        "authorize": {
            "authentication": Option(
                list,
                [],
                "Schemes identifying the resource owner at the authorize endpoints "
                "(e.g. ['basic']); empty: no authorize endpoints.",
            ),
            "consent": Option(
                object,
                "prompt",
                "'prompt' (JSON + consent_token, then POST), 'auto', or "
                "'module:function' (request, identity, client_id, scopes) -> bool.",
            ),
        },
    }


@hookimpl
def camshaft_auth_schemes(app: App, settings: Settings) -> list[AuthScheme]:
    return register(app, settings.plugin("oauth"))


@hookimpl
def camshaft_routes(app: App, settings: Settings) -> list[Route]:
    try:
        provider = provider_for(app)
    except LookupError:
        # Both scheme names were taken by another plugin: the endpoints still work,
        # over the same database URL.
        provider = OAuthProvider(settings.plugin("oauth"))
    return routes_for(provider)


@hookimpl
def camshaft_startup(app: App, settings: Settings) -> None:
    """Check every handler's ``scopes`` declaration once, so a typo fails the start."""
    for group in app.groups():
        for endpoint in group.versions.values():
            check_declaration(endpoint.handler)
            anonymous = app.wiring_for(endpoint).anonymous
            if anonymous is not None:
                check_declaration(anonymous.handler)


@hookimpl
def camshaft_authorize(
    request: Request, identity: Identity, handler: Any, action: str, obj: Any
) -> bool | None:
    """Refuse a token whose scopes do not cover the handler's ``scopes`` for the verb
    (403 ``insufficient_scope``), grant one whose scopes do (so a handler whose only
    rule is its ``scopes`` can be written with a token); no opinion on other requests."""
    if obj is not None or identity.scheme not in TOKEN_SCHEMES:
        return None
    needed = required_scopes(type(handler), request.method)
    realm = settings_realm(request)
    if needed is None:
        raise scope_refusal(realm, identity.scheme, ())
    if not set(needed) <= identity.scopes:
        raise scope_refusal(realm, identity.scheme, needed)
    return True


def settings_realm(request: Request) -> str:
    return str(request.app.settings.plugin("oauth")["realm"])


@hookimpl
def camshaft_openapi(app: App, document: dict[str, Any]) -> None:
    """Describe the ``oauth2`` flows and scopes, the ``oauth1`` scheme, each operation's
    scopes and the OAuth endpoints' real bodies and responses."""
    describe(app, document)
