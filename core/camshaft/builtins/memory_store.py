"""The ``memory`` store: records in a Python dict, per process (Python REST API
Framework's PythonListDataStore). ``source`` may give initial rows (a list of dicts).

Keys are the string form of each row's ``key_field``; a created row without one gets
the next integer. Every write bumps a store-wide counter that is the record's version,
and records the time (``Record.modified``, served as ``Last-Modified``).
"""

from __future__ import annotations

import builtins
import copy
import logging
import operator
import os
import sys
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from camshaft.errors import Conflict, NotFound, PreconditionFailed
from camshaft.plugin import (
    Filter,
    Query,
    Record,
    Search,
    StoreBackend,
    StoreConfig,
    hookimpl,
    replacement,
    search_matches,
    writable_members,
)

if TYPE_CHECKING:
    from camshaft._kernel.app import App

logger = logging.getLogger("camshaft.store")


def _contains(value: Any, needle: Any) -> bool:
    return value is not None and needle in value


def _sort_key(value: Any) -> tuple[bool, Any]:
    return (value is None, value if value is not None else 0)


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": lambda a, b: a is not None and a < b,
    "lte": lambda a, b: a is not None and a <= b,
    "gt": lambda a, b: a is not None and a > b,
    "gte": lambda a, b: a is not None and a >= b,
    "in": lambda a, b: a in b,
    "contains": _contains,
    "isnull": lambda a, b: (a is None) == bool(b),
}


class MemoryStore:
    """A :class:`camshaft.Store` in one process's memory, safe across threads."""

    def __init__(self, config: StoreConfig) -> None:
        self.key_field = config.key_field
        self._writable = writable_members(config.model)
        self._lock = threading.Lock()
        self._rows: dict[str, tuple[dict[str, Any], str]] = {}
        self._modified: dict[str, datetime] = {}
        self._counter = 0
        for row in config.source or ():
            self._insert(dict(row))

    def _next_version(self) -> str:
        self._counter += 1
        return str(self._counter)

    def _insert(self, data: dict[str, Any], key: str | None = None) -> Record:
        if key is None and data.get(self.key_field) is None:
            ints = [
                v[0][self.key_field]
                for v in self._rows.values()
                if isinstance(v[0].get(self.key_field), int)
            ]
            data[self.key_field] = max(ints, default=-1) + 1
        if key is None:
            key = str(data[self.key_field])
        elif data.get(self.key_field) is None or str(data[self.key_field]) != key:
            # The given key names the record, as a SQL store writes it to the key column;
            # without it in the row, the next replace or patch had no key field to keep.
            data[self.key_field] = key
        if key in self._rows:
            raise Conflict(f"A record with key {key!r} already exists.")
        return self._put(key, data)

    def _put(self, key: str, data: dict[str, Any]) -> Record:
        version = self._next_version()
        self._rows[key] = (data, version)
        self._modified[key] = now = datetime.now(UTC)
        return Record(key, copy.deepcopy(data), version, now)

    def _existing(self, key: str, expected_version: str | None) -> dict[str, Any]:
        if key not in self._rows:
            raise NotFound(f"No record with key {key!r}.")
        data, version = self._rows[key]
        if expected_version is not None and expected_version != version:
            raise PreconditionFailed("The record has changed since that version.")
        return data

    def get(self, key: str) -> Record | None:
        with self._lock:
            hit = self._rows.get(key)
            if hit is None:
                return None
            return Record(key, copy.deepcopy(hit[0]), hit[1], self._modified.get(key))

    def _matching(
        self, filters: tuple[Filter, ...], search: Search | None = None
    ) -> list[tuple[str, dict[str, Any], str]]:
        return [
            (key, data, version)
            for key, (data, version) in self._rows.items()
            if all(_OPS[f.op](data.get(f.field), f.value) for f in filters)
            and search_matches(data, search)
        ]

    def list(self, query: Query) -> Iterable[Record]:
        with self._lock:
            rows = self._matching(query.filters, query.search)
            for field, descending in reversed(query.order):  # stable sorts, last key first

                def by_field(row: tuple[str, dict[str, Any], str], f: str = field) -> Any:
                    return _sort_key(row[1].get(f))

                rows.sort(key=by_field, reverse=descending)
            end = None if query.limit is None else query.offset + query.limit
            return [Record(k, copy.deepcopy(d), v) for k, d, v in rows[query.offset : end]]

    def count(self, query: Query) -> int:
        with self._lock:
            return len(self._matching(query.filters, query.search))

    def create(self, data: Mapping[str, Any], key: str | None = None) -> Record:
        with self._lock:
            return self._insert(copy.deepcopy(dict(data)), key)

    def create_many(self, items: Sequence[Mapping[str, Any]]) -> builtins.list[Record]:
        """Create every item, or none: a key taken (or repeated) undoes the others.

        :raises Conflict: a key is taken; nothing was stored.
        """
        with self._lock:
            done: list[Record] = []
            try:
                for data in items:
                    done.append(self._insert(copy.deepcopy(dict(data))))
            except Conflict:
                for record in done:
                    del self._rows[record.key]
                    self._modified.pop(record.key, None)
                raise
            return done

    def replace(
        self,
        key: str,
        data: Mapping[str, Any],
        *,
        expected_version: str | None = None,
        create_only: bool = False,
    ) -> Record:
        new = copy.deepcopy(dict(data))
        with self._lock:
            if create_only:
                if key in self._rows:
                    raise PreconditionFailed(f"A record with key {key!r} already exists.")
                new.setdefault(self.key_field, key)
                return self._insert(new, key)
            old = self._existing(key, expected_version)
            new = replacement(old, new, self._writable, self.key_field, old[self.key_field])
            return self._put(key, new)

    def patch(
        self, key: str, changes: Mapping[str, Any], *, expected_version: str | None = None
    ) -> Record:
        with self._lock:
            old = self._existing(key, expected_version)
            new = {**old, **copy.deepcopy(dict(changes)), self.key_field: old[self.key_field]}
            return self._put(key, new)

    def delete(self, key: str, *, expected_version: str | None = None) -> None:
        with self._lock:
            self._existing(key, expected_version)
            del self._rows[key]
            self._modified.pop(key, None)


def per_worker_warning(
    resources: list[str], environ: Mapping[str, str], argv: list[str]
) -> str | None:
    """The warning to log when memory stores serve under several worker processes."""
    from camshaft.builtins.memory_throttle import worker_count

    workers = worker_count(environ, argv)
    if workers is None and any(m in sys.modules for m in ("gunicorn", "uwsgi")):
        workers = 0  # a pre-fork server, worker count unknown
    if workers is None or workers == 1:
        return None
    many = f"{workers} workers" if workers else "several workers"
    return (
        f"store 'memory' (for {', '.join(sorted(resources))}) is per process and this "
        f"server runs {many}: each worker has its own records, so a client sees "
        "different data from one request to the next. Use one worker, or a shared store "
        "(sqlalchemy, kv)."
    )


@hookimpl(trylast=True)
def camshaft_startup(app: App) -> None:
    resources = [
        getattr(cls, "resource_name", None) or cls.__name__
        for cls, store in app.stores.items()
        if isinstance(store, MemoryStore)
    ]
    if resources:
        message = per_worker_warning(resources, os.environ, sys.argv)
        if message:
            logger.warning(message)


@hookimpl(trylast=True)
def camshaft_stores() -> list[StoreBackend]:
    return [StoreBackend("memory", MemoryStore, searches=True)]
