"""The ``shelve`` backend: entries in a :mod:`dbm` database, web.py's shelve store.

:mod:`shelve` is :mod:`dbm` plus pickle. This backend keeps the dbm and drops the pickle:
values are the same byte frames the file backend writes, so opening the database never
unpickles anything.

dbm supports no concurrent writers, and a dbm handle kept open does not see another
process's writes. So every session opens the database under a :func:`file_lock` (shared
for reads, exclusive for writes) and closes it (which commits) before releasing the
lock. Durability is that of the dbm module: ``dbm.sqlite3`` (Python 3.13+),
``dbm.gnu`` or ``dbm.ndbm``, the first this Python has (an existing database keeps the
module that made it); the file backend is the one that fsyncs.

A Python built without any of them would leave :mod:`dbm` to fall back to ``dbm.dumb``,
which rewrites its whole index file in place on every change: a crash at the wrong
moment loses every key or leaves the store unopenable. So the backend refuses
``dbm.dumb`` unless told ``allow_dumb=True`` (the ``shelve_allow_dumb`` option).
"""

from __future__ import annotations

import dbm
import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from camshaft.errors import ConfigurationError

from .locking import file_lock

__all__ = ["SAFE_MODULES", "ShelveBackend", "dbm_module"]

#: The dbm modules a crash cannot leave without their keys, in :mod:`dbm`'s own order.
SAFE_MODULES = ("dbm.sqlite3", "dbm.gnu", "dbm.ndbm")
DUMB = "dbm.dumb"


def _importable(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def dbm_module(path: str, *, allow_dumb: bool = False) -> Any:
    """The dbm module for the database at ``path``: the one that made it, else the first
    of :data:`SAFE_MODULES` this Python has.

    :raises ConfigurationError: that module is ``dbm.dumb`` and ``allow_dumb`` is false
        (the message says why), or the database's module is missing from this Python.
    """
    name = dbm.whichdb(path)
    module = None
    if name:
        module = _importable(name)
        if module is None:
            raise ConfigurationError(
                f"kv shelve backend: {path!r} was written by {name}, which this Python lacks"
            )
    else:
        for candidate in SAFE_MODULES:
            module = _importable(candidate)
            if module is not None:
                name = candidate
                break
        else:
            name = DUMB
    if name == DUMB and not allow_dumb:
        raise ConfigurationError(
            "kv shelve backend: this Python has no crash-safe dbm module (dbm.sqlite3, "
            "dbm.gnu or dbm.ndbm), only dbm.dumb, which rewrites its index in place: a "
            "crash while writing can lose every key or leave the store unopenable. Use "
            "backend = 'file', a Python built with gdbm, or set shelve_allow_dumb = true "
            "to accept that risk."
        )
    return module if module is not None else importlib.import_module(DUMB)


# No valid key contains NUL, so this name cannot clash with one.
_COUNTER = b"\x00next-id"


class _DbmSession:
    __slots__ = ("_db",)

    def __init__(self, db: Any) -> None:
        self._db = db

    def read(self, key: str) -> bytes | None:
        value = self._db.get(key.encode("utf-8"))
        return None if value is None else bytes(value)

    def write(self, key: str, frame: bytes) -> None:
        self._db[key.encode("utf-8")] = frame

    def remove(self, key: str) -> None:
        raw = key.encode("utf-8")
        if raw in self._db:
            del self._db[raw]

    def keys(self) -> list[str]:
        return [k.decode("utf-8") for k in self._db.keys() if k != _COUNTER]

    def frames(self) -> Iterator[tuple[str, bytes]]:
        for key in self.keys():
            yield key, bytes(self._db[key.encode("utf-8")])

    def next_id(self) -> int:
        value = int(self._db.get(_COUNTER, b"0")) + 1
        self._db[_COUNTER] = str(value).encode("ascii")
        return value


class ShelveBackend:
    """Entries in the dbm database ``<directory>/shelf`` (created when missing).

    :param allow_dumb: accept ``dbm.dumb`` (not crash-safe) when it is all there is.
    :raises ConfigurationError: see :func:`dbm_module`.
    """

    __slots__ = ("_dbm", "_lock", "_path", "directory")

    def __init__(self, directory: Path, *, allow_dumb: bool = False) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self._path = str(directory / "shelf")
        self._lock = directory / ".lock"
        with file_lock(self._lock, exclusive=False):
            self._dbm = dbm_module(self._path, allow_dumb=allow_dumb)
        with self.writing():  # creates the database, so readers can open it read-only
            pass

    @contextmanager
    def reading(self) -> Iterator[_DbmSession]:
        with file_lock(self._lock, exclusive=False):
            db = self._dbm.open(self._path, "r")
            try:
                yield _DbmSession(db)
            finally:
                db.close()

    @contextmanager
    def writing(self) -> Iterator[_DbmSession]:
        with file_lock(self._lock):
            db = self._dbm.open(self._path, "c", 0o600)
            try:
                yield _DbmSession(db)
            finally:
                db.close()
