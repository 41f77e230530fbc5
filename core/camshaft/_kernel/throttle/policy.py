"""The per-endpoint throttle: built once from a handler's declarations and the settings,
then called once per request.

Where a rate comes from, first match wins, per HTTP method (HEAD counts as GET):

1. ``@throttle(5, 600)`` (or ``@throttle("login")``) on the method serving it;
2. ``throttle = {"PUT": (5, 600), "read": "100/minute"}`` on the handler;
3. ``throttle = "100/minute"`` / ``(5, 600)`` / ``"login"`` on the handler.

A string naming an entry of ``throttle.scopes`` uses that scope: every resource naming it
shares one bucket per client. Otherwise the bucket belongs to the handler (one for the
whole handler, or one per method when the rate is declared per method).

A bucket is keyed on the authenticated identity (``request.identity``, which only a
scheme that accepted the credentials sets), else on the client address. Forwarded-for
headers are read only through ``throttle.trusted_proxies`` hops, right to left, so what
a client writes into them itself is never a key.
"""

from __future__ import annotations

import ipaddress
import logging
import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from camshaft._kernel.throttle.backend import BackendUnavailable, Decision, Rate, ThrottleBackend
from camshaft.errors import (
    ConfigurationError,
    HTTPError,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
)

if TYPE_CHECKING:
    from camshaft._kernel.app import App
    from camshaft._kernel.request import Request

__all__ = [
    "ClientAddress",
    "Limit",
    "ThrottlePolicy",
    "counting_failures",
    "parse_scopes",
    "policy_for",
]

logger = logging.getLogger("camshaft.throttle")

FAIL_MODES = ("open", "closed")
_MAX_KNOWN = 4096


@dataclass(frozen=True, slots=True)
class Limit:
    """One bucket family: the scope (bucket name), its rate, and what to do when the
    backend is unavailable (``"open"``, ``"closed"``, or None for the backend's default)."""

    scope: str
    rate: Rate
    fail: str | None = None
    #: The ``RateLimit-Policy`` member (draft-ietf-httpapi-ratelimit-headers), built once.
    policy_header: str = field(init=False, compare=False)
    #: The scope as a Structured Field String, for the ``RateLimit`` header.
    sf_scope: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        window = max(1, math.ceil(self.rate.period))
        sf_scope = _sf_string(self.scope)
        object.__setattr__(self, "sf_scope", sf_scope)
        object.__setattr__(self, "policy_header", f"{sf_scope};q={self.rate.limit};w={window}")


def _sf_string(text: str) -> str:
    """``text`` as a Structured Field String: printable ASCII, quotes and backslashes escaped."""
    safe = "".join(c if " " <= c <= "~" else "?" for c in text)
    return '"' + safe.replace("\\", "\\\\").replace('"', '\\"') + '"'


def parse_scopes(raw: Mapping[str, Any]) -> dict[str, Limit]:
    """The ``throttle.scopes`` setting: ``{name: rate}`` or ``{name: {rate, fail}}``.

    :raises ConfigurationError: a value is not a rate, or ``fail`` is not open/closed.
    """
    scopes: dict[str, Limit] = {}
    for name, value in raw.items():
        where = f"setting 'throttle.scopes.{name}'"
        fail = None
        if isinstance(value, Mapping):
            unknown = set(value) - {"rate", "fail"}
            if unknown or "rate" not in value:
                raise ConfigurationError(
                    f"{where} must be a rate or a table with 'rate' and optionally 'fail'"
                )
            fail = value.get("fail")
            if fail is not None and fail not in FAIL_MODES:
                raise ConfigurationError(f"{where}: 'fail' must be 'open' or 'closed'")
            value = value["rate"]
        try:
            rate = Rate.parse(value)
        except ConfigurationError as exc:
            raise ConfigurationError(f"{where}: {exc}") from None
        scopes[str(name)] = Limit(str(name), rate, fail)
    return scopes


class ClientAddress:
    """Finds the client address of a request behind ``trusted_proxies`` proxies.

    With ``trusted_proxies = N > 0`` the address is the N-th entry from the right of the
    forwarded-for list (what the outermost trusted proxy saw); entries further left were
    written by the client and are ignored. With fewer entries than N, or an entry that
    is not an IP address, ``REMOTE_ADDR`` is used. IPv6 addresses are grouped by their
    ``ipv6_prefix`` (a /64 by default), since one host is commonly given a whole /64.
    """

    __slots__ = ("_environ_key", "_forwarded", "_ipv6_prefix", "_known", "_trusted")

    def __init__(self, trusted_proxies: int, header: str, ipv6_prefix: int) -> None:
        if trusted_proxies < 0:
            raise ConfigurationError("setting 'throttle.trusted_proxies' must be 0 or more")
        if not 1 <= ipv6_prefix <= 128:
            raise ConfigurationError("setting 'throttle.ipv6_prefix' must be within 1..128")
        self._trusted = trusted_proxies
        self._forwarded = header.lower() == "forwarded"
        self._environ_key = "HTTP_" + header.upper().replace("-", "_")
        self._ipv6_prefix = ipv6_prefix
        # Normalised addresses by what the request carried: parsing an address costs more
        # than the rest of the policy. Bounded: both parts come from the network.
        self._known: dict[tuple[str, str], str] = {}

    def __call__(self, environ: Mapping[str, Any]) -> str:
        remote = environ.get("REMOTE_ADDR") or ""
        seen = (remote, environ.get(self._environ_key, "") if self._trusted else "")
        found = self._known.get(seen)
        if found is None:
            found = self._find(environ)
            if len(self._known) >= _MAX_KNOWN:
                self._known.clear()
            self._known[seen] = found
        return found

    def _find(self, environ: Mapping[str, Any]) -> str:
        address = environ.get("REMOTE_ADDR") or ""
        if self._trusted:
            hops = self._hops(environ.get(self._environ_key, ""))
            if len(hops) >= self._trusted:
                address = hops[-self._trusted]
        return self._normalize(address) or self._normalize(environ.get("REMOTE_ADDR") or "")

    def _hops(self, value: str) -> list[str]:
        if not value:
            return []
        if not self._forwarded:
            return [part.strip() for part in value.split(",")]
        hops = []
        for element in value.split(","):  # RFC 7239: for= of each element, in order
            node = ""
            for pair in element.split(";"):
                name, _, val = pair.strip().partition("=")
                if name.lower() == "for":
                    node = val.strip().strip('"')
            hops.append(node)
        return hops

    def _normalize(self, text: str) -> str:
        if text.startswith("["):  # "[2001:db8::1]:4711"
            text = text[1:].partition("]")[0]
        elif text.count(":") == 1:  # "192.0.2.1:4711"
            text = text.partition(":")[0]
        try:
            ip = ipaddress.ip_address(text)
        except ValueError:
            return ""
        if ip.version == 6 and ip.ipv4_mapped is None:
            network = ipaddress.ip_network(f"{ip}/{self._ipv6_prefix}", strict=False)
            return str(network)
        return str(ip.ipv4_mapped or ip) if ip.version == 6 else str(ip)


class ThrottlePolicy:
    """The throttle of one endpoint: its limits by HTTP method and where buckets live.

    :param limits: HTTP method -> :class:`Limit`.
    :param backend: the configured backend.
    :param fallback: the in-process backend scopes failing open use while ``backend`` is
        unavailable (None when ``backend`` is in-process itself).
    :param client: finds the client address.
    """

    __slots__ = ("backend", "client", "fallback", "limits")

    def __init__(
        self,
        limits: Mapping[str, Limit],
        backend: ThrottleBackend,
        fallback: ThrottleBackend | None,
        client: ClientAddress,
    ) -> None:
        self.limits = dict(limits)
        if "GET" in self.limits:
            self.limits.setdefault("HEAD", self.limits["GET"])
        self.backend = backend
        self.fallback = fallback
        self.client = client

    def key(self, request: Request, limit: Limit) -> str:
        """The bucket: the scope, then the identity a scheme accepted, else the address."""
        identity = request.identity
        if identity.is_authenticated:
            return f"{limit.scope}|id:{identity.id}"
        return f"{limit.scope}|ip:{self.client(request.environ)}"

    def check(self, request: Request) -> list[tuple[str, str]]:
        """Count ``request`` and decide.

        :return: the ``RateLimit-Policy`` and ``RateLimit`` headers for the response
            (empty when the method is not throttled).
        :raises TooManyRequests: over the limit (429, integer ``Retry-After``).
        :raises ServiceUnavailable: the backend is unavailable and the scope fails closed.
        """
        limit = self.limits.get(request.method)
        if limit is None:
            return []
        key = self.key(request, limit)
        try:
            decision = self.backend.hit(key, limit.rate)
        except HTTPError:
            raise
        except BackendUnavailable as exc:
            decision = self._unavailable(exc, key, limit)
        except Exception as exc:  # a backend bug must not become a 500 either
            logger.exception("throttle backend %r failed", self.backend.name)
            decision = self._unavailable(BackendUnavailable(str(exc)), key, limit)
        headers = [
            ("RateLimit-Policy", limit.policy_header),
            (
                "RateLimit",
                f"{limit.sf_scope};r={decision.remaining};"
                f"t={max(0, math.ceil(decision.reset_after))}",
            ),
        ]
        if not decision.allowed:
            retry = max(1, math.ceil(decision.retry_after))
            raise TooManyRequests(
                f"Rate limit of {limit.rate} exceeded; retry in {retry} seconds.",
                retry_after=retry,
                headers=headers,
            )
        return headers

    def _unavailable(self, exc: BackendUnavailable, key: str, limit: Limit) -> Decision:
        mode = limit.fail or self.backend.fail
        if exc.first:
            logger.warning(
                "throttle backend %r unavailable (%s); scope %r fails %s",
                self.backend.name,
                exc,
                limit.scope,
                mode,
            )
        if mode == "closed":
            raise ServiceUnavailable(
                "The rate limiter is unavailable; try again shortly.",
                retry_after=max(1, exc.retry_after),
            )
        if self.fallback is None:
            return Decision(True, limit.rate.limit - 1, 0.0)
        return self.fallback.hit(key, limit.rate)


def policy_for(handler: type, app: App) -> ThrottlePolicy | None:
    """The throttle for ``handler``'s endpoints, or None when it declares no rate.

    :raises ConfigurationError: a rate, scope or backend named does not exist or is
        malformed; the message names the handler.
    """
    from camshaft._kernel.routing.actions import METHOD_ACTIONS

    options = app.settings["throttle"]
    scopes = parse_scopes(options["scopes"])
    client = ClientAddress(
        options["trusted_proxies"], options["proxy_header"], options["ipv6_prefix"]
    )
    base = f"{handler.__module__}.{handler.__qualname__}"

    def resolve(value: Any, scope: str) -> Limit:
        if isinstance(value, str) and value in scopes:
            return scopes[value]
        try:
            return Limit(scope, Rate.parse(value))
        except ConfigurationError:
            known = ", ".join(sorted(scopes)) or "none"
            raise ConfigurationError(
                f"{handler.__name__} throttles with {value!r}, which is neither a rate "
                f"('100/minute', (5, 600)) nor a scope in throttle.scopes (known: {known})"
            ) from None

    spec = getattr(handler, "throttle", None)
    if isinstance(spec, Mapping):
        names = set(METHOD_ACTIONS) | set(METHOD_ACTIONS.values())
        unknown = [k for k in spec if k not in names]
        if unknown:
            raise ConfigurationError(
                f"{handler.__name__}.throttle names {unknown!r}; use HTTP methods "
                "(GET, POST, PUT, PATCH, DELETE) or actions (read, create, ...)"
            )
    limits: dict[str, Limit] = {}
    for method, action in METHOD_ACTIONS.items():
        func = getattr(handler, method, None) or getattr(handler, action, None)
        declared = getattr(func, "camshaft_throttle", None)
        if declared is not None:
            limits[method] = resolve(declared, f"{base}.{method}")
        elif isinstance(spec, Mapping):
            value = spec.get(method, spec.get(action))
            if value is not None:
                limits[method] = resolve(value, f"{base}.{method}")
        elif spec is not None:
            limits[method] = resolve(spec, base)
    if not limits:
        return None
    name = options["backend"]
    backends: Mapping[str, ThrottleBackend] = app.throttle_backends
    if name not in backends:
        raise ConfigurationError(
            f"{handler.__name__} needs throttle backend {name!r}, which no plugin provides; "
            f"available: {', '.join(sorted(backends)) or 'none'}"
        )
    backend = backends[name]
    fallback = backends.get("memory") if backend.name != "memory" else None
    return ThrottlePolicy(limits, backend, fallback, client)


@contextmanager
def counting_failures(policy: ThrottlePolicy | None, request: Request) -> Iterator[None]:
    """Count a rejected authentication attempt against the client address.

    Authentication runs before the throttle; without this, wrong passwords would never
    be counted and a throttled resource could be brute-forced. A client over the limit
    gets 429 instead of the 401.
    """
    try:
        yield
    except Unauthorized:
        if policy is not None:
            policy.check(request)
        raise
