"""A handler's ``scopes`` declaration: what a token must grant, per verb (public as
:mod:`camshaft.permissions`).

Token schemes (camshaft-oauth's ``oauth2``/``oauth1``, camshaft-jwt's ``jwt``) read it
through their ``camshaft_authorize`` policies, so one declaration serves them all::

    class NoteHandler(Handler):
        authentication = ("oauth2", "jwt")
        scopes = {"GET": ["notes:read"], "PUT": ["notes:write"], "*": ["notes:admin"]}

``scopes`` is a list (every verb) or a mapping from an HTTP verb, an action name
(``"read"``, ``"update"``...) or ``"*"`` to a list (or a space-separated string). What
a scheme does when a verb is not covered is the scheme's policy (the token schemes of
this repository deny).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from camshaft._kernel.routing.actions import METHOD_ACTIONS
from camshaft.errors import ConfigurationError

__all__ = ["declared_scopes", "required_scopes"]

_VERB_OF = {action: verb for verb, action in METHOD_ACTIONS.items()}


def _as_tuple(owner: str, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split()
    if not isinstance(value, Iterable) or not all(isinstance(v, str) for v in value):
        raise ConfigurationError(f"{owner}.scopes[{key!r}] must be a list of scope names")
    return tuple(value)


def declared_scopes(cls: type) -> dict[str, tuple[str, ...]] | None:
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
    """The scopes ``method`` needs on ``cls``; None when the class declares no ``scopes``,
    or none for this verb (``HEAD`` counts as ``GET``).

    :raises ConfigurationError: as :func:`declared_scopes`.
    """
    table = declared_scopes(cls)
    if table is None:
        return None
    verb = "GET" if method == "HEAD" else method
    return table.get(verb, table.get("*"))
