"""Rates, throttle decisions and the backend descriptor throttle plugins register.

A backend answers one question per request, ``hit(key, rate) -> Decision``, atomically:
count this request against ``key`` and say whether it may proceed. Both shipped
backends implement GCRA (the generic cell rate algorithm): one "theoretical arrival
time" per key, which makes the decision exact under concurrency with a single
read-modify-write. A client may use the whole quota at once (a burst of ``limit``),
after which it earns one request every ``period / limit`` seconds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from camshaft.errors import ConfigurationError

__all__ = ["BackendUnavailable", "Decision", "Rate", "ThrottleBackend", "throttle"]

_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*(second|minute|hour|day)s?\s*$")


@dataclass(frozen=True, slots=True)
class Rate:
    """``limit`` requests per ``period`` seconds."""

    limit: int
    period: float

    @classmethod
    def parse(cls, value: object) -> Rate:
        """``"100/minute"``, ``"5/10minutes"``, ``(5, 600)``, ``[5, 600]`` or a Rate.

        :raises ConfigurationError: anything else, or a limit or period that is not positive.
        """
        if isinstance(value, Rate):
            return value
        limit: object
        period: object
        if isinstance(value, tuple | list) and len(value) == 2:
            limit, period = value
        elif isinstance(value, str) and (m := _RATE.match(value)):
            limit, period = int(m[1]), int(m[2] or 1) * _PERIODS[m[3]]
        else:
            raise ConfigurationError(
                f"invalid rate {value!r}: use '100/minute', '5/10minutes' or (limit, seconds)"
            )
        if (
            not isinstance(limit, int)
            or isinstance(limit, bool)
            or not isinstance(period, int | float)
            or isinstance(period, bool)
            or limit < 1
            or not 0 < period < 10**9
        ):
            raise ConfigurationError(
                f"invalid rate {value!r}: limit must be a positive integer and period a "
                "positive number of seconds"
            )
        return cls(limit, float(period))

    def __str__(self) -> str:
        return f"{self.limit} per {self.period:g} seconds"


@dataclass(frozen=True, slots=True)
class Decision:
    """A backend's answer for one request.

    :ivar allowed: whether the request may proceed.
    :ivar remaining: requests the client could still make right now after this one.
    :ivar reset_after: seconds until the quota is fully restored.
    :ivar retry_after: seconds until a rejected request would be allowed (0 when allowed).
    """

    allowed: bool
    remaining: int
    reset_after: float
    retry_after: float = 0.0


class BackendUnavailable(Exception):
    """Raised by a backend's ``hit`` when it cannot decide (server down, timeout).

    The throttle then fails open or closed, as the scope says; never a 500.

    :param retry_after: seconds a client should wait when the scope fails closed (503).
    :param first: True when this call actually tried the server and failed; False when
        the backend refused fast because a recent attempt failed (so callers log once).
    """

    def __init__(self, message: str, *, retry_after: int = 1, first: bool = True) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.first = first


@dataclass(frozen=True, slots=True)
class ThrottleBackend:
    """Where throttle state lives.

    :ivar name: what the ``throttle.backend`` setting uses to choose it (``"memory"``,
        ``"redis"``).
    :ivar hit: ``hit(key, rate) -> Decision``: count one request against ``key`` and
        decide, atomically with respect to every other caller sharing the backend; raises
        :class:`BackendUnavailable` when it cannot decide.
    :ivar shared: whether the state is shared across processes (False: per worker).
    :ivar fail: what scopes that say nothing do when ``hit`` raises
        :class:`BackendUnavailable`: ``"open"`` (decide with the in-process backend) or
        ``"closed"`` (503 with Retry-After).
    :ivar peek: ``peek(key, rate) -> Decision``: whether one more request would be
        allowed, counting nothing (the failed-authentication limit checks with it before
        a password is verified). None: the backend cannot tell; failures are then only
        refused when counted.
    """

    name: str
    hit: Callable[[str, Rate], Decision]
    shared: bool = False
    fail: str = "open"
    peek: Callable[[str, Rate], Decision] | None = None


def throttle(
    limit: int | str | Sequence[int], period: float | None = None
) -> Callable[[Callable[..., object]], Callable[..., object]]:
    """Piston's ``@throttle(5, 10*60)``: limit one handler method.

    ``@throttle("100/minute")`` and ``@throttle("login")`` (a scope named in the
    ``throttle.scopes`` setting) work too.

    :raises ConfigurationError: at import, for a (limit, period) that is not a rate.
    """
    value: object = limit if period is None else (limit, period)
    if not isinstance(value, str):
        Rate.parse(value)  # fail at import, not per request

    def mark(func: Callable[..., object]) -> Callable[..., object]:
        func.camshaft_throttle = value  # type: ignore[attr-defined]
        return func

    return mark
