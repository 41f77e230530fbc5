"""The plugin's hook implementations and its ``[redis]`` settings section."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from camshaft import NonceStore, Option, Settings, ThrottleBackend, hookimpl

from .connection import RedisConnection
from .nonces import RedisNonceStore
from .throttle import RedisThrottle

NAME = "redis"


@hookimpl
def camshaft_settings_spec() -> Mapping[str, Option]:
    return {
        "url": Option(
            str,
            "redis://127.0.0.1:6379/0",
            'Redis URL (redis://, rediss://, unix://); use {"$env" = "NAME"} for secrets.',
        ),
        "key_prefix": Option(str, "camshaft:", "Prepended to every key this plugin writes."),
        "socket_timeout": Option(float, 0.1, "Seconds a command may take before it fails."),
        "connect_timeout": Option(float, 0.1, "Seconds a connection may take before it fails."),
        "cooldown": Option(
            float, 1.0, "Seconds Redis is not asked again after a failure (fail fast)."
        ),
        "fail": Option(
            str,
            "open",
            "When Redis cannot answer, scopes that say nothing fall back to the in-process "
            "limit ('open') or answer 503 ('closed').",
            choices=("open", "closed"),
        ),
    }


def _options(settings: Settings) -> Mapping[str, Any]:
    return settings.plugin(NAME)


@hookimpl
def camshaft_throttle_backends(settings: Settings) -> list[ThrottleBackend]:
    options = _options(settings)
    throttle = RedisThrottle(RedisConnection(options), options["key_prefix"])
    return [
        ThrottleBackend(NAME, throttle.hit, shared=True, fail=options["fail"], peek=throttle.peek)
    ]


@hookimpl
def camshaft_nonce_stores(settings: Settings) -> list[NonceStore]:
    options = _options(settings)
    store = RedisNonceStore(RedisConnection(options), options["key_prefix"])
    return [NonceStore(NAME, store.add, shared=True)]
