"""The ``page`` (``?page=2&per_page=20``) and ``offset`` (``?offset=40&limit=20``)
paginators, over any collection, with RFC 8288 links (first, prev, next, last)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from camshaft.errors import BadRequest
from camshaft.pagination import Collection, Page, Paginator
from camshaft.plugins import hookimpl
from camshaft.request import Request


def _int_arg(request: Request, name: str, default: int, minimum: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"Query parameter {name!r} must be an integer, got {raw!r}.") from None
    if value < minimum:
        raise BadRequest(f"Query parameter {name!r} must be at least {minimum}, got {value}.")
    return value


def _size(request: Request, name: str) -> int:
    options = request.app.settings["pagination"]
    size = _int_arg(request, name, options["per_page"], 1)
    if size > options["max_per_page"]:
        if not options["clamp"]:
            raise BadRequest(f"Query parameter {name!r} may be at most {options['max_per_page']}.")
        size = options["max_per_page"]
    return size


def _link(request: Request, **changes: int) -> str:
    args: dict[str, Any] = dict(request.args.items(multi=False))
    args.update({k: str(v) for k, v in changes.items()})
    return f"{request.base_url}{request.path}?{urlencode(args)}"


def paginate_pages(request: Request, collection: Collection) -> Page:
    per_page = _size(request, "per_page")
    page = _int_arg(request, "page", 1, 1)
    count = collection.count()
    last = max(1, -(-count // per_page))
    items = collection.window((page - 1) * per_page, per_page)
    links = {"first": _link(request, page=1, per_page=per_page)}
    if page > 1:
        links["prev"] = _link(request, page=min(page - 1, last), per_page=per_page)
    if page < last:
        links["next"] = _link(request, page=page + 1, per_page=per_page)
    links["last"] = _link(request, page=last, per_page=per_page)
    return Page(items, count, links)


def paginate_offset(request: Request, collection: Collection) -> Page:
    limit = _size(request, "limit")
    offset = _int_arg(request, "offset", 0, 0)
    count = collection.count()
    items = collection.window(offset, limit)
    links = {"first": _link(request, offset=0, limit=limit)}
    if offset > 0:
        links["prev"] = _link(request, offset=max(0, offset - limit), limit=limit)
    if offset + limit < count:
        links["next"] = _link(request, offset=offset + limit, limit=limit)
    links["last"] = _link(request, offset=max(0, (max(count, 1) - 1) // limit * limit), limit=limit)
    return Page(items, count, links)


@hookimpl(trylast=True)
def camshaft_paginators() -> list[Paginator]:
    return [
        Paginator("page", paginate_pages, ("page", "per_page")),
        Paginator("offset", paginate_offset, ("offset", "limit")),
    ]
