"""Scopes per resource and verb, for the identities OAuth tokens establish.

A handler declares what a token must grant::

    class NoteHandler(Handler):
        authentication = ("oauth2", "oauth1")
        scopes = {"GET": ["notes:read"], "PUT": ["notes:write"], "*": ["notes:admin"]}

``scopes`` is a list (every verb) or a mapping from an HTTP verb, an action name
(``"read"``, ``"update"``...) or ``"*"`` to a list. Deny by default: a verb the mapping
does not cover is refused, and a resource that accepts tokens but declares no ``scopes``
at all grants tokens nothing (403 on every verb). Refusing at request time rather than
failing the app's start lets ``auth.default`` name ``oauth2`` for every resource while
only the resources that declare scopes are open to tokens; users signing in directly
are unaffected. Only identities of the ``oauth2`` and ``oauth1`` schemes are
checked: tokens carry delegated, scoped access, while a resource owner who signs in
directly (Basic, Digest) is governed by ``permissions`` (see
``camshaft.authorization.has_scopes``).

A refusal is 403 ``insufficient_scope``, with ``WWW-Authenticate: Bearer ...,
error="insufficient_scope", scope="..."`` for bearer tokens (RFC 6750 §3.1).
"""

from __future__ import annotations

from collections.abc import Iterable

from camshaft.permissions import declared_scopes, required_scopes

from .errors import OAuthProblem, bearer_challenge

__all__ = ["TOKEN_SCHEMES", "check_declaration", "required_scopes", "scope_refusal"]

TOKEN_SCHEMES = frozenset({"oauth2", "oauth1"})


def check_declaration(cls: type) -> dict[str, tuple[str, ...]] | None:
    """A handler class's ``scopes`` (:func:`camshaft.permissions.declared_scopes`).

    :raises ConfigurationError: the declaration is malformed.
    """
    return declared_scopes(cls)


def scope_refusal(realm: str, scheme: str, needed: Iterable[str]) -> OAuthProblem:
    """403 ``insufficient_scope``, with the RFC 6750 challenge for bearer tokens."""
    scope = " ".join(needed)
    description = (
        f"The token lacks the scope this request needs: {scope}."
        if scope
        else "No token scope grants this method on this resource."
    )
    headers = []
    if scheme == "oauth2":
        challenge = bearer_challenge(
            realm,
            error="insufficient_scope",
            error_description=description,
            scope=scope or None,
        )
        headers.append(("WWW-Authenticate", challenge))
    return OAuthProblem(403, "insufficient_scope", description, headers=headers)
