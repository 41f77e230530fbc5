"""Permission rules: who may do what, per verb and per object (public as
:mod:`camshaft.permissions`).

A rule is ``rule(request, identity, obj) -> bool``; ``obj`` is None at the request stage
and the object when the handler (or default CRUD) checks one. Handlers declare them in
``permissions`` (see docs/auth.md)::

    from camshaft.permissions import authenticated, is_owner

    class PostHandler(Handler):
        permissions = {"GET": [], "POST": authenticated, "*": is_owner("author")}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from camshaft._kernel.auth.identity import Identity
    from camshaft._kernel.request import Request

__all__ = [
    "OBJECT_RULE",
    "OWNER_FIELD",
    "Permission",
    "anyone",
    "authenticated",
    "has_scopes",
    "is_owner",
    "nobody",
    "object_rule",
]

#: ``rule(request, identity, obj) -> bool``; ``obj`` is None before an object is loaded.
Permission = Callable[["Request", "Identity", Any], bool]


# ---------------------------------------------------------------------------- rules


def authenticated(request: Request, identity: Identity, obj: Any) -> bool:
    """Granted to an authenticated identity."""
    return identity.is_authenticated


def anyone(request: Request, identity: Identity, obj: Any) -> bool:
    """Granted to everybody (use it to say so explicitly in a mapping)."""
    return True


def nobody(request: Request, identity: Identity, obj: Any) -> bool:
    """Granted to nobody."""
    return False


def object_rule(func: Callable[[Request, Identity, Any], bool]) -> Permission:
    """Make a rule about objects pass at the request stage (``obj`` None), so it only
    decides when the handler calls ``self.authorize(action, obj)``."""

    def rule(request: Request, identity: Identity, obj: Any) -> bool:
        return True if obj is None else bool(func(request, identity, obj))

    rule.__name__ = getattr(func, "__name__", "object_rule")
    rule.__doc__ = func.__doc__
    # Default CRUD lists a collection through these rules too (docs/auth.md).
    setattr(rule, OBJECT_RULE, True)
    return rule


#: Attribute set on rules made by :func:`object_rule`: they decide about each object.
OBJECT_RULE = "camshaft_object_rule"
#: Attribute set on :func:`is_owner` rules: the field compared with the user's id, so a
#: collection can be filtered by the store instead of row by row.
OWNER_FIELD = "camshaft_owner_field"


def is_owner(field: str = "owner") -> Permission:
    """An object rule: the object's ``field`` (a key or attribute) equals the id of the
    user making the request. Only identities of kind ``user`` can own: an OAuth client, a
    consumer acting for itself or an owner-less API key never does, whatever its id."""

    def owns(request: Request, identity: Identity, obj: Any) -> bool:
        value = obj.get(field) if isinstance(obj, Mapping) else getattr(obj, field, None)
        user = identity.user_id
        return user is not None and value == user

    owns.__name__ = f"is_owner_{field}"
    rule = object_rule(owns)
    setattr(rule, OWNER_FIELD, field)
    return rule


def has_scopes(*scopes: str) -> Permission:
    """Granted when the identity holds every one of ``scopes``."""
    wanted = frozenset(scopes)

    def holds(request: Request, identity: Identity, obj: Any) -> bool:
        return wanted <= identity.scopes

    holds.__name__ = "has_scopes_" + "_".join(sorted(wanted))
    return holds
