"""Paginators and the collection window they cut."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .request import Request

__all__ = ["Collection", "Page", "Paginator", "SequenceCollection"]


class Collection(Protocol):
    """What a paginator pages over: a list a handler returned, or a store query."""

    def count(self) -> int: ...

    def window(self, offset: int, limit: int) -> Iterable[Any]: ...


class SequenceCollection:
    """A :class:`Collection` over a Python sequence."""

    __slots__ = ("items",)

    def __init__(self, items: list[Any] | tuple[Any, ...]) -> None:
        self.items = items

    def count(self) -> int:
        return len(self.items)

    def window(self, offset: int, limit: int) -> Iterable[Any]:
        return self.items[offset : offset + limit]


@dataclass(slots=True)
class Page:
    """One page: its items, the total when known, RFC 8288 links by relation, and the
    members an envelope carries (``count``, ``next``, ``previous``)."""

    items: Iterable[Any]
    count: int | None = None
    links: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Paginator:
    """A pagination style a handler or the settings may choose.

    :ivar name: ``"page"``, ``"offset"``, ``"cursor"``.
    :ivar paginate: ``paginate(request, collection) -> Page``; raises
        :class:`camshaft.errors.BadRequest` for bad paging parameters.
    :ivar parameters: the query parameters it reads (documented in OpenAPI).
    """

    name: str
    paginate: Callable[[Request, Collection], Page]
    parameters: tuple[str, ...] = ()
