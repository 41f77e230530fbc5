"""The data store contract every store plugin implements.

A store keeps records of one resource: a key, a dict of data and an opaque version that
changes on every write (responses use it as a strong ETag). Every write that takes an
``expected_version`` compares it inside the write itself (compare-and-swap), never as a
separate read, and each method is atomic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

__all__ = [
    "FILTER_OPERATORS",
    "Filter",
    "Query",
    "Record",
    "Store",
    "StoreBackend",
    "StoreConfig",
]

#: Filter operators a store understands: ``?age__gte=30`` is ``Filter("age", "gte", 30)``.
FILTER_OPERATORS = frozenset({"eq", "ne", "lt", "lte", "gt", "gte", "in", "contains", "isnull"})


@dataclass(frozen=True, slots=True)
class Record:
    """One record. ``modified`` is when it last changed, if the store knows (responses
    then carry ``Last-Modified`` and honour ``If-Modified-Since`` /
    ``If-Unmodified-Since``)."""

    key: str
    data: dict[str, Any]
    version: str | None = None
    modified: datetime | None = None


@dataclass(frozen=True, slots=True)
class Filter:
    field: str
    op: str
    value: Any


@dataclass(frozen=True, slots=True)
class Query:
    """What to list: filters (all must hold), ordering ``(field, descending)``, a window."""

    filters: tuple[Filter, ...] = ()
    order: tuple[tuple[str, bool], ...] = ()
    offset: int = 0
    limit: int | None = None


@runtime_checkable
class Store(Protocol):
    """A store of one resource's records.

    Methods raise :class:`camshaft.errors.NotFound` for a missing key,
    :class:`~camshaft.errors.PreconditionFailed` when ``expected_version`` does not match,
    :class:`~camshaft.errors.Conflict` when a create collides with an existing key or a
    unique constraint, and :class:`~camshaft.errors.ServiceUnavailable` when the backend
    cannot be reached. Nothing is written when any of them is raised.
    """

    def get(self, key: str) -> Record | None: ...

    def list(self, query: Query) -> Iterable[Record]: ...

    def count(self, query: Query) -> int: ...

    def create(self, data: Mapping[str, Any], key: str | None = None) -> Record: ...

    def replace(
        self,
        key: str,
        data: Mapping[str, Any],
        *,
        expected_version: str | None = None,
        create_only: bool = False,
    ) -> Record: ...

    def patch(
        self, key: str, changes: Mapping[str, Any], *, expected_version: str | None = None
    ) -> Record: ...

    def delete(self, key: str, *, expected_version: str | None = None) -> None: ...


@dataclass(frozen=True, slots=True)
class StoreConfig:
    """What a handler tells its store.

    :ivar resource: the resource name (``"addresses"``).
    :ivar key_field: the data member that holds the key (``"id"``).
    :ivar model: the handler's model, or None.
    :ivar source: the handler's ``source``: initial rows, a table, a path, a URL.
    :ivar options: the handler's ``store_options`` merged over the plugin's settings.
    """

    resource: str
    key_field: str = "id"
    model: Any = None
    source: Any = None
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StoreBackend:
    """A kind of store a handler may name in ``store = "<name>"``.

    :ivar open: ``open(config) -> Store``, called once per handler when the app is built.
    :ivar key_pattern: a regular expression (ECMA 262 compatible, matched in full) for
        the keys the store accepts; the automatic item route of a handler without its own
        ``key_pattern`` uses it instead of the ``key_pattern`` setting, so the route (and
        the OpenAPI document) refuse what the store would.
    """

    name: str
    open: Callable[[StoreConfig], Store]
    key_pattern: str | None = None
