"""The ``file`` backend: one file per key in a directory.

File names are the SHA-256 of the key (``<64 hex>.kv``), never the key itself: whatever
a key holds, its file is a fixed-length, lower-case, ASCII name directly inside the
directory, so no key can reach outside it, collide with another on a case-insensitive or
Unicode-normalising filesystem, or exceed a name length limit.

A write goes to a temporary file in the same directory, is fsynced, renamed over the
target with :func:`os.replace` and the directory is fsynced: a crash leaves the old
entry or the new one. Writers hold an exclusive :func:`~camshaft_kv.locking.file_lock`;
readers need none, since a rename never exposes a half-written file.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .frames import CorruptEntry, read_key
from .locking import file_lock

__all__ = ["FileBackend"]

_SUFFIX = ".kv"
_TEMP_PREFIX = ".tmp-"


def _fsync_directory(directory: Path) -> None:
    """Make a rename or unlink in ``directory`` durable."""
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(directory: Path, target: Path, data: bytes) -> None:
    """Replace ``target`` (in ``directory``) with ``data``: all of it or nothing."""
    fd, temp = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=directory)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    _fsync_directory(directory)


class FileBackend:
    """Entries as files in ``directory`` (created when missing).

    The object is both the backend and its session: a session is this object used
    inside ``reading()`` or ``writing()``.
    """

    __slots__ = ("_counter", "_lock", "directory")

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self._lock = directory / ".lock"
        self._counter = directory / ".counter"
        with self.writing():
            # Temporary files exist only while a writer holds the lock; any found now
            # were left by a crash and are removed.
            for stale in directory.glob(_TEMP_PREFIX + "*"):
                stale.unlink(missing_ok=True)

    def path_for(self, key: str) -> Path:
        """The file that holds ``key``'s entry (it need not exist)."""
        return self.directory / (hashlib.sha256(key.encode("utf-8")).hexdigest() + _SUFFIX)

    @contextlib.contextmanager
    def reading(self) -> Iterator[FileBackend]:
        yield self

    @contextlib.contextmanager
    def writing(self) -> Iterator[FileBackend]:
        with file_lock(self._lock):
            yield self

    def read(self, key: str) -> bytes | None:
        try:
            return self.path_for(key).read_bytes()
        except FileNotFoundError:
            return None

    def write(self, key: str, frame: bytes) -> None:
        atomic_write(self.directory, self.path_for(key), frame)

    def remove(self, key: str) -> None:
        try:
            self.path_for(key).unlink()
        except FileNotFoundError:
            return
        _fsync_directory(self.directory)

    def _entries(self) -> Iterator[Path]:
        return (p for p in self.directory.iterdir() if p.name.endswith(_SUFFIX))

    def keys(self) -> list[str]:
        out = []
        for path in self._entries():
            try:
                with path.open("rb") as stream:
                    out.append(read_key(stream, str(path)))
            except FileNotFoundError:  # deleted since the directory was listed
                continue
        return out

    def frames(self) -> Iterator[tuple[str, bytes]]:
        for path in self._entries():
            try:
                frame = path.read_bytes()
            except FileNotFoundError:
                continue
            key = read_key(io.BytesIO(frame), str(path))
            if self.path_for(key) != path:
                raise CorruptEntry(f"{path}: holds key {key!r}, which belongs elsewhere")
            yield key, frame

    def next_id(self) -> int:
        try:
            current = int(self._counter.read_text("ascii") or 0)
        except FileNotFoundError:
            current = 0
        except ValueError:
            raise CorruptEntry(f"{self._counter}: not a number") from None
        atomic_write(self.directory, self._counter, str(current + 1).encode("ascii"))
        return current + 1
