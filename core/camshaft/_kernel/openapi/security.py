"""Security schemes and the requirements of each operation.

A scheme describes itself: its descriptor's ``openapi`` is its Security Scheme Object
(:class:`~camshaft.plugin.AuthScheme`). A scheme without one is documented as an HTTP
authentication scheme of its name; a plugin may still rewrite the document through the
``camshaft_openapi`` hook.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from camshaft._kernel.auth.authentication import ANONYMOUS_SCHEME
from camshaft._kernel.auth.identity import AuthScheme

__all__ = ["fallback_scheme", "requirements", "security_scheme"]


def security_scheme(scheme: AuthScheme) -> dict[str, Any] | None:
    """The OpenAPI Security Scheme Object for ``scheme``; None for the anonymous scheme
    and for schemes that do not describe themselves (see :func:`fallback_scheme`)."""
    if scheme.name == ANONYMOUS_SCHEME or scheme.openapi is None:
        return None
    return dict(scheme.openapi)


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
