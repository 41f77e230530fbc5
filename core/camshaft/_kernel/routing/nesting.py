"""Nested resources: a handler with ``parent = AuthorHandler`` and
``parent_field = "author_id"`` is served under its parent's item,
``/authors/<author>/posts/`` and ``/authors/<author>/posts/<key>``.

Each ancestor contributes one path parameter, named after the child's ``parent_field``
without its ``_id`` suffix (``author_id`` gives ``author``), checked against the
ancestor's key pattern when the route is matched (400 when it does not match). Built
once, with the app's route table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from camshaft._kernel.handler import default_resource_name
from camshaft.errors import ConfigurationError

if TYPE_CHECKING:
    from camshaft._kernel.handler import Handler

__all__ = ["Level", "chain", "parameter_name", "templates"]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: How deep nesting may go: deeper is almost certainly a cycle in ``parent``.
MAX_DEPTH = 8


@dataclass(frozen=True, slots=True)
class Level:
    """One ancestor of a nested handler, outermost first.

    :ivar handler: the ancestor's handler class.
    :ivar param: the path parameter holding its key (``"author"``).
    :ivar field: the member of the level below that holds this ancestor's key
        (``"author_id"``, the ``parent_field`` of the level below).
    """

    handler: type[Handler]
    param: str
    field: str


def parameter_name(field: str) -> str:
    """``author_id`` gives ``author``; a field without ``_id`` is its own name."""
    return field.removesuffix("_id") or field


def chain(cls: type[Handler]) -> tuple[Level, ...]:
    """The ancestors of ``cls``, outermost first: see :func:`_chain` (cached)."""
    key: Any = cls  # Any: mypy holds classes unhashable for the cache
    return _chain(key)


@cache
def _chain(cls: Any) -> tuple[Level, ...]:
    """The ancestors of ``cls``, outermost first (empty when it has no ``parent``).

    :raises ConfigurationError: ``parent`` is not a handler, ``parent_field`` is missing
        or not an identifier, two levels would share a parameter name, or the chain is
        a cycle.
    """
    from camshaft._kernel.handler import Handler

    levels: list[Level] = []
    seen: set[type] = {cls}
    child = cls
    while child.parent is not None:
        parent = child.parent
        if not (isinstance(parent, type) and issubclass(parent, Handler)):
            raise ConfigurationError(
                f"{child.__name__}.parent must be a camshaft.Handler subclass, got {parent!r}"
            )
        field = child.parent_field
        if not field or not _IDENTIFIER.fullmatch(field):
            raise ConfigurationError(
                f"{child.__name__}.parent_field must name the member holding the "
                f"{parent.__name__} key (e.g. 'author_id'), got {field!r}"
            )
        if parent in seen or len(levels) >= MAX_DEPTH:
            raise ConfigurationError(f"{cls.__name__}: its parents form a cycle")
        seen.add(parent)
        levels.append(Level(parent, parameter_name(field), field))
        child = parent
    levels.reverse()
    names = [level.param for level in levels] + [cls.key_name]
    if len(set(names)) != len(names):
        raise ConfigurationError(
            f"{cls.__name__}: its nested route would repeat a path parameter "
            f"({', '.join(names)}); rename a parent_field or key_name"
        )
    return tuple(levels)


def templates(cls: type[Handler], levels: tuple[Level, ...]) -> tuple[str, str]:
    """The Werkzeug rules of the collection and item routes of a nested ``cls``:
    ``("/authors/<author>/posts/", "/authors/<author>/posts/<key>")``."""
    prefix = "".join(
        f"/{level.handler.resource_name or default_resource_name(level.handler)}/<{level.param}>"
        for level in levels
    )
    name = cls.resource_name or default_resource_name(cls)
    collection = f"{prefix}/{name}/"
    return collection, f"{collection}<{cls.key_name}>"


def link_template(cls: type[Handler]) -> str | None:
    """The prefix of a nested item's ``url`` as a format string
    (``"/authors/{author}/posts/"``), or None for a handler that is not nested."""
    levels = chain(cls)
    if not levels:
        return None
    return re.sub(r"<([^>]+)>", r"{\1}", templates(cls, levels)[0])
