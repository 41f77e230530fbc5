"""The ``redis`` nonce store: ``SET key 1 NX PX ttl``, so a nonce is accepted once
across every worker and machine sharing the Redis."""

from __future__ import annotations

from camshaft.errors import ServiceUnavailable
from camshaft.plugin import BackendUnavailable

from .connection import RedisConnection


class RedisNonceStore:
    """Seen nonces in Redis, each expiring after its ttl.

    :param connection: the Redis connection.
    :param prefix: prepended to every key (``<prefix>nonce:<key>``).
    """

    def __init__(self, connection: RedisConnection, prefix: str) -> None:
        self.connection = connection
        self.prefix = prefix + "nonce:"

    def add(self, key: str, ttl: float) -> bool:
        """Record ``key`` for ``ttl`` seconds: True when new, False when seen (a replay).

        :raises ServiceUnavailable: Redis cannot answer. Replay protection fails closed:
            accepting a nonce that cannot be checked would let a replay through.
        """
        ms = max(1, int(ttl * 1000))
        try:
            stored = self.connection.call(
                lambda client: client.set(self.prefix + key, 1, nx=True, px=ms)
            )
        except BackendUnavailable as exc:
            raise ServiceUnavailable(
                "Replay protection is unavailable; try again shortly.",
                retry_after=exc.retry_after,
            ) from exc
        return bool(stored)
