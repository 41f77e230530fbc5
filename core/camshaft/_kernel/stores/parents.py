"""The parents of a request on a nested route (see
:mod:`camshaft._kernel.routing.nesting`): loaded once per request, through each
ancestor handler's own store, outermost first.

A level exists when its store has the key of the path and, below the outermost, the
record holds the key of the level above in its ``parent_field``; anything else is a 404,
so ``/authors/1/posts/7/comments/`` never shows a comment of a post of author 2.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from camshaft._kernel.routing.nesting import chain
from camshaft._kernel.stash import StashKey
from camshaft.errors import ConfigurationError, NotFound

if TYPE_CHECKING:
    from camshaft._kernel.request import Request

__all__ = ["belongs", "parent_data", "parent_value"]

_PARENT = StashKey[Any]()
_NONE = object()


def same_key(stored: Any, value: Any) -> bool:
    """Whether a stored parent key and another (from a body, a path) name one parent:
    compared as text, so ``1`` and ``"1"`` agree."""
    return stored is not None and value is not None and str(stored) == str(value)


def parent_data(request: Request) -> Any:
    """The data of the parent record of ``request``'s nested route; None when the route
    is not nested. Loaded on first use and kept for the request.

    :raises NotFound: the parent, or one of its ancestors, does not exist (or does not
        belong to the level above it).
    """
    found = request.stash.get(_PARENT, _NONE)
    if found is not _NONE:
        return found
    endpoint = request.endpoint
    levels = chain(endpoint.handler) if endpoint is not None else ()
    data: Any = None
    above: tuple[str, Any] | None = None  # (field, key value) the next level must hold
    for level in levels:
        store = request.app.stores.get(level.handler)
        if store is None:
            raise ConfigurationError(
                f"{level.handler.__name__} is the parent of a nested handler and needs a "
                "store (or an app that serves it) to check its records exist"
            )
        key = request.params[level.param]
        record = store.get(key)
        if record is None or (
            above is not None and not same_key(record.data.get(above[0]), above[1])
        ):
            name = level.handler.resource_name or level.param
            raise NotFound(f"No {name} with key {key!r}.")
        data = record.data
        above = (level.field, data.get(level.handler.key_field, key))
    request.stash[_PARENT] = data
    return data


def parent_value(request: Request) -> Any:
    """The parent's key as the parent stores it (``7``, not ``"7"``): what a child's
    ``parent_field`` holds.

    :raises NotFound: the parent does not exist.
    """
    data = parent_data(request)
    endpoint = request.endpoint
    assert endpoint is not None and endpoint.handler.parent is not None
    parent = endpoint.handler.parent
    levels = chain(endpoint.handler)
    return data.get(parent.key_field, request.params[levels[-1].param])


def belongs(request: Request, data: Any) -> bool:
    """Whether a child's ``data`` names the request's parent in its ``parent_field``."""
    endpoint = request.endpoint
    assert endpoint is not None
    field = endpoint.handler.parent_field
    return isinstance(data, dict) and same_key(data.get(field), parent_value(request))
