"""A cross-process lock: ``fcntl.flock`` on a lock file.

The lock file is opened anew for every hold. flock belongs to an open file description,
so two opens exclude each other even inside one process (threads), and a store built
before gunicorn forks shares no lock state with its workers.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["file_lock"]


@contextmanager
def file_lock(path: Path, *, exclusive: bool = True) -> Iterator[None]:
    """Hold an exclusive (or shared) lock on ``path`` for the ``with`` block.

    Blocks until the lock is free. The lock file is created when missing and never
    removed: removing it would let two processes lock two different files.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        # Closing the descriptor releases the lock, also if the holder raised.
        os.close(fd)
