"""The ``memory`` throttle backend (GCRA) and nonce store, in one process's memory.

Per process: under a server with N worker processes each worker keeps its own counters,
so a client may get up to N times the limit. Use a shared backend (``camshaft-redis``)
there; an app that throttles with this backend warns once at startup when it can tell
it runs under several workers.
"""

from __future__ import annotations

import logging
import os
import shlex
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from camshaft._kernel.auth.nonces import MemoryNonceStore, NonceStore
from camshaft.plugin import Decision, Rate, ThrottleBackend, hookimpl

if TYPE_CHECKING:
    from camshaft._kernel.app import App

logger = logging.getLogger("camshaft.throttle")

_MAX_KEYS = 100_000
_NS = 1_000_000_000


class MemoryThrottle:
    """GCRA: one theoretical arrival time (TAT) per key, in integer nanoseconds so that
    exactly ``limit`` requests fit a burst whatever the rate.

    :param clock: seconds, monotonic (injectable for tests).
    :param max_keys: keys kept before expired ones are dropped (then the oldest quarter).
    """

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, max_keys: int = _MAX_KEYS
    ) -> None:
        self._clock = clock
        self._max_keys = max_keys
        self._tat: dict[str, int] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, rate: Rate) -> Decision:
        """Count one request against ``key``; atomic across threads of this process."""
        period = int(rate.period * _NS)
        interval = period // rate.limit
        with self._lock:
            now = int(self._clock() * _NS)
            tat = max(self._tat.get(key, now), now)
            allow_at = tat + interval - period
            if now < allow_at:
                return Decision(False, 0, (tat - now) / _NS, (allow_at - now) / _NS)
            new_tat = tat + interval
            if key not in self._tat and len(self._tat) >= self._max_keys:
                self._evict(now)
            self._tat[key] = new_tat
        remaining = (period - (new_tat - now)) // interval
        return Decision(True, max(0, remaining), (new_tat - now) / _NS, 0.0)

    def peek(self, key: str, rate: Rate) -> Decision:
        """Whether one more request against ``key`` would be allowed; counts nothing."""
        period = int(rate.period * _NS)
        interval = period // rate.limit
        with self._lock:
            now = int(self._clock() * _NS)
            tat = max(self._tat.get(key, now), now)
        allow_at = tat + interval - period
        if now < allow_at:
            return Decision(False, 0, (tat - now) / _NS, (allow_at - now) / _NS)
        return Decision(True, max(0, (period - (tat - now)) // interval - 1), (tat - now) / _NS)

    def _evict(self, now: int) -> None:
        self._tat = {k: v for k, v in self._tat.items() if v > now}
        if len(self._tat) >= self._max_keys:
            # Still full of live buckets: forget the oldest quarter (they restart fresh)
            # rather than grow without bound or scan the whole table on every request.
            keys = list(self._tat)
            for k in keys[: len(keys) // 4 + 1]:
                del self._tat[k]


def worker_count(environ: Mapping[str, str], argv: Sequence[str]) -> int | None:
    """How many worker processes the server runs, when the environment tells: the
    ``-w``/``--workers`` option in the command line or ``GUNICORN_CMD_ARGS``, else
    ``WEB_CONCURRENCY`` (read by gunicorn and uvicorn). None when it does not tell."""
    for args in (list(argv), shlex.split(environ.get("GUNICORN_CMD_ARGS", ""))):
        for i, arg in enumerate(args):
            value = None
            if arg in ("-w", "--workers") and i + 1 < len(args):
                value = args[i + 1]
            elif arg.startswith("--workers="):
                value = arg.partition("=")[2]
            elif arg.startswith("-w") and arg[2:].isdigit():
                value = arg[2:]
            if value is not None and value.isdigit():
                return int(value)
    concurrency = environ.get("WEB_CONCURRENCY", "")
    return int(concurrency) if concurrency.isdigit() else None


def per_worker_warning(environ: Mapping[str, str], argv: Sequence[str]) -> str | None:
    """The warning to log when a per-process throttle runs under several workers."""
    workers = worker_count(environ, argv)
    if workers is not None and workers > 1:
        return (
            f"throttle backend 'memory' is per process and this server runs {workers} "
            f"workers: each client may get up to {workers} times every limit. Install "
            "camshaft-redis and set throttle.backend = 'redis' for limits that hold."
        )
    if workers is None and any(m in sys.modules for m in ("gunicorn", "uwsgi")):
        return (
            "throttle backend 'memory' is per process; under a pre-fork server with "
            "several workers each client may get the limit once per worker. Set "
            "throttle.backend = 'redis' (camshaft-redis) for limits that hold."
        )
    return None


@hookimpl(trylast=True)
def camshaft_startup(app: App) -> None:
    policies = (
        app.wiring_for(endpoint).throttle
        for group in app.groups()
        for endpoint in group.versions.values()
    )
    if any(p is not None and not p.backend.shared for p in policies):
        message = per_worker_warning(os.environ, sys.argv)
        if message:
            logger.warning(message)


@hookimpl(trylast=True)
def camshaft_throttle_backends() -> list[ThrottleBackend]:
    throttle = MemoryThrottle()
    return [ThrottleBackend("memory", throttle.hit, shared=False, peek=throttle.peek)]


@hookimpl(trylast=True)
def camshaft_nonce_stores() -> list[NonceStore]:
    return [NonceStore("memory", MemoryNonceStore().add, shared=False)]
