"""camshaft-jwt: the ``jwt`` authentication scheme (JWT bearer tokens, RFC 7519/6750).

Settings live in the ``[jwt]`` section; see the package README and docs/jwt.md.

* The scheme reads ``Authorization: Bearer <JWT>`` (:mod:`camshaft_jwt.scheme`) and
  verifies it with the configured key (:mod:`camshaft_jwt.keys`) and algorithms.
* Scopes: a handler's ``scopes`` declaration (the one camshaft-oauth reads, see
  :func:`camshaft.permissions.declared_scopes`) is enforced for ``jwt`` identities
  through ``camshaft_authorize``: 403 ``insufficient_scope`` with an RFC 6750 challenge
  when the token's scopes do not cover the verb.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from camshaft.errors import ConfigurationError, Forbidden
from camshaft.permissions import declared_scopes, required_scopes
from camshaft.plugin import AuthScheme, Identity, Option, Settings, hookimpl

from .keys import ALGORITHMS, RemoteKeySet, key_resolver
from .scheme import MAX_TOKEN, JWTScheme, bearer_challenge, identity_of

if TYPE_CHECKING:
    from camshaft import App
    from camshaft.plugin import Request

__all__ = [
    "MAX_TOKEN",
    "JWTScheme",
    "RemoteKeySet",
    "bearer_challenge",
    "identity_of",
    "key_resolver",
    "scheme_from_settings",
]

SCHEME = "jwt"


@hookimpl
def camshaft_settings_spec() -> Mapping[str, Any]:
    return {
        "key": Option(
            str,
            "",
            "What verifies tokens: an HMAC secret (>= 32 bytes; use {'$env': NAME}), a PEM "
            "public key, a JWK or JWK Set (JSON or a file path), or a JWK Set URL (https).",
        ),
        "algorithms": Option(
            list,
            [],
            "Required. The 'alg' values accepted, e.g. ['RS256']; a token naming another "
            "is refused. 'none' is never accepted.",
            choices=tuple(ALGORITHMS),
        ),
        "issuer": Option(str, "", "The required 'iss' claim; '' checks none."),
        "audience": Option(
            list, [], "Accepted 'aud' values; a token must name one. [] checks none."
        ),
        "leeway": Option(int, 0, "Seconds of clock skew allowed for exp, nbf and iat."),
        "required_claims": Option(
            list, ["exp"], "Claims every token must carry (besides 'sub', always required)."
        ),
        "realm": Option(str, "camshaft", "The protection space named in challenges."),
        "scopes_required": Option(
            bool,
            True,
            "Deny tokens on a resource that declares no 'scopes' (as camshaft-oauth does). "
            "False leaves such resources to their 'permissions' (has_scopes, ...).",
        ),
        "jwks": {
            "timeout": Option(float, 3.0, "Seconds to wait for a JWK Set URL."),
            "max_age": Option(float, 300.0, "Seconds a fetched JWK Set is used before refetching."),
            "min_refresh": Option(
                float,
                30.0,
                "The least seconds between two fetches caused by an unknown 'kid' or a failure.",
            ),
        },
    }


def scheme_from_settings(section: Mapping[str, Any]) -> JWTScheme:
    """The scheme a ``[jwt]`` settings section configures.

    :raises ConfigurationError: no algorithms, no key, or a key that does not suit them.
    """
    algorithms = section["algorithms"]
    if not algorithms:
        raise ConfigurationError(
            "jwt.algorithms is required: name the algorithms your issuer signs with "
            "(['RS256'], ['HS256'], ...)"
        )
    jwks = section["jwks"]
    key = key_resolver(
        section["key"],
        algorithms,
        timeout=jwks["timeout"],
        max_age=jwks["max_age"],
        min_refresh=jwks["min_refresh"],
    )
    return JWTScheme(
        key,
        algorithms,
        issuer=section["issuer"],
        audiences=section["audience"],
        leeway=section["leeway"],
        required=section["required_claims"],
        realm=section["realm"],
    )


@hookimpl
def camshaft_auth_schemes(app: App, settings: Settings) -> list[AuthScheme]:
    section = settings.plugin(SCHEME)
    if not section["key"] and not section["algorithms"]:
        # Installed but not configured: register nothing, so an app that does not use
        # JWTs does not fail to start because the plugin is present.
        return []
    return [scheme_from_settings(section).descriptor(SCHEME)]


@hookimpl
def camshaft_startup(app: App, settings: Settings) -> None:
    """Check every handler's ``scopes`` declaration once, so a typo fails the start."""
    for group in app.groups():
        for endpoint in group.versions.values():
            declared_scopes(endpoint.handler)
            anonymous = app.wiring_for(endpoint).anonymous
            if anonymous is not None:
                declared_scopes(anonymous.handler)


def scope_refusal(realm: str, needed: tuple[str, ...]) -> Forbidden:
    """403 ``insufficient_scope`` with its RFC 6750 challenge."""
    scope = " ".join(needed)
    description = (
        f"The token lacks the scope this request needs: {scope}."
        if scope
        else "No token scope grants this method on this resource."
    )
    challenge = bearer_challenge(
        realm, error="insufficient_scope", error_description=description, scope=scope or None
    )
    return Forbidden(
        description,
        headers=[("WWW-Authenticate", challenge)],
        error="insufficient_scope",
        error_description=description,
    )


@hookimpl
def camshaft_authorize(
    request: Request, identity: Identity, handler: Any, action: str, obj: Any
) -> bool | None:
    """For a ``jwt`` identity at the request stage: refuse (403 ``insufficient_scope``)
    when the handler's ``scopes`` do not cover the verb, grant when they do (so a handler
    whose only rule is its ``scopes`` can be written with a token). A handler declaring
    no ``scopes`` refuses tokens, unless ``jwt.scopes_required`` is false (then: no
    opinion). No opinion on other identities or on objects."""
    if obj is not None or identity.scheme != SCHEME:
        return None
    section = request.app.settings.plugin(SCHEME)
    cls = type(handler)
    if declared_scopes(cls) is None and not section["scopes_required"]:
        return None
    needed = required_scopes(cls, request.method)
    if needed is None:
        raise scope_refusal(section["realm"], ())
    if not set(needed) <= identity.scopes:
        raise scope_refusal(section["realm"], needed)
    return True
