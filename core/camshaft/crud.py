"""Default CRUD for handlers that name a ``store``: what a handler does not define itself.

Each function has a handler method's signature, so the router treats it like one.
Conditional requests: responses carry a strong ``ETag`` from the record's version;
``If-Match`` on writes is checked by the store inside the write; ``If-None-Match`` on
GET answers 304, and ``If-None-Match: *`` on PUT means create-only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .errors import BadRequest, NotFound, PreconditionFailed
from .handler import Handler, Result
from .stores import Query, Record, Store

__all__ = ["StoreCollection", "defaults_for"]


class StoreCollection:
    """A store query as a paginatable :class:`~camshaft.pagination.Collection`."""

    __slots__ = ("query", "store")

    def __init__(self, store: Store, query: Query) -> None:
        self.store = store
        self.query = query

    def count(self) -> int:
        return self.store.count(self.query)

    def window(self, offset: int, limit: int) -> Iterable[Any]:
        query = dataclasses.replace(self.query, offset=offset, limit=limit)
        return [record.data for record in self.store.list(query)]


def _store(handler: Handler) -> Store:
    return handler.request.app.stores[type(handler)]


def _etag(record: Record) -> dict[str, str]:
    return {"ETag": f'"{record.version}"'} if record.version is not None else {}


def _if_match(handler: Handler) -> str | None:
    """The version an If-Match header demands (None when absent or ``*``).

    A weak validator never matches: writes need strong comparison (RFC 9110 §13.1.1).
    """
    value = handler.request.header("If-Match")
    if value is None or value.strip() == "*":
        return None
    tags = [t.strip() for t in value.split(",")]
    strong = [t[1:-1] for t in tags if len(t) >= 2 and t[0] == '"' and t[-1] == '"']
    if not strong:
        raise PreconditionFailed("If-Match names no current strong entity tag.")
    if len(strong) > 1:
        raise BadRequest("If-Match with several entity tags is not supported; send one.")
    return strong[0]


def _mapping(data: Any) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise BadRequest("The request body must be an object.")
    return data


def read(self: Handler, key: str | None = None) -> Any:
    store = _store(self)
    if key is None:
        return StoreCollection(store, Query())
    record = store.get(key)
    if record is None:
        raise NotFound(f"No {self.request.path.strip('/').split('/')[0]} with key {key!r}.")
    headers = _etag(record)
    inm = self.request.header("If-None-Match")
    if inm is not None and "ETag" in headers:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        if "*" in tags or headers["ETag"] in tags:
            return Result(None, 304, headers)
    return Result(record.data, 200, headers)


def create(self: Handler, data: Any) -> Result:
    record = _store(self).create(_mapping(data))
    return Result(record.data, 201, _etag(record), location=None)


def update(self: Handler, key: str, data: Any) -> Result:
    create_only = (self.request.header("If-None-Match") or "").strip() == "*"
    record = _store(self).replace(
        key, _mapping(data), expected_version=_if_match(self), create_only=create_only
    )
    return Result(record.data, 200, _etag(record))


def patch(self: Handler, key: str, data: Any) -> Result:
    record = _store(self).patch(key, _mapping(data), expected_version=_if_match(self))
    return Result(record.data, 200, _etag(record))


def delete(self: Handler, key: str) -> None:
    _store(self).delete(key, expected_version=_if_match(self))


def defaults_for(cls: type[Handler]) -> dict[str, Callable[..., Any]]:
    """The default CRUD methods for a handler class: all five when it names a store."""
    if cls.store is None:
        return {}
    return {"read": read, "create": create, "update": update, "patch": patch, "delete": delete}
