"""Paginators, the collection window they cut, and how a page becomes a response.

A paginator reads its query parameters, asks the collection for one window (and for the
total when counting is on) and returns a :class:`Page` with RFC 8288 links. The app then
renders the page as a bare list (``X-Total-Count`` when the total is known) or, with
``pagination.envelope``, as ``{count, next, previous, results}``; both carry a ``Link``
header.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote, urlencode

from camshaft.errors import BadRequest

if TYPE_CHECKING:
    from camshaft._kernel.request import Request

__all__ = [
    "Collection",
    "Page",
    "Paginator",
    "SequenceCollection",
    "int_arg",
    "link_builder",
    "link_header",
    "page_size",
    "paginator_name",
    "render_page",
]


class Collection(Protocol):
    """What a paginator pages over: a list a handler returned, or a store query.

    The default CRUD's collection of a store query also has ``store`` and ``query``; a
    paginator that reads the store itself with them (the SQL store's ``cursor``) must
    pass the rows it reads through the collection's ``complete(rows)`` when it has one
    (relation links and embedded items are added there).
    """

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
    """One page: its items, the total when known (None when counting is off), and
    RFC 8288 links by relation (``first``, ``prev``, ``next``, ``last``)."""

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


def paginator_name(handler: type, default: str) -> str | None:
    """The pagination style of ``handler``'s collection route, or None for none.

    ``pagination = "offset"`` names a style; ``True`` (or naming a ``store``) uses the
    ``pagination.default`` setting; ``False`` turns pagination off even with a store;
    None (the default) paginates only handlers that name a store.
    """
    choice = getattr(handler, "pagination", None)
    if isinstance(choice, str):
        return choice
    if choice is True or (choice is None and getattr(handler, "store", None) is not None):
        return default
    return None


def link_header(links: dict[str, str]) -> str:
    """An RFC 8288 ``Link`` field value: ``<url>; rel="next", ...``."""
    return ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items())


def render_page(page: Page, envelope: bool) -> tuple[Any, list[tuple[str, str]]]:
    """The response body and headers for ``page``.

    :param envelope: wrap the items in ``{count, next, previous, results}`` (``count``
        is null when counting is off); else the items go bare and the total, when
        known, goes in ``X-Total-Count``.
    :return: ``(data, headers)``; ``data`` is the envelope dict or the page's items.
    """
    headers = [("Link", link_header(page.links))] if page.links else []
    if envelope:
        return {
            "count": page.count,
            "next": page.links.get("next"),
            "previous": page.links.get("prev"),
            "results": list(page.items),
        }, headers
    if page.count is not None:
        headers.append(("X-Total-Count", str(page.count)))
    return page.items, headers


_INTEGER = re.compile(r"-?[0-9]{1,15}")


def int_arg(request: Request, name: str, default: int, minimum: int) -> int:
    """Query parameter ``name`` as a plain decimal integer of at least ``minimum``.

    :raises BadRequest: not an integer (``abc``, ``1.5``, ``+2``) or below ``minimum``.
    """
    raw = request.args.get(name)
    if raw is None:
        return default
    if not _INTEGER.fullmatch(raw):
        raise BadRequest(
            f"Query parameter {name!r} must be an integer, got {raw[:40]!r}.",
            title="Invalid pagination parameter",
        )
    value = int(raw)
    if value < minimum:
        raise BadRequest(
            f"Query parameter {name!r} must be at least {minimum}, got {value}.",
            title="Invalid pagination parameter",
        )
    return value


def page_size(request: Request, name: str) -> int:
    """The page size asked for in ``name``, defaulted and clamped (or refused) by the
    ``pagination`` settings; paginator plugins share it so sizes mean the same everywhere.

    :raises BadRequest: not an integer, below 1, or above the maximum when not clamping.
    """
    options = request.app.settings["pagination"]
    size = int_arg(request, name, options["per_page"], 1)
    if size > options["max_per_page"]:
        if not options["clamp"]:
            raise BadRequest(
                f"Query parameter {name!r} may be at most {options['max_per_page']}.",
                title="Invalid pagination parameter",
            )
        size = options["max_per_page"]
    return size


def link_builder(request: Request, *names: str) -> Callable[..., str]:
    """A builder of links to ``request``'s URL with the query parameters ``names``
    replaced and every other one kept, in order (filters, ordering, format, repeated
    ones whole). The URL's unchanging part is encoded once, not once per link::

        link = link_builder(request, "page", "per_page")
        link(page=2, per_page=20)  # ".../items/?order=name&page=2&per_page=20"

    Values are integers or other text that needs no escaping.
    """
    kept = [(k, v) for k, v in request.args.items(multi=True) if k not in names]
    head = f"{request.base_url}{quote(request.path)}?"
    if kept:
        head += urlencode(kept) + "&"

    def link(**values: object) -> str:
        return head + "&".join(f"{k}={v}" for k, v in values.items())

    return link
