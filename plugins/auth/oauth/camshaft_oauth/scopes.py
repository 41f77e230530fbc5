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

from collections.abc import Iterable, Mapping
from typing import Any

from camshaft.errors import ConfigurationError
from camshaft.plugin import METHOD_ACTIONS

from .errors import OAuthProblem, bearer_challenge

__all__ = ["TOKEN_SCHEMES", "check_declaration", "required_scopes", "scope_refusal"]

TOKEN_SCHEMES = frozenset({"oauth2", "oauth1"})
_VERB_OF = {action: verb for verb, action in METHOD_ACTIONS.items()}


def _as_tuple(owner: str, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split()
    if not isinstance(value, Iterable) or not all(isinstance(v, str) for v in value):
        raise ConfigurationError(f"{owner}.scopes[{key!r}] must be a list of scope names")
    return tuple(value)


def check_declaration(cls: type) -> dict[str, tuple[str, ...]] | None:
    """A handler class's ``scopes`` as verb (or ``"*"``) -> scope names; None if absent.

    :raises ConfigurationError: a key that is no verb, action or ``"*"``, or a value that
        is not a list of names.
    """
    declared = getattr(cls, "scopes", None)
    if declared is None:
        return None
    owner = cls.__name__
    if not isinstance(declared, Mapping):
        return {"*": _as_tuple(owner, "*", declared)}
    out = {}
    for key, value in declared.items():
        verb = key if key == "*" else _VERB_OF.get(key, str(key).upper())
        if verb != "*" and verb not in METHOD_ACTIONS:
            raise ConfigurationError(
                f"{owner}.scopes has key {key!r}; use an HTTP verb, an action or '*'"
            )
        out[verb] = _as_tuple(owner, str(key), value)
    return out


def required_scopes(cls: type, method: str) -> tuple[str, ...] | None:
    """The scopes ``method`` needs on ``cls``; None when tokens may not use the verb at
    all: the class declares no ``scopes``, or none for this verb (deny by default)."""
    table = check_declaration(cls)
    if table is None:
        return None
    verb = "GET" if method == "HEAD" else method
    return table.get(verb, table.get("*"))


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
