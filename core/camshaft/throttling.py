"""Rates, throttle decisions and the backend descriptor throttle plugins register."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .errors import ConfigurationError

__all__ = ["Decision", "Rate", "ThrottleBackend", "throttle"]

_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*(second|minute|hour|day)s?\s*$")


@dataclass(frozen=True, slots=True)
class Rate:
    """``limit`` requests per ``period`` seconds."""

    limit: int
    period: float

    @classmethod
    def parse(cls, value: str | tuple[int, float] | Rate) -> Rate:
        """``"100/minute"``, ``"5/10minutes"``, ``(5, 600)`` or a Rate."""
        if isinstance(value, Rate):
            return value
        if isinstance(value, tuple) and len(value) == 2:
            limit, period = value
        elif isinstance(value, str) and (m := _RATE.match(value)):
            limit, period = int(m[1]), int(m[2] or 1) * _PERIODS[m[3]]
        else:
            raise ConfigurationError(
                f"invalid rate {value!r}: use '100/minute', '5/10minutes' or (limit, seconds)"
            )
        if int(limit) < 1 or float(period) <= 0:
            raise ConfigurationError(f"invalid rate {value!r}: limit and period must be positive")
        return cls(int(limit), float(period))


@dataclass(frozen=True, slots=True)
class Decision:
    """A backend's answer for one request.

    :ivar allowed: whether the request may proceed.
    :ivar remaining: requests left in the current window after this one.
    :ivar reset_after: seconds until the quota is fully restored.
    :ivar retry_after: seconds until a rejected request would be allowed (0 when allowed).
    """

    allowed: bool
    remaining: int
    reset_after: float
    retry_after: float = 0.0


@dataclass(frozen=True, slots=True)
class ThrottleBackend:
    """Where throttle state lives.

    :ivar name: what settings use to choose it (``"memory"``, ``"redis"``).
    :ivar hit: ``hit(key, rate) -> Decision``: count one request against ``key`` and
        decide, atomically with respect to every other caller sharing the backend.
    :ivar shared: whether the state is shared across processes (False: per worker).
    """

    name: str
    hit: Callable[[str, Rate], Decision]
    shared: bool = False


def throttle(
    limit: int | str, period: float | None = None
) -> Callable[[Callable[..., object]], Callable[..., object]]:
    """Piston's ``@throttle(5, 10*60)``: limit one handler method.

    ``@throttle("100/minute")`` and ``@throttle("login")`` (a scope named in settings)
    work too.
    """
    value: object = limit if period is None else (limit, period)
    if not (isinstance(value, str)):
        Rate.parse(value)  # type: ignore[arg-type]  # fail at import, not per request

    def mark(func: Callable[..., object]) -> Callable[..., object]:
        func.camshaft_throttle = value  # type: ignore[attr-defined]
        return func

    return mark
