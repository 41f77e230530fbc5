"""camshaft-redis: the ``redis`` throttle backend (GCRA in one Lua script, on the Redis
server's clock) and the ``redis`` nonce store (``SET NX PX``), shared by every worker
and machine that uses the same Redis."""

from .hooks import camshaft_nonce_stores, camshaft_settings_spec, camshaft_throttle_backends
from .nonces import RedisNonceStore
from .throttle import RedisThrottle

__all__ = [
    "RedisNonceStore",
    "RedisThrottle",
    "camshaft_nonce_stores",
    "camshaft_settings_spec",
    "camshaft_throttle_backends",
]
