"""What a collection shows: only what the item routes would show the same identity.

Default CRUD lists a store through the handler's object rules for ``read``
(``auth.filter_collections``, on by default):

- an owner rule (:func:`camshaft.permissions.is_owner`) becomes a query filter, so the
  store returns only the user's rows and counts and pages stay exact and cheap; an
  identity that is no user (an OAuth client, an owner-less key) sees nothing;
- any other object rule filters the rows read: a window is refilled from further rows
  until it is full, and counting reads the whole query (its cost grows with the
  collection; prefer owner rules, or filter in your own ``read``).

Plugin policies (``camshaft_authorize``) are not asked per row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from camshaft._kernel.auth.authorization import allowed, rules_for
from camshaft._kernel.auth.rules import OBJECT_RULE, OWNER_FIELD
from camshaft._kernel.pagination import Collection, SequenceCollection
from camshaft._kernel.stores.base import Filter, Query

if TYPE_CHECKING:
    from camshaft._kernel.handler import Handler

__all__ = ["FilteredCollection", "owner_fields", "visible"]

#: Rows read per step while refilling a window of a row-filtered collection.
_CHUNK = 200


def owner_fields(cls: type, action: str) -> tuple[str, ...]:
    """The fields the owner rules of ``cls`` for ``action`` compare with the user's id."""
    return tuple(
        getattr(rule, OWNER_FIELD)
        for rule in rules_for(cls, action) or ()
        if hasattr(rule, OWNER_FIELD)
    )


def visible(
    handler: Handler,
    query: Query,
    collection: Callable[[Query], Collection],
    convert: Callable[[str, str], Any],
) -> Collection:
    """The collection ``handler``'s identity may see: ``collection(query)`` narrowed.

    :param collection: makes the store's collection for a query.
    :param convert: ``convert(field, text)``: the user's id as the field's type.
    """
    cls = type(handler)
    rules = rules_for(cls, "read") or ()
    owners = owner_fields(cls, "read")
    if owners:
        user = handler.identity.user_id
        if user is None:
            return SequenceCollection([])
        extra = tuple(Filter(field, "eq", convert(field, user)) for field in owners)
        query = replace(query, filters=query.filters + extra)
    per_row = any(getattr(r, OBJECT_RULE, False) and not hasattr(r, OWNER_FIELD) for r in rules)
    inner = collection(query)
    if not per_row:
        return inner
    return FilteredCollection(inner, lambda row: allowed(handler, "read", row))


class FilteredCollection:
    """A collection whose rows pass ``keep``; windows are refilled from further rows."""

    __slots__ = ("_inner", "_keep")

    def __init__(self, inner: Collection, keep: Callable[[Any], bool]) -> None:
        self._inner = inner
        self._keep = keep

    def _rows(self) -> Iterable[Any]:
        start = 0
        while True:
            chunk = list(self._inner.window(start, _CHUNK))
            yield from (row for row in chunk if self._keep(row))
            if len(chunk) < _CHUNK:
                return
            start += _CHUNK

    def window(self, offset: int, limit: int) -> list[Any]:
        out: list[Any] = []
        for i, row in enumerate(self._rows()):
            if i >= offset + limit:
                break
            if i >= offset:
                out.append(row)
        return out

    def count(self) -> int:
        return sum(1 for _ in self._rows())
