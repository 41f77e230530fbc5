"""Security schemes and the requirements of each operation.

A scheme is known by the name resources use in ``authentication`` (``basic``,
``digest``, ``apikey``, ``oauth1``, ``oauth2``); the object behind a scheme's
``authenticate`` may say more (an API key's ``header``, OAuth 2.0 ``flows``). A plugin
with another kind of scheme describes it through the ``camshaft_openapi`` hook; a name
nobody described is documented as an HTTP authentication scheme of that name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..auth import AuthScheme
from ..authentication import ANONYMOUS_SCHEME

__all__ = ["fallback_scheme", "requirements", "security_scheme"]


def _owner(scheme: AuthScheme) -> Any:
    """The object whose bound method authenticates (``BasicScheme``, ...), or None."""
    return getattr(scheme.authenticate, "__self__", None)


def _oauth2(owner: Any) -> dict[str, Any]:
    flows = getattr(owner, "openapi_flows", None)
    if isinstance(flows, Mapping) and flows:
        return {"type": "oauth2", "flows": dict(flows)}
    # Without flows the resource side is all that is known: a bearer access token.
    return {
        "type": "http",
        "scheme": "bearer",
        "description": "An OAuth 2.0 access token (RFC 6750), sent as "
        "'Authorization: Bearer <token>'.",
    }


def security_scheme(scheme: AuthScheme) -> dict[str, Any] | None:
    """The OpenAPI Security Scheme Object for ``scheme``, None for the anonymous scheme
    and for names this module does not know (see :func:`fallback_scheme`)."""
    owner = _owner(scheme)
    described = getattr(owner, "openapi_security_scheme", None)
    if callable(described):
        result = described()
        if isinstance(result, Mapping):
            return dict(result)
    name = scheme.name
    if name == "basic":
        return {"type": "http", "scheme": "basic", "description": "HTTP Basic (RFC 7617)."}
    if name == "digest":
        return {"type": "http", "scheme": "digest", "description": "HTTP Digest (RFC 7616)."}
    if name == "apikey":
        header = getattr(owner, "header", None) or "X-API-Key"
        text = f"An API key '<key_id>.<secret>' in the {header} header."
        if getattr(owner, "bearer", False):
            text += " 'Authorization: Bearer <key_id>.<secret>' is accepted too."
        return {"type": "apiKey", "in": "header", "name": header, "description": text}
    if name == "oauth1":
        return {
            "type": "http",
            "scheme": "OAuth",
            "description": "OAuth 1.0a (RFC 5849): requests signed with the client's and "
            "the token's credentials in an 'Authorization: OAuth ...' header. OpenAPI "
            "has no OAuth 1.0 flow object; the token endpoints are listed under paths.",
        }
    if name == "oauth2":
        return _oauth2(owner)
    return None


def fallback_scheme(name: str) -> dict[str, Any]:
    """What a scheme nobody described is documented as."""
    return {
        "type": "http",
        "scheme": name,
        "description": f"The '{name}' authentication scheme (its plugin gives no details).",
    }


def requirements(
    schemes: Iterable[AuthScheme], anonymous_allowed: bool
) -> list[dict[str, list[str]]] | None:
    """An operation's ``security``: any one named scheme, or none at all when clients
    without credentials are served (the ``anonymous`` scheme, or an ``anonymous``
    handler for the method). None when the resource names no scheme (open)."""
    named = [s.name for s in schemes if s.name != ANONYMOUS_SCHEME]
    if not named:
        return None
    found: list[dict[str, list[str]]] = [{name: []} for name in named]
    if anonymous_allowed:
        found.append({})
    return found
