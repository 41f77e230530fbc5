"""The ``page`` (``?page=2&per_page=20``) and ``offset`` (``?offset=40&limit=20``)
paginators, over any collection, with RFC 8288 links (first, prev, next, last).

Rules both follow:

* a parameter that is not a plain decimal integer (``page=abc``, ``page=1.5``,
  ``page=+2``), a page or size below 1, or a negative offset is a 400;
* a size above ``pagination.max_per_page`` is clamped (``pagination.clamp``, the
  default) or a 400;
* past the end: an empty page (200), with ``first``, ``prev`` (pointing at the last
  page that has items) and ``last`` links -- never a 404, since a collection that
  shrank between two requests is not an error;
* ``pagination.count = "off"``: the total is never computed (no ``X-Total-Count``, no
  ``last`` link, ``count`` null in the envelope); ``next`` is present when one more
  item than the page holds exists;
* ``pagination.count = "estimated"``: a collection offering ``estimate() -> int | None``
  gives the total and ``last`` link from it, ``next`` by the extra item as with ``off``;
  without one (or when it returns None) counting is exact.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from camshaft.errors import BadRequest, ConfigurationError
from camshaft.plugin import (
    Collection,
    Page,
    Paginator,
    Request,
    Settings,
    hookimpl,
    int_arg,
    link_builder,
    page_size,
)

#: Offsets past this are refused: no store pages that far, and SQL OFFSET must not overflow.
MAX_OFFSET = 10**12


def _check_offset(offset: int) -> None:
    if offset > MAX_OFFSET:
        raise BadRequest("The page asked for is too far.", title="Invalid pagination parameter")


def _window(collection: Collection, offset: int, limit: int, counting: bool) -> tuple[Any, bool]:
    """The items of one window and whether more follow it (by one extra item when the
    total is not counted)."""
    if counting:
        return collection.window(offset, limit), False
    items = list(collection.window(offset, limit + 1))
    return items[:limit], len(items) > limit


def _counting(request: Request, collection: Collection) -> tuple[bool, int | None]:
    """Whether to count exactly (after the window), else the estimated total or None:
    ``exact`` counts; ``estimated`` takes the collection's optional ``estimate()`` (absent
    or None: counts); ``off`` never counts. Links past an estimate rest on the extra item."""
    mode = request.app.settings["pagination"]["count"]
    if mode == "estimated":
        estimate = getattr(collection, "estimate", None)
        value = estimate() if estimate is not None else None
        return value is None, None if value is None else int(value)
    return mode == "exact", None


def paginate_pages(request: Request, collection: Collection) -> Page:
    """``?page=N&per_page=M`` (pages from 1).

    :raises BadRequest: a malformed or out-of-range parameter.
    """
    per_page = page_size(request, "per_page")
    page = int_arg(request, "page", 1, 1)
    offset = (page - 1) * per_page
    _check_offset(offset)
    exact, count = _counting(request, collection)
    items, more = _window(collection, offset, per_page, exact)
    link = link_builder(request, "page", "per_page")
    links = {"first": link(page=1, per_page=per_page)}
    if exact:
        count = collection.count()
    if exact and count is not None:
        last = max(1, -(-count // per_page))
        if page > 1:
            links["prev"] = link(page=min(page - 1, last), per_page=per_page)
        if page < last:
            links["next"] = link(page=page + 1, per_page=per_page)
        links["last"] = link(page=last, per_page=per_page)
    else:
        if page > 1:
            links["prev"] = link(page=page - 1, per_page=per_page)
        if more:
            links["next"] = link(page=page + 1, per_page=per_page)
        if count is not None:  # estimated
            links["last"] = link(page=max(1, -(-count // per_page)), per_page=per_page)
    return Page(items, count, links)


def paginate_offset(request: Request, collection: Collection) -> Page:
    """``?offset=N&limit=M`` (offsets from 0).

    :raises BadRequest: a malformed or out-of-range parameter.
    """
    limit = page_size(request, "limit")
    offset = int_arg(request, "offset", 0, 0)
    _check_offset(offset)
    exact, count = _counting(request, collection)
    items, more = _window(collection, offset, limit, exact)
    link = link_builder(request, "offset", "limit")
    links = {"first": link(offset=0, limit=limit)}
    if exact:
        count = collection.count()
    if offset > 0:
        prev = max(0, offset - limit)
        if exact and count is not None and offset >= count:  # past the end: to the last page
            prev = max(0, (max(count, 1) - 1) // limit * limit)
        links["prev"] = link(offset=prev, limit=limit)
    if (exact and count is not None and offset + limit < count) or more:
        links["next"] = link(offset=offset + limit, limit=limit)
    if count is not None:
        last = max(0, (max(count, 1) - 1) // limit * limit)
        links["last"] = link(offset=last, limit=limit)
    return Page(items, count, links)


def check_settings(options: Mapping[str, Any]) -> None:
    """:raises ConfigurationError: page sizes that cannot work together."""
    if options["per_page"] < 1 or options["max_per_page"] < 1:
        raise ConfigurationError("settings 'pagination.per_page' and 'max_per_page' must be >= 1")
    if options["per_page"] > options["max_per_page"]:
        raise ConfigurationError(
            "setting 'pagination.per_page' must not exceed 'pagination.max_per_page'"
        )


@hookimpl(trylast=True)
def camshaft_paginators(settings: Settings) -> list[Paginator]:
    check_settings(settings["pagination"])
    return [
        Paginator("page", paginate_pages, ("page", "per_page")),
        Paginator("offset", paginate_offset, ("offset", "limit")),
    ]
