"""Relations: links to related items, and ``?embed=`` of them, for the default CRUD.

A handler declares the members that hold another resource's key::

    class PostHandler(Handler):
        store = "sqlalchemy"
        relations = {"author": AuthorHandler}  # "author_id" holds an author's key
        embed = ("author",)                    # ?embed=author is allowed

Every item the default CRUD returns then carries ``author_url``, the related item's
URL (when ``author_id`` is set), and ``GET /posts/?embed=author`` puts each post's
author, as ``GET /authors/<key>`` would show it, in an ``author`` member. A nested
handler's parent is a relation without being declared (``parent_field = "author_id"``
is the relation ``author``).

Embedded items are read with one query per relation for a whole page (keys listed in an
``in`` filter: never one query per item), one level deep (an embedded item embeds
nothing), and only as the client could read them itself: the related handler's
permissions, owner rules and object rules apply; a related item the client may not see
embeds as ``null``, like a missing one.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from camshaft._kernel.auth.authorization import authorize_request
from camshaft._kernel.pagination import Collection
from camshaft._kernel.routing.nesting import chain, parameter_name
from camshaft._kernel.shaping.shaper import fill_template
from camshaft._kernel.stash import StashKey
from camshaft._kernel.stores.base import MAX_IN_VALUES, Filter, Query
from camshaft._kernel.stores.conversion import convert
from camshaft._kernel.stores.visibility import visible
from camshaft.errors import BadRequest, ConfigurationError, Forbidden, HTTPError

if TYPE_CHECKING:
    from camshaft._kernel.app import App
    from camshaft._kernel.handler import Handler
    from camshaft._kernel.request import Request
    from camshaft._kernel.routing import Endpoint

__all__ = [
    "EMBED_PARAMETER",
    "Related",
    "RelatedCollection",
    "Relation",
    "attach",
    "check_relations",
    "embedded_names",
    "relations_of",
]

#: The query parameter naming relations to embed (comma-separated, or repeated).
EMBED_PARAMETER = "embed"

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: Rows completed at once by :class:`RelatedCollection` for a stream (one query per
#: relation per chunk).
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Relation:
    """A relation in a handler's ``relations`` mapping, when its member is not
    ``<name>_id``: ``relations = {"writer": Relation(AuthorHandler, field="author")}``.

    :ivar handler: the handler serving the related items.
    :ivar field: the member holding the related item's key; None for ``<name>_id``.
    """

    handler: type[Handler]
    field: str | None = None


@dataclass(frozen=True, slots=True)
class Related:
    """A resolved relation of a handler.

    :ivar name: the relation's name: the embedded member (``author``).
    :ivar handler: the related items' handler.
    :ivar field: the member holding a related key (``author_id``).
    :ivar link: the member carrying the related item's URL (``author_url``).
    """

    name: str
    handler: type[Handler]
    field: str
    link: str


def relations_of(cls: type[Handler]) -> tuple[Related, ...]:
    """``cls``'s relations: its parent (when nested), then those it declares."""
    key: Any = cls  # Any: mypy holds classes unhashable for the cache
    return _relations_of(key)


@functools.cache
def _relations_of(cls: Any) -> tuple[Related, ...]:
    declared: Mapping[str, Any] = getattr(cls, "relations", None) or {}
    out: list[Related] = []
    if cls.parent is not None and cls.parent_field:
        name = parameter_name(cls.parent_field)
        if name not in declared:
            out.append(Related(name, cls.parent, cls.parent_field, f"{name}_url"))
    for name, spec in declared.items():
        relation = spec if isinstance(spec, Relation) else Relation(spec)
        field = relation.field or f"{name}_id"
        out.append(Related(name, relation.handler, field, f"{name}_url"))
    return tuple(out)


def embedded_names(cls: type[Handler]) -> tuple[str, ...]:
    """The relations a client may embed in ``cls``'s items (its ``embed``)."""
    return tuple(getattr(cls, "embed", ()) or ())


# ------------------------------------------------------------------------ at build


def check_relations(cls: type[Handler], app: App) -> None:
    """Refuse relations the request path could not follow.

    :raises ConfigurationError: ``relations`` is not a mapping of names to handlers, a
        related handler has no item route in ``app`` or is nested under another chain,
        a member named by a relation is not in the model, a link or embedded member
        would hide a member of the model, or ``embed`` names no relation (or one whose
        handler has no store).
    """
    declared = getattr(cls, "relations", None) or {}
    if not isinstance(declared, Mapping):
        raise ConfigurationError(
            f"{cls.__name__}.relations must map names to handlers, such as "
            f'{{"author": AuthorHandler}}; got {declared!r}'
        )
    from camshaft._kernel.handler import Handler

    for name, spec in declared.items():
        target = spec.handler if isinstance(spec, Relation) else spec
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise ConfigurationError(
                f"{cls.__name__}.relations: {name!r} is not a name (letters, digits, _)"
            )
        if not (isinstance(target, type) and issubclass(target, Handler)):
            raise ConfigurationError(
                f"{cls.__name__}.relations[{name!r}] must be a handler class or a "
                f"Relation; got {spec!r}"
            )
    model = app.model_for(cls)
    members = getattr(model, "by_name", None)
    ancestors = {level.handler for level in chain(cls)}
    for related in relations_of(cls):
        where = f"{cls.__name__}.relations[{related.name!r}]"
        if _item_endpoint(app, related.handler) is None:
            raise ConfigurationError(
                f"{where}: {related.handler.__name__} serves no item route in this app"
            )
        if related.handler.parent is not None and related.handler not in ancestors:
            raise ConfigurationError(
                f"{where}: {related.handler.__name__} is nested under another resource, "
                "so its URL needs keys this handler's items do not have"
            )
        if members is not None:
            if related.field not in members:
                raise ConfigurationError(
                    f"{where}: the model has no member {related.field!r} holding the key"
                )
            for member in (related.link, related.name):
                if member in members:
                    raise ConfigurationError(
                        f"{where}: the model's member {member!r} would be hidden by the "
                        "relation's link or embedded item; rename the relation"
                    )
    names = {r.name: r for r in relations_of(cls)}
    embed = getattr(cls, "embed", ()) or ()
    if isinstance(embed, str):
        raise ConfigurationError(
            f"{cls.__name__}.embed must be a tuple of relation names; got {embed!r}"
        )
    for name in embed:
        if name not in names:
            raise ConfigurationError(
                f"{cls.__name__}.embed names {name!r}, which is not one of its relations "
                f"({', '.join(names) or 'none'})"
            )
        if names[name].handler.store is None:
            raise ConfigurationError(
                f"{cls.__name__}.embed: {names[name].handler.__name__} has no store to "
                "read embedded items from"
            )


#: Per app: the item endpoint of each handler serving items (top-level or nested).
_ITEM_ENDPOINTS = StashKey[dict[type, "Endpoint"]]()


def _item_endpoint(app: App, handler: type[Handler]) -> Endpoint | None:
    index = app.stash.get(_ITEM_ENDPOINTS, None)
    if index is None:
        index = {}
        for endpoint in app.endpoints():
            if endpoint.kind == "item":
                index.setdefault(endpoint.handler, endpoint)
        app.stash[_ITEM_ENDPOINTS] = index
    return index.get(handler)


# ------------------------------------------------------------------------ per request


def _asked(handler: Handler) -> tuple[Related, ...]:
    """The relations the request's ``?embed=`` names, in the handler's order.

    :raises BadRequest: a name that is not allowed (the allowed ones are listed).
    """
    request = handler.request
    if not request.environ.get("QUERY_STRING"):
        return ()
    texts = request.args.getlist(EMBED_PARAMETER)
    if not texts:
        return ()
    cls = type(handler)
    allowed = embedded_names(cls)
    wanted: set[str] = set()
    for text in texts:
        for name in text.split(","):
            if name not in allowed:
                raise BadRequest(
                    f"Cannot embed {name[:100]!r}; allowed: {', '.join(allowed) or 'none'}.",
                    title="Invalid embed",
                )
            wanted.add(name)
    return tuple(r for r in relations_of(cls) if r.name in wanted)


class _Completer:
    """Adds link members and embedded items to rows of one request."""

    __slots__ = ("embeds", "handler", "links")

    def __init__(self, handler: Handler, *, embed: bool) -> None:
        self.handler = handler
        relations = relations_of(type(handler))
        app = handler.request.app
        self.links: list[tuple[Related, str]] = []
        if app.settings["shaping"]["links"]:
            for related in relations:
                prefix = _prefix(handler.request, related)
                if prefix is not None:
                    self.links.append((related, prefix))
        self.embeds = _asked(handler) if embed else ()
        for related in self.embeds:
            _may_read(handler.request, related)

    def __bool__(self) -> bool:
        return bool(self.links or self.embeds)

    def complete(self, rows: list[Any]) -> list[Any]:
        # Copies: a store may hand out rows it keeps.
        rows = [dict(row) if isinstance(row, dict) else row for row in rows]
        for related, prefix in self.links:
            for row in rows:
                if isinstance(row, dict):
                    key = row.get(related.field)
                    if key is not None and related.link not in row:
                        row[related.link] = prefix + quote(str(key), safe="")
        for related in self.embeds:
            found = _read_related(self.handler.request, related, rows)
            for row in rows:
                if isinstance(row, dict):
                    key = row.get(related.field)
                    row[related.name] = None if key is None else found.get(str(key))
        return rows


def _prefix(request: Request, related: Related) -> str | None:
    """The URL of ``related``'s items without the key, or None when they carry no link
    (their handler's ``links`` is off)."""
    endpoint = _item_endpoint(request.app, related.handler)
    if endpoint is None or endpoint.wiring is None:
        return None
    path = endpoint.wiring.shaper.item_path
    if path is None:
        return None
    if "{" in path:
        path = fill_template(path, request.params)
    return f"{request.base_url}{path}"


def _may_read(request: Request, related: Related) -> None:
    """Whether the request's identity may read ``related``'s items at all.

    :raises Forbidden: it may not (its request-stage authorization refuses).
    """
    endpoint = _item_endpoint(request.app, related.handler)
    assert endpoint is not None
    try:
        authorize_request(endpoint, related.handler(request), "read")
    except HTTPError:
        raise Forbidden(f"You may not embed {related.name!r}.") from None


def _read_related(request: Request, related: Related, rows: list[Any]) -> dict[str, Any]:
    """The related items ``rows`` name, shaped as their handler shows them, by key text;
    one query per :data:`MAX_IN_VALUES` keys; what the identity may not see is left out."""
    keys = list(
        dict.fromkeys(
            row[related.field]
            for row in rows
            if isinstance(row, dict) and row.get(related.field) is not None
        )
    )
    if not keys:
        return {}
    cls = related.handler
    app = request.app
    store = app.stores[cls]
    handler = cls(request)
    endpoint = _item_endpoint(app, cls)
    assert endpoint is not None and endpoint.wiring is not None
    shape = endpoint.wiring.shaper.whole(request)
    model = app.model_for(cls)
    out: dict[str, Any] = {}
    for start in range(0, len(keys), MAX_IN_VALUES):
        chunk = keys[start : start + MAX_IN_VALUES]
        query = Query((Filter(cls.key_field, "in", chunk),))
        collection: Collection = visible(
            handler, query, lambda q: _Listing(store, q), lambda f, t: _typed(model, f, t)
        )
        rows = list(collection.window(0, len(chunk)))
        if relations_of(cls):  # their own links; nothing embedded (one level)
            rows = _Completer(handler, embed=False).complete(rows)
        for data in rows:
            key = data.get(cls.key_field) if isinstance(data, dict) else None
            if key is not None:
                out[str(key)] = shape(data)
    return out


def _typed(model: Any, field: str, text: str) -> Any:
    return convert(model, field, text, field)


class _Listing:
    """A store query as a collection of data (what :func:`visible` narrows)."""

    __slots__ = ("query", "store")

    def __init__(self, store: Any, query: Query) -> None:
        self.store = store
        self.query = query

    def count(self) -> int:
        return int(self.store.count(self.query))

    def window(self, offset: int, limit: int) -> list[Any]:
        query = Query(self.query.filters, self.query.order, offset, limit)
        return [record.data for record in self.store.list(query)]


def attach(handler: Handler, rows: list[Any], *, embed: bool = False) -> list[Any]:
    """``rows`` (dicts, changed in place) with their relations' link members, and with
    ``embed`` the related items the request's ``?embed=`` asks for.

    :raises BadRequest: ``?embed=`` names a relation the handler does not allow.
    :raises Forbidden: the identity may not read an embedded relation's items.
    """
    completer = _Completer(handler, embed=embed)
    return completer.complete(rows) if completer else rows


def related_collection(handler: Handler, collection: Any) -> Any:
    """``collection`` whose rows :func:`attach` completes (itself when there is nothing
    to add)."""
    if not relations_of(type(handler)) and not embedded_names(type(handler)):
        if handler.request.environ.get("QUERY_STRING") and handler.request.args.get(
            EMBED_PARAMETER
        ):
            _asked(handler)  # a 400: nothing may be embedded here
        return collection
    completer = _Completer(handler, embed=True)
    return RelatedCollection(collection, completer) if completer else collection


class RelatedCollection:
    """A collection whose rows carry their relations (see :func:`attach`).

    ``store`` and ``query`` are the inner collection's, for paginators that read a store
    themselves; such a paginator calls :meth:`complete` on the rows it reads.
    """

    __slots__ = ("_completer", "_inner")

    def __init__(self, inner: Any, completer: _Completer) -> None:
        self._inner = inner
        self._completer = completer

    @property
    def store(self) -> Any:
        return getattr(self._inner, "store", None)

    @property
    def query(self) -> Any:
        return getattr(self._inner, "query", None)

    def count(self) -> int:
        return int(self._inner.count())

    def estimate(self) -> int | None:
        estimate = getattr(self._inner, "estimate", None)
        return None if estimate is None else estimate()

    def complete(self, rows: list[Any]) -> list[Any]:
        """``rows`` with their link members and embedded items."""
        return self._completer.complete(rows)

    def window(self, offset: int, limit: int) -> Iterable[Any]:
        rows = self._inner.window(offset, limit)
        if isinstance(rows, list):
            return self._completer.complete(rows)
        return self._chunks(iter(rows))

    def _chunks(self, rows: Iterator[Any]) -> Iterator[Any]:
        while chunk := list(islice(rows, _CHUNK)):
            yield from self._completer.complete(chunk)
