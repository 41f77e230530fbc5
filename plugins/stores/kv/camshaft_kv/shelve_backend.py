"""The ``shelve`` backend: entries in a :mod:`dbm` database, web.py's shelve store.

:mod:`shelve` is :mod:`dbm` plus pickle. This backend keeps the dbm and drops the pickle:
values are the same byte frames the file backend writes, so opening the database never
unpickles anything.

dbm supports no concurrent writers, and a dbm handle kept open does not see another
process's writes. So every session opens the database under a :func:`file_lock` (shared
for reads, exclusive for writes) and closes it (which commits) before releasing the
lock. Durability is that of the dbm module Python picks (``dbm.gnu`` where available,
else ``dbm.ndbm``, else ``dbm.dumb``); the file backend is the one that fsyncs.
"""

from __future__ import annotations

import dbm
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .locking import file_lock

__all__ = ["ShelveBackend"]

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
    """Entries in the dbm database ``<directory>/shelf`` (created when missing)."""

    __slots__ = ("_lock", "_path", "directory")

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self._path = str(directory / "shelf")
        self._lock = directory / ".lock"
        with self.writing():  # creates the database, so readers can open it read-only
            pass

    @contextmanager
    def reading(self) -> Iterator[_DbmSession]:
        with file_lock(self._lock, exclusive=False):
            db = dbm.open(self._path, "r")
            try:
                yield _DbmSession(db)
            finally:
                db.close()

    @contextmanager
    def writing(self) -> Iterator[_DbmSession]:
        with file_lock(self._lock):
            db = dbm.open(self._path, "c", 0o600)
            try:
                yield _DbmSession(db)
            finally:
                db.close()
