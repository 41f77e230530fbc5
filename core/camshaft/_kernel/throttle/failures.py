"""Failed authentications, limited per client address on every resource (brute force).

Every resource that names authentication schemes is covered, whether or not its handler
is throttled and whatever the verb: a scheme that rejects credentials (raises
:class:`~camshaft.errors.Unauthorized`) counts one failure against the client address;
past ``auth.failures`` (default ``"10/minute"``) the address is answered 429 with
``Retry-After`` -- also when it then sends the right password, or a guesser would learn
it from the one answer that is not a 429. A request is checked before any scheme runs
when it carries credentials (``Authorization`` or a scheme's own header), so a blocked
address costs no password hash either.

Counters live in the ``throttle.backend`` (shared across workers with camshaft-redis);
when it is unavailable they fall back to the in-process backend. A client that only
asks without credentials and gets a challenge is not counted.

Plugins that authenticate clients themselves (an OAuth token endpoint) call
:meth:`FailureLimiter.check` before and :meth:`FailureLimiter.record` on a failure,
through ``request.app.auth_failures`` (None when the setting turns it off).
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING

from camshaft._kernel.throttle.backend import BackendUnavailable, Decision, Rate, ThrottleBackend
from camshaft._kernel.throttle.policy import ClientAddress
from camshaft.errors import ConfigurationError, TooManyRequests

if TYPE_CHECKING:
    from camshaft._kernel.app import App
    from camshaft._kernel.request import Request

__all__ = ["FailureLimiter", "failure_limiter"]

logger = logging.getLogger("camshaft.throttle")

SCOPE = "camshaft:auth-failures"


class FailureLimiter:
    """Counts failed authentications per client address and refuses past a rate.

    :param rate: failures allowed per period.
    :param backend: where counters live; its ``peek`` (if any) checks without counting.
    :param fallback: the in-process backend used while ``backend`` is unavailable.
    :param client: finds the client address (``throttle.trusted_proxies`` applies).
    """

    __slots__ = ("backend", "client", "fallback", "rate")

    def __init__(
        self,
        rate: Rate,
        backend: ThrottleBackend,
        fallback: ThrottleBackend | None,
        client: ClientAddress,
    ) -> None:
        self.rate = rate
        self.backend = backend
        self.fallback = fallback
        self.client = client

    def key(self, request: Request) -> str:
        return f"{SCOPE}|ip:{self.client(request.environ)}"

    def check(self, request: Request) -> None:
        """Refuse an address already over the limit, counting nothing.

        :raises TooManyRequests: the address is blocked (429, ``Retry-After``).
        """
        peek = self.backend.peek
        if peek is None:
            return
        key = self.key(request)
        try:
            decision = peek(key, self.rate)
        except BackendUnavailable:
            if self.fallback is None or self.fallback.peek is None:
                return
            decision = self.fallback.peek(key, self.rate)
        self._refuse_if_blocked(decision)

    def record(self, request: Request) -> None:
        """Count one failure from the request's address.

        :raises TooManyRequests: the failure is over the limit (429, ``Retry-After``).
        """
        key = self.key(request)
        try:
            decision = self.backend.hit(key, self.rate)
        except BackendUnavailable as exc:
            if exc.first:
                logger.warning("throttle backend %r unavailable (%s)", self.backend.name, exc)
            if self.fallback is None:
                return
            decision = self.fallback.hit(key, self.rate)
        self._refuse_if_blocked(decision)

    def _refuse_if_blocked(self, decision: Decision) -> None:
        if decision.allowed:
            return
        retry = max(1, math.ceil(decision.retry_after))
        raise TooManyRequests(
            f"Too many failed authentications from this address; retry in {retry} seconds.",
            retry_after=retry,
        )


def failure_limiter(app: App) -> FailureLimiter | None:
    """The limiter the ``auth.failures`` setting describes; None when it is off.

    :raises ConfigurationError: the rate is malformed, or ``throttle.backend`` names a
        backend no plugin provides.
    """
    value = app.settings["auth"]["failures"]
    if value in ("", "off", None, False):
        return None
    try:
        rate = Rate.parse(value)
    except ConfigurationError as exc:
        raise ConfigurationError(f"setting 'auth.failures': {exc}") from None
    options = app.settings["throttle"]
    backends = app.throttle_backends
    name = options["backend"]
    if name not in backends:
        if name == "memory":  # the builtin was blocked and nothing replaces it
            logger.warning("no throttle backend: failed authentications are not limited")
            return None
        raise ConfigurationError(
            f"setting 'throttle.backend' names {name!r}, which no plugin provides; "
            f"available: {', '.join(sorted(backends)) or 'none'}"
        )
    backend = backends[name]
    fallback = backends.get("memory") if backend.name != "memory" else None
    client = ClientAddress(
        options["trusted_proxies"], options["proxy_header"], options["ipv6_prefix"]
    )
    return FailureLimiter(rate, backend, fallback, client)
