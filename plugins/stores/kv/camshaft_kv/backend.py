"""What a kv backend provides: sessions over raw entries, under the right lock.

A backend stores opaque frames (see :mod:`camshaft_kv.frames`) by key. The store above it
does every check (keys, versions, JSON); a backend only promises that everything done in
one ``writing()`` session happens under an exclusive cross-process lock, and that every
single write is atomic (a reader sees the old frame or the new one, never a mix).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Protocol

__all__ = ["Backend", "Session"]


class Session(Protocol):
    """Raw access to a backend's entries for the length of one lock hold."""

    def read(self, key: str) -> bytes | None:
        """The frame stored under ``key``, or None."""
        ...

    def write(self, key: str, frame: bytes) -> None:
        """Store ``frame`` under ``key`` atomically and durably (writing sessions only)."""
        ...

    def remove(self, key: str) -> None:
        """Remove ``key``'s entry, if any (writing sessions only)."""
        ...

    def keys(self) -> list[str]:
        """Every key, in no particular order."""
        ...

    def frames(self) -> Iterator[tuple[str, bytes]]:
        """Every ``(key, frame)``, in no particular order."""
        ...

    def next_id(self) -> int:
        """Advance and return the counter numbering records created without a key
        (writing sessions only)."""
        ...


class Backend(Protocol):
    """A place entries live: a directory of files, a dbm shelf."""

    def reading(self) -> AbstractContextManager[Session]:
        """A session for reads; consistent per entry (and, where the backend needs it,
        under a shared lock)."""
        ...

    def writing(self) -> AbstractContextManager[Session]:
        """A session holding the exclusive cross-process lock until the block ends."""
        ...
