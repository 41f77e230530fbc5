"""Nonce stores: "have I seen this before?" for replay protection (OAuth 1.0a nonces,
Digest nonce counts), shared across workers when a shared backend is configured."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["MemoryNonceStore", "NonceStore"]


@dataclass(frozen=True, slots=True)
class NonceStore:
    """Where seen nonces live.

    :ivar name: what the ``nonces.backend`` setting uses to choose it.
    :ivar add: ``add(key, ttl_seconds) -> bool``: record ``key`` for ``ttl_seconds``;
        True when it was new, False when it was already recorded (a replay). Atomic across
        every caller sharing the backend.
    :ivar shared: whether the record is shared across processes.
    """

    name: str
    add: Callable[[str, float], bool]
    shared: bool = False


class MemoryNonceStore:
    """Seen nonces in one process's memory (per worker), expired lazily."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def add(self, key: str, ttl: float) -> bool:
        now = self._clock()
        with self._lock:
            expires = self._seen.get(key)
            if expires is not None and expires > now:
                return False
            if len(self._seen) > 100_000:
                self._seen = {k: v for k, v in self._seen.items() if v > now}
            self._seen[key] = now + ttl
            return True
