"""Shaping: turning what handlers return into plain data emitters can write.

Objects become dicts (dataclasses by their fields, mappings as they are); scalars pass
through unchanged, each emitter documents how it writes rich scalars.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .request import Request

__all__ = ["columns_for", "shaper_for", "to_plain"]


def to_plain(obj: Any) -> Any:
    """A dataclass instance as a dict of its fields; anything else unchanged."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    return obj


def shaper_for(handler: type) -> Callable[[Request, Any], Any]:
    """The function applied to each object a handler returns, before emitting."""

    def shape(request: Request, obj: Any) -> Any:
        if isinstance(obj, Mapping):
            return obj
        return to_plain(obj)

    return shape


def columns_for(handler: type) -> tuple[str, ...] | None:
    """Dotted field paths in the handler's declared order, when it declares fields."""
    return None
