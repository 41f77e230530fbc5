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
    "MAX_IN_VALUES",
    "Filter",
    "Query",
    "Record",
    "Search",
    "Store",
    "StoreBackend",
    "StoreConfig",
    "replacement",
    "search_matches",
    "writable_members",
]

#: Filter operators a store understands: ``?age__gte=30`` is ``Filter("age", "gte", 30)``.
FILTER_OPERATORS = frozenset({"eq", "ne", "lt", "lte", "gt", "gte", "in", "contains", "isnull"})

#: The most values an ``in`` filter may list: the default CRUD answers 400 to more,
#: before any query (drivers bound the parameters of one statement), and every store
#: answers this many (the store contract checks it).
MAX_IN_VALUES = 1000

#: The longest ``?search=`` text, and the most terms a query may search for (as many as
#: one text of that length can hold): the default CRUD answers 400 to more, before any
#: query.
MAX_SEARCH_LENGTH = 200
MAX_SEARCH_TERMS = 100


@dataclass(frozen=True, slots=True)
class Record:
    """One stored record, as a store returns it.

    :ivar key: the record's key, as text (``"42"``).
    :ivar data: the record's members, the key field among them.
    :ivar version: opaque, changed by every write; sent as the strong ``ETag`` and
        compared with ``expected_version`` by writes. None when the store keeps none.
    :ivar modified: when it last changed, if the store knows (responses then carry
        ``Last-Modified`` and honour ``If-Modified-Since`` / ``If-Unmodified-Since``).
    """

    key: str
    data: dict[str, Any]
    version: str | None = None
    modified: datetime | None = None


@dataclass(frozen=True, slots=True)
class Filter:
    """One condition of a :class:`Query`: ``?age__gte=30`` is ``Filter("age", "gte", 30)``.

    :ivar field: the member compared.
    :ivar op: one of :data:`FILTER_OPERATORS` (``eq``, ``ne``, ``lt``, ``lte``, ``gt``,
        ``gte``, ``in``, ``contains``, ``isnull``).
    :ivar value: what it is compared with, already of the field's type (a list for
        ``in``, at most :data:`MAX_IN_VALUES` values; a bool for ``isnull``).
    """

    field: str
    op: str
    value: Any


@dataclass(frozen=True, slots=True)
class Search:
    """A text search (``?search=ann lee``): every term must be found in at least one of
    the fields, ignoring case (``"ann"`` is in ``"Joanna"``). Terms are the search text
    split at white space; there is at least one.

    A store that supports it says so with ``StoreBackend(searches=True)``; the default
    CRUD refuses, when the app is built, a handler declaring ``search`` over any other
    store, so a search is never silently ignored. A store may match more cleverly (the
    SQL store's PostgreSQL full-text mode matches word stems instead).

    :ivar fields: the members searched (the handler's ``search`` attribute).
    :ivar terms: what must each be found, at most :data:`MAX_SEARCH_TERMS`, without
        white space or control characters.
    """

    fields: tuple[str, ...]
    terms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Query:
    """What to list: filters (all must hold), ordering ``(field, descending)``, a window.
    ``Query()`` lists every record, in the store's order.

    :ivar filters: conditions that must all hold.
    :ivar order: ``(member, descending)`` pairs, most significant first
        (``(("age", True), ("name", False))`` is ``?order=-age,name``).
    :ivar offset: records to skip.
    :ivar limit: the most records to return; None for all.
    :ivar search: a text search that must also hold, or None.
    """

    filters: tuple[Filter, ...] = ()
    order: tuple[tuple[str, bool], ...] = ()
    offset: int = 0
    limit: int | None = None
    search: Search | None = None


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
    ) -> Record:
        """Replace what a client may write (:func:`writable_members` of the store's
        model) with ``data``; members outside the model and read-only ones keep their
        values. With ``create_only`` the record is created instead, and members not in
        ``data`` get their defaults."""
        ...

    def patch(
        self, key: str, changes: Mapping[str, Any], *, expected_version: str | None = None
    ) -> Record: ...

    def delete(self, key: str, *, expected_version: str | None = None) -> None: ...


@dataclass(frozen=True, slots=True)
class StoreConfig:
    """What a handler tells its store.

    :ivar resource: the resource name (``"addresses"``).
    :ivar key_field: the data member that holds the key (``"id"``).
    :ivar model: the handler's model as its adapter describes it
        (:class:`camshaft.plugin.AdaptedModel`: ``fields``, ``validate``,
        ``json_schema``), or None; the model as written is its ``model`` attribute.
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
    :ivar searches: whether its stores honour :attr:`Query.search`; a handler declaring
        ``search`` over a store that does not is refused when the app is built.
    """

    name: str
    open: Callable[[StoreConfig], Store]
    key_pattern: str | None = None
    searches: bool = False


def search_matches(data: Mapping[str, Any], search: Search | None) -> bool:
    """Whether ``data`` passes ``search`` (always, when None): every term is in the text
    of one of its fields, ignoring case. Members that are not text never match. For
    stores that filter in Python."""
    if search is None:
        return True
    texts = [v.casefold() for f in search.fields if isinstance(v := data.get(f), str)]
    return all(any(term.casefold() in text for text in texts) for term in search.terms)


def writable_members(model: Any) -> frozenset[str] | None:
    """The members a client may write through ``model`` (an adapted model, or a
    :class:`camshaft.models.Model`): its fields that are not read-only. None when there
    is no model: every member is then the client's.

    A replace (PUT) resets exactly these members when they are not sent; members
    outside the model (a ``password_hash``) and read-only ones (an owner id) are the
    server's and keep their values.
    """
    fields = getattr(model, "fields", None)
    if fields is None:
        return None
    return frozenset(f.name for f in fields if not getattr(f, "read_only", False))


def replacement(
    old: Mapping[str, Any],
    data: Mapping[str, Any],
    writable: frozenset[str] | None,
    key_field: str,
    key: Any,
) -> dict[str, Any]:
    """The data a replace stores: ``data``, plus every member of ``old`` that is not in
    ``writable`` (all of them are when it is None), with the key ``key``."""
    kept = {} if writable is None else {k: v for k, v in old.items() if k not in writable}
    return {**kept, **data, key_field: key}
