"""The ``cors`` builtin: Cross-Origin Resource Sharing for browser apps on other origins.

Off by default: it is registered only when the settings have a ``[cors]`` section (or
``plugins.enable`` names it), so an app without one makes none of its hook calls.

- A preflight (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``) is
  answered by ``camshaft_request``, before authentication: 204, with the CORS headers
  when the origin is allowed and without them when it is not.
- Every other response to an allowed origin gets ``Access-Control-Allow-Origin`` (the
  origin itself; ``*`` only when ``origins = ["*"]`` and credentials are off),
  ``Access-Control-Expose-Headers`` and, with ``credentials``, ``...-Allow-Credentials``.
- Every response varies on ``Origin``.

A handler may override the settings with a ``cors`` class attribute: ``False`` (no CORS
headers for it), or a mapping of the same keys as the section.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from camshaft import Result
from camshaft.errors import ConfigurationError
from camshaft.plugin import Option, Request, Settings, StashKey, hookimpl

if TYPE_CHECKING:
    from camshaft._kernel.app import App

camshaft_opt_in = True

EXPOSE_DEFAULT = [
    "ETag",
    "Link",
    "Location",
    "RateLimit",
    "RateLimit-Policy",
    "Retry-After",
    "X-Total-Count",
    "X-Request-ID",
]
HEADERS_DEFAULT = [
    "Authorization",
    "Content-Type",
    "If-Match",
    "If-None-Match",
    "X-Request-ID",
    "API-Version",
]
METHODS_DEFAULT = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]

# A serialized origin: scheme "://" host [":" port], nothing else (RFC 6454 section 6.2).
_ORIGIN = re.compile(r"[a-z][a-z0-9+.-]*://(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:[0-9]{1,5})?")
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


@dataclass(frozen=True, slots=True)
class Policy:
    """One resource's CORS policy, resolved once from the settings and its override."""

    exact: frozenset[str]
    patterns: tuple[re.Pattern[str], ...]
    any_origin: bool
    credentials: bool
    methods: str
    headers: str
    expose: str
    max_age: str

    def allows(self, origin: str) -> bool:
        if origin in self.exact:
            return True
        if self.any_origin or self.patterns:
            if len(origin) > 255 or _ORIGIN.fullmatch(origin) is None:
                return False
            return self.any_origin or any(p.fullmatch(origin) for p in self.patterns)
        return False

    def allow_origin(self, origin: str) -> str:
        return "*" if self.any_origin and not self.credentials else origin


POLICY = StashKey[Policy | None]()
DEFAULT = StashKey[Policy]()


@hookimpl(trylast=True)
def camshaft_settings_spec() -> dict[str, Option]:
    return {
        "origins": Option(
            list,
            [],
            "Allowed origins: exact ('https://app.example.org'), patterns "
            "('https://*.example.org'), or ['*'] (any, without credentials).",
        ),
        "methods": Option(list, METHODS_DEFAULT, "Methods a preflight allows."),
        "headers": Option(list, HEADERS_DEFAULT, "Request headers a preflight allows."),
        "expose_headers": Option(list, EXPOSE_DEFAULT, "Response headers scripts may read."),
        "credentials": Option(bool, False, "Allow cookies and Authorization (never with '*')."),
        "max_age": Option(int, 600, "Seconds a browser may cache a preflight."),
    }


def _pattern(origin: str, where: str) -> re.Pattern[str]:
    """``https://*.example.org``: one or more DNS labels where the ``*`` stands."""
    if origin.count("*") != 1 or "://*." not in origin:
        raise ConfigurationError(
            f"{where}: origin pattern {origin!r} must look like 'https://*.example.org'"
        )
    scheme, rest = origin.split("://*.", 1)
    label = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
    return re.compile(rf"{re.escape(scheme)}://(?:{label}\.)+{re.escape(rest)}")


def build_policy(options: Mapping[str, Any], where: str) -> Policy:
    """A :class:`Policy` from a settings section (or a handler's override of it).

    :raises ConfigurationError: an origin is malformed, or ``*`` is combined with
        credentials; the message names ``where``.
    """
    origins = [str(o).lower().rstrip("/") for o in options["origins"]]
    any_origin = "*" in origins
    if any_origin and options["credentials"]:
        raise ConfigurationError(f"{where}: origins ['*'] cannot be combined with credentials")
    exact, patterns = set(), []
    for origin in origins:
        if origin == "*":
            continue
        if "*" in origin:
            patterns.append(_pattern(origin, where))
        elif _ORIGIN.fullmatch(origin) is None:
            raise ConfigurationError(f"{where}: {origin!r} is not an origin (scheme://host[:port])")
        else:
            exact.add(origin)
    for key in ("methods", "headers", "expose_headers"):
        bad = [v for v in options[key] if not _TOKEN.fullmatch(str(v))]
        if bad:
            raise ConfigurationError(f"{where}: {key} has invalid names {bad!r}")
    return Policy(
        exact=frozenset(exact),
        patterns=tuple(patterns),
        any_origin=any_origin,
        credentials=bool(options["credentials"]),
        methods=", ".join(m.upper() for m in options["methods"]),
        headers=", ".join(options["headers"]),
        expose=", ".join(options["expose_headers"]),
        max_age=str(int(options["max_age"])),
    )


@hookimpl(trylast=True)
def camshaft_startup(app: App, settings: Settings) -> None:
    section = settings.plugin("cors")
    default = build_policy(section, "cors")
    app.stash[DEFAULT] = default
    for endpoint in app.endpoints():
        override = getattr(endpoint.handler, "cors", None)
        policy: Policy | None = default
        if override is False:
            policy = None
        elif isinstance(override, Mapping):
            unknown = set(override) - set(section)
            if unknown:
                raise ConfigurationError(
                    f"{endpoint.handler.__name__}.cors has unknown keys {sorted(unknown)}"
                )
            policy = build_policy({**section, **override}, f"{endpoint.handler.__name__}.cors")
        elif override is not None:
            raise ConfigurationError(
                f"{endpoint.handler.__name__}.cors must be False or a mapping of cors settings"
            )
        app.wiring_for(endpoint).stash[POLICY] = policy


def _policy(request: Request, app: App) -> Policy | None:
    endpoint = request.endpoint
    if endpoint is not None and endpoint.wiring is not None:
        return endpoint.wiring.stash.get(POLICY, app.stash[DEFAULT])
    return app.stash[DEFAULT]


@hookimpl(trylast=True)
def camshaft_request(request: Request, app: App) -> Any:
    """Answer a preflight, before authentication."""
    env = request.environ
    if request.method != "OPTIONS" or "HTTP_ACCESS_CONTROL_REQUEST_METHOD" not in env:
        return None
    origin = env.get("HTTP_ORIGIN")
    if origin is None:
        return None

    assert request.endpoint is not None
    headers = {"Allow": request.endpoint.allow}
    policy = _policy(request, app)
    if policy is not None and policy.allows(origin):
        headers["Access-Control-Allow-Origin"] = policy.allow_origin(origin)
        headers["Access-Control-Allow-Methods"] = policy.methods
        if policy.headers:
            headers["Access-Control-Allow-Headers"] = policy.headers
        headers["Access-Control-Max-Age"] = policy.max_age
        if policy.credentials:
            headers["Access-Control-Allow-Credentials"] = "true"
    return Result(None, 204, headers)


@hookimpl(trylast=True)
def camshaft_response(request: Request, app: App, headers: list[tuple[str, str]]) -> None:
    policy = _policy(request, app)
    if policy is None:
        return
    _vary_on_origin(headers)
    origin = request.environ.get("HTTP_ORIGIN")
    if origin is None or not policy.allows(origin):
        return
    if any(name == "Access-Control-Allow-Origin" for name, _ in headers):
        return  # a preflight answered above
    headers.append(("Access-Control-Allow-Origin", policy.allow_origin(origin)))
    if policy.credentials:
        headers.append(("Access-Control-Allow-Credentials", "true"))
    if policy.expose:
        headers.append(("Access-Control-Expose-Headers", policy.expose))


def _vary_on_origin(headers: list[tuple[str, str]]) -> None:
    for i, (name, value) in enumerate(headers):
        if name.lower() == "vary":
            if "origin" not in value.lower():
                headers[i] = (name, f"{value}, Origin")
            return
    headers.append(("Vary", "Origin"))
