"""The ``redis`` throttle backend: one atomic Lua script per decision (GCRA)."""

from __future__ import annotations

import hashlib
from importlib.resources import files
from typing import Any

from redis.exceptions import NoScriptError

from camshaft.plugin import Decision, Rate

from .connection import RedisConnection

GCRA = files(__package__).joinpath("gcra.lua").read_text()
GCRA_SHA = hashlib.sha1(GCRA.encode("utf-8")).hexdigest()  # noqa: S324 - Redis names scripts so
_US = 1_000_000


class RedisThrottle:
    """GCRA over Redis: the theoretical arrival time of each bucket is one Redis key,
    read and written by one script, timed by the server's clock (``TIME``), so every
    worker on every machine shares the bucket and no two of them can both take the
    last request. Keys expire as soon as their bucket is full again.

    :param connection: the Redis connection.
    :param prefix: prepended to every key (``<prefix>throttle:<scope>|<client>``).
    """

    def __init__(self, connection: RedisConnection, prefix: str) -> None:
        self.connection = connection
        self.prefix = prefix + "throttle:"

    def hit(self, key: str, rate: Rate) -> Decision:
        """Count one request against ``key``.

        :raises BackendUnavailable: Redis is down, slow, or failed recently.
        """
        allowed, remaining, reset_us, retry_us = self.connection.call(
            _gcra, self.prefix + key, rate.limit, int(rate.period * _US)
        )
        return Decision(allowed == 1, remaining, reset_us / _US, retry_us / _US)

    def peek(self, key: str, rate: Rate) -> Decision:
        """Whether one more request against ``key`` would be allowed; counts nothing.

        :raises BackendUnavailable: Redis is down, slow, or failed recently.
        """
        period = int(rate.period * _US)
        interval = period // rate.limit

        def run(client: Any) -> list[Any]:
            pipe = client.pipeline(transaction=False)
            pipe.time()
            pipe.get(self.prefix + key)
            return pipe.execute()  # type: ignore[no-any-return]

        (seconds, micros), stored = self.connection.call(run)
        now = int(seconds) * _US + int(micros)
        tat = max(int(stored) if stored is not None else now, now)
        allow_at = tat + interval - period
        if now < allow_at:
            return Decision(False, 0, (tat - now) / _US, (allow_at - now) / _US)
        return Decision(True, max(0, (period - (tat - now)) // interval - 1), (tat - now) / _US)


def _gcra(client: Any, key: str, limit: int, period_us: int) -> list[int]:
    """One ``EVALSHA`` of the script; loaded first when the server does not know it (a
    restarted or flushed server), as redis-py's ``Script`` does, without its per-call
    argument copying and import."""
    try:
        return client.evalsha(GCRA_SHA, 1, key, limit, period_us)  # type: ignore[no-any-return]
    except NoScriptError:
        client.script_load(GCRA)
        return client.evalsha(GCRA_SHA, 1, key, limit, period_us)  # type: ignore[no-any-return]
