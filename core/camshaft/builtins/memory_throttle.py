"""The ``memory`` throttle backend (GCRA) and nonce store, in one process's memory.

Per process: under a server with N workers each worker keeps its own counters, so a
client may get up to N times the limit. Use a shared backend (``camshaft-redis``) there.
"""

from __future__ import annotations

import threading
import time

from camshaft.nonces import MemoryNonceStore, NonceStore
from camshaft.plugins import hookimpl
from camshaft.throttling import Decision, Rate, ThrottleBackend

_MAX_KEYS = 100_000


class MemoryThrottle:
    """Generic cell rate algorithm: one theoretical arrival time per key."""

    def __init__(self, clock: object = time.monotonic) -> None:
        self._clock = clock
        self._tat: dict[str, float] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, rate: Rate) -> Decision:
        interval = rate.period / rate.limit
        now: float = self._clock()  # type: ignore[operator]
        with self._lock:
            tat = max(self._tat.get(key, now), now)
            allow_at = tat + interval - rate.period
            if now < allow_at:
                retry = allow_at - now
                remaining = 0
                return Decision(False, remaining, tat - now, retry)
            new_tat = tat + interval
            if len(self._tat) >= _MAX_KEYS:
                self._tat = {k: v for k, v in self._tat.items() if v > now}
            self._tat[key] = new_tat
            remaining = int((rate.period - (new_tat - now)) // interval)
            return Decision(True, max(0, remaining), new_tat - now, 0.0)


@hookimpl(trylast=True)
def camshaft_throttle_backends() -> list[ThrottleBackend]:
    return [ThrottleBackend("memory", MemoryThrottle().hit, shared=False)]


@hookimpl(trylast=True)
def camshaft_nonce_stores() -> list[NonceStore]:
    return [NonceStore("memory", MemoryNonceStore().add, shared=False)]
