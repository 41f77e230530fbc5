"""Permission rules for application authors: who may do what, per verb and per object.

A rule is ``rule(request, identity, obj) -> bool``; ``obj`` is None at the request stage
and the object when the handler (or default CRUD) checks one. Handlers declare them in
``permissions`` (see docs/auth.md)::

    from camshaft.permissions import authenticated, is_owner

    class PostHandler(Handler):
        permissions = {"GET": [], "POST": authenticated, "*": is_owner("author")}

Token schemes read a handler's ``scopes`` (what a token must grant per verb) with
``declared_scopes(cls)`` and ``required_scopes(cls, method)``.

``is_allowed(handler, action, obj)`` answers what the rules and the plugins' policies
say about one object, without raising (for filtering in your own ``read``).
"""

from camshaft._kernel.auth.authorization import allowed as is_allowed
from camshaft._kernel.auth.rules import (
    OBJECT_RULE,
    OWNER_FIELD,
    Permission,
    anyone,
    authenticated,
    has_scopes,
    is_owner,
    nobody,
    object_rule,
)
from camshaft._kernel.auth.scopes import declared_scopes, required_scopes

__all__ = [
    "OBJECT_RULE",
    "OWNER_FIELD",
    "Permission",
    "anyone",
    "authenticated",
    "declared_scopes",
    "has_scopes",
    "is_allowed",
    "is_owner",
    "nobody",
    "object_rule",
    "required_scopes",
]
