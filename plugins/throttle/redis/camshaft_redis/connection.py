"""One Redis client with short timeouts, no retries, and a cool-down after a failure.

A throttle decision must never hang a request: a connect or read that takes longer
than the timeout (100 ms by default) fails, and for ``cooldown`` seconds after that the
server is not asked again (the call fails at once), so an outage costs each request
nothing instead of a timeout.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from camshaft.errors import ConfigurationError
from camshaft.plugin import BackendUnavailable

T = TypeVar("T")


def redacted(url: str) -> str:
    """``url`` without its password, for log lines and errors."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


class RedisConnection:
    """A Redis client for the plugin's settings section.

    :param options: the ``[redis]`` settings (``url``, ``socket_timeout``,
        ``connect_timeout``, ``cooldown``).
    :param clock: monotonic seconds (injectable for tests).
    :raises ConfigurationError: the URL is not a Redis URL.
    """

    def __init__(
        self, options: Mapping[str, Any], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.url = redacted(options["url"])
        try:
            self.client = redis.Redis.from_url(
                options["url"],
                socket_timeout=options["socket_timeout"],
                socket_connect_timeout=options["connect_timeout"],
                retry=Retry(NoBackoff(), 0),  # redis-py retries 3 times by default
                health_check_interval=0,
            )
        except ValueError as exc:
            raise ConfigurationError(f"setting 'redis.url' ({self.url}): {exc}") from None
        self.cooldown = float(options["cooldown"])
        self._clock = clock
        self._down_until = 0.0
        self._lock = threading.Lock()

    @property
    def retry_after(self) -> int:
        return max(1, math.ceil(self.cooldown))

    def call(self, func: Callable[..., T], *args: Any) -> T:
        """``func(client, *args)``, or :class:`BackendUnavailable` when Redis cannot answer
        (within the timeout, or at all during the cool-down after a failure)."""
        if self._clock() < self._down_until:
            raise BackendUnavailable(
                f"redis at {self.url} failed recently", retry_after=self.retry_after, first=False
            )
        try:
            return func(self.client, *args)
        except (redis.RedisError, OSError) as exc:
            with self._lock:
                self._down_until = self._clock() + self.cooldown
            raise BackendUnavailable(
                f"redis at {self.url}: {type(exc).__name__}: {exc}", retry_after=self.retry_after
            ) from exc
