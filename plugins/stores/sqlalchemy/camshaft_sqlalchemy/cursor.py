"""The ``cursor`` paginator: keyset pagination over the ``sqlalchemy`` store.

``GET /people/?order=-age&per_page=20`` answers the first 20 rows and a ``Link`` header
whose ``next`` URL carries ``cursor=<token>``: the signed ordering values of the last
row sent. The next page is the rows *after* that row in the ordering, found by a WHERE
on an index rather than an OFFSET, so pages stay cheap however deep, and rows inserted
or deleted meanwhile never make a page repeat or skip a row that was there all along.

- The ordering is the handler's ``?order=`` (else the primary key) with the primary key
  appended as a tie-breaker; NULLs sort last ascending, first descending, everywhere
  (:mod:`.keyset`).
- Links: ``first`` (no cursor), ``prev`` and ``next`` when there are rows that way, and
  ``last`` (a cursor meaning "before the end"). A client follows them; it never builds a
  cursor.
- The page size is ``?per_page=`` (or ``?limit=``) with the ``pagination.per_page``,
  ``max_per_page`` and ``clamp`` settings the other paginators use.
- Tokens are HMAC-SHA256 signed with the ``[sqlalchemy] cursor_secret`` setting, bound to
  the resource's path and ordering (:mod:`.cursor_tokens`); a malformed, altered, or
  foreign cursor is a 400. Filters in the query string apply to every page.
- ``pagination.count``: ``exact`` counts, ``estimated`` uses PostgreSQL's estimate
  (:mod:`.counting`; exact elsewhere), ``off`` makes no count query at all.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

from camshaft.errors import BadRequest, ConfigurationError
from camshaft.plugin import Collection, Page, Paginator, Request, Settings, page_size

from . import MIN_SECRET_LENGTH  # the package checks it when the app is built
from .counting import estimate_count
from .cursor_tokens import AFTER, BEFORE, CursorCodec, Position, scope_of
from .keyset import Key, fetch, keys_for
from .store import SqlStore

__all__ = ["MIN_SECRET_LENGTH", "camshaft_paginators", "cursor_paginator"]

log = logging.getLogger(__name__)


def _source(collection: Collection) -> tuple[SqlStore, Any]:
    """The store and query behind a collection of the store's default ``read``.

    :raises ConfigurationError: anything else (a handler's own list, another store).
    """
    store = getattr(collection, "store", None)
    query = getattr(collection, "query", None)
    if not isinstance(store, SqlStore) or query is None:
        raise ConfigurationError(
            "pagination = 'cursor' needs a handler with store = 'sqlalchemy' whose collection "
            "is the store's default read; use 'page' or 'offset' for other collections"
        )
    return store, query


def _link(request: Request, **changes: str | None) -> str:
    """This request's URL with the named parameters replaced (None: removed), every other
    parameter (filters, ordering, page size, format) kept in order."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k not in changes]
    args.extend((k, v) for k, v in changes.items() if v is not None)
    query = f"?{urlencode(args)}" if args else ""
    return f"{request.base_url}{quote(request.path)}{query}"


def _values(keys: tuple[Key, ...], row: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(row[key.name] for key in keys)


def _count(request: Request, collection: Collection, store: SqlStore, query: Any) -> int | None:
    mode = request.app.settings["pagination"]["count"]
    if mode == "off":
        return None
    if mode == "estimated":
        estimate = estimate_count(store, query)
        if estimate is not None:
            return estimate
    return collection.count()


def cursor_paginator(secret: str | bytes | None) -> Paginator:
    """The ``cursor`` paginator signing with ``secret`` (random for this process when
    empty: cursors then fail with 400 on any other worker or after a restart).

    :raises ConfigurationError: a secret shorter than :data:`MIN_SECRET_LENGTH`.
    """
    if secret and len(secret) < MIN_SECRET_LENGTH:
        raise ConfigurationError(
            f"setting 'sqlalchemy.cursor_secret' must be at least {MIN_SECRET_LENGTH} "
            "characters long (e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )
    random_secret = not secret
    if not secret:
        secret = secrets.token_bytes(32)
    codec = CursorCodec(secret.encode() if isinstance(secret, str) else secret)
    # One warning per app, from the first page served (a benign race may log it twice).
    warned: list[bool] = []

    def paginate(request: Request, collection: Collection) -> Page:
        """One keyset page of ``collection``.

        :raises BadRequest: a bad page size, several cursors, or an invalid cursor.
        :raises ConfigurationError: the collection is not the sqlalchemy store's.
        """
        store, query = _source(collection)
        if random_secret and not warned:
            warned.append(True)
            log.warning(
                "sqlalchemy.cursor_secret is not set: cursors are signed with a random "
                "per-process secret and fail (400) on other workers or after a restart"
            )
        args = request.args
        size_name = "limit" if "limit" in args and "per_page" not in args else "per_page"
        size = page_size(request, size_name)
        keys = keys_for(store, query.order)
        scope = scope_of(request.path, [(k.name, k.descending) for k in keys])
        tokens = args.getlist("cursor")
        if len(tokens) > 1:
            raise BadRequest("Send one 'cursor' parameter.", title="Invalid cursor")
        position = codec.decode(scope, tokens[0], len(keys)) if tokens else Position(AFTER, None)
        rows = fetch(store, query, keys, position, size + 1)
        more = len(rows) > size
        del rows[size:]
        if position.direction == BEFORE:
            rows.reverse()  # fetched nearest first, walking backwards

        def link(direction: str, row: Mapping[str, Any] | None) -> str:
            values = None if row is None else _values(keys, row)
            return _link(request, cursor=codec.encode(scope, Position(direction, values)))

        links = {"first": _link(request, cursor=None)}
        # Rows the other way: known by the extra row fetched in the walking direction;
        # the side the cursor came from had at least the row the cursor names.
        came_from_other_side = position.values is not None and bool(rows)
        if rows and (more if position.direction == BEFORE else came_from_other_side):
            links["prev"] = link(BEFORE, rows[0])
        if rows and (more if position.direction == AFTER else came_from_other_side):
            links["next"] = link(AFTER, rows[-1])
        links["last"] = link(BEFORE, None)
        # Rows read past the collection get what its window would add (relation links,
        # embedded items).
        complete = getattr(collection, "complete", None)
        items = complete(rows) if complete is not None else rows
        return Page(items, _count(request, collection, store, query), links)

    return Paginator("cursor", paginate, ("cursor", "per_page", "limit"))


def camshaft_paginators(settings: Settings) -> list[Paginator]:
    """The eager form of the package's hook (which imports this module on first use)."""
    secret = settings.plugin("sqlalchemy").get("cursor_secret") or None
    return [cursor_paginator(secret)]
