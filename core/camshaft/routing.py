"""Routes: automatic ``/<plural>/`` and ``/<plural>/<key>`` routes, and custom ones.

Everything here runs when the app is built. It turns handler classes into
:class:`Endpoint` objects (one per handler class and route shape) that the request path
then uses as plain lookups.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from werkzeug.routing import Map, Rule

from .errors import ConfigurationError
from .handler import Handler, default_resource_name, normalize_version

__all__ = ["METHOD_ACTIONS", "Action", "Endpoint", "Route", "RouteGroup", "build_groups"]

#: Piston/Chief action names by HTTP method.
METHOD_ACTIONS = {
    "GET": "read",
    "POST": "create",
    "PUT": "update",
    "PATCH": "patch",
    "DELETE": "delete",
}
_INJECTED = frozenset({"data", "request"})
_VERSION_SEGMENT = re.compile(r"^v(\d+(?:\.\d+)?)$")


@dataclass(frozen=True, slots=True)
class Route:
    """A custom route: a Werkzeug rule (``"/other/<username>/<path:data>"``) and the
    handler class serving it. Plugins contribute these through ``camshaft_routes``."""

    path: str
    handler: type[Handler]


@dataclass(frozen=True, slots=True)
class Action:
    """A handler method bound to an HTTP method, with what it wants injected."""

    name: str
    method: str
    func: Callable[..., Any]
    params: frozenset[str] | None  # None: takes **kwargs, gets every route parameter
    wants_data: bool
    wants_request: bool
    takes_all: bool = False  # every route parameter is one of its arguments

    def kwargs(self, route_params: dict[str, Any]) -> dict[str, Any]:
        params = self.params
        if self.takes_all or params is None:
            return dict(route_params)
        return {k: v for k, v in route_params.items() if k in params}


@dataclass(slots=True)
class Endpoint:
    """One handler class serving one route shape (collection, item or custom).

    The app fills in the per-capability parts (auth, throttle, store, paginator) once.
    """

    handler: type[Handler]
    kind: str
    path: str  # a template for links: "/events/{key}"
    version: str
    actions: dict[str, Action]
    allow: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    deprecation_headers: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True)
class RouteGroup:
    """Every version of one route shape; the default answers unknown or absent versions."""

    name: str
    kind: str
    versions: dict[str, Endpoint]
    default: Endpoint
    key_re: re.Pattern[str] | None = None
    key_name: str = "key"


def _signature_info(
    cls: type, func: Callable[..., Any]
) -> tuple[frozenset[str] | None, dict[str, bool]]:
    """Parameter names (None for **kwargs) and, per name, whether it is required."""
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(f"{cls.__name__}.{func.__name__}: {exc}") from exc
    params = list(sig.parameters.values())[1:]  # drop self
    if any(p.kind is p.VAR_KEYWORD for p in params):
        return None, {}
    required = {
        p.name: p.default is p.empty
        for p in params
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    }
    return frozenset(required), required


def _discover(
    cls: type[Handler], defaults: dict[str, Callable[..., Any]]
) -> dict[str, Callable[..., Any]]:
    """HTTP method -> function: verb-named methods first, then Piston's action names,
    then the store's default CRUD."""
    found = {}
    for method, action in METHOD_ACTIONS.items():
        func = getattr(cls, method, None)
        if not callable(func):
            func = getattr(cls, action, None)
        if not callable(func):
            func = defaults.get(action)
        if callable(func):
            found[method] = func
    if cls.allowed_methods is not None:
        allowed = {m.upper() for m in cls.allowed_methods}
        unknown = allowed - set(METHOD_ACTIONS) - {"HEAD", "OPTIONS"}
        if unknown:
            raise ConfigurationError(
                f"{cls.__name__}.allowed_methods has unknown {sorted(unknown)}"
            )
        found = {m: f for m, f in found.items() if m in allowed}
    return found


def _action(cls: type, method: str, func: Callable[..., Any], route_params: set[str]) -> Action:
    params, required = _signature_info(cls, func)
    if params is not None:
        missing = [n for n, req in required.items() if req and n not in route_params | _INJECTED]
        if missing:
            raise ConfigurationError(
                f"{cls.__name__}.{func.__name__} requires {missing}, which the route "
                f"{sorted(route_params) or 'without parameters'} cannot give"
            )
    return Action(
        name=METHOD_ACTIONS[method],
        method=method,
        func=func,
        params=params,
        # A route parameter of the same name wins over the injected body or request.
        wants_data="data" not in route_params and (params is None or "data" in params),
        wants_request="request" not in route_params and params is not None and "request" in params,
        takes_all=params is None or route_params <= params,
    )


def _allow(actions: dict[str, Action]) -> str:
    methods = set(actions) | {"OPTIONS"}
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


def _deprecation(cls: type[Handler]) -> tuple[tuple[str, str], ...]:
    from datetime import UTC, date, datetime
    from email.utils import format_datetime

    def when(value: str, attr: str) -> datetime:
        try:
            parsed = (
                date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
            )
        except (TypeError, ValueError) as exc:
            raise ConfigurationError(
                f"{cls.__name__}.{attr} must be an ISO 8601 date: {value!r}"
            ) from exc
        if not isinstance(parsed, datetime):
            parsed = datetime(parsed.year, parsed.month, parsed.day, tzinfo=UTC)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)

    headers = []
    if cls.deprecated:  # RFC 9745: a structured-field Date
        headers.append(("Deprecation", f"@{int(when(cls.deprecated, 'deprecated').timestamp())}"))
    if cls.sunset:  # RFC 8594: an HTTP-date
        headers.append(("Sunset", format_datetime(when(cls.sunset, "sunset"), usegmt=True)))
    return tuple(headers)


def build_groups(
    handlers: Iterable[type[Handler]],
    extra_routes: Iterable[Route],
    *,
    default_version: str,
    key_pattern: str,
    crud_defaults: Callable[[type[Handler]], dict[str, Callable[..., Any]]],
) -> tuple[dict[str, RouteGroup], dict[str, RouteGroup], list[RouteGroup], Map]:
    """Build the route table.

    :return: collection groups and item groups by resource name, custom groups (their
        index is the endpoint of the Werkzeug :class:`Map` also returned).
    :raises ConfigurationError: two handlers claim one resource version, a handler method
        needs an argument its route cannot give, or a key pattern does not compile.
    """
    collections: dict[str, dict[str, Endpoint]] = {}
    items: dict[str, dict[str, Endpoint]] = {}
    key_info: dict[str, tuple[re.Pattern[str], str]] = {}
    custom: dict[str, dict[str, Endpoint]] = {}

    def add(table: dict[str, dict[str, Endpoint]], name: str, endpoint: Endpoint) -> None:
        versions = table.setdefault(name, {})
        if endpoint.version in versions:
            other = versions[endpoint.version].handler.__name__
            raise ConfigurationError(
                f"{endpoint.handler.__name__} and {other} both serve {name!r} "
                f"at version {endpoint.version}"
            )
        versions[endpoint.version] = endpoint

    routes = list(extra_routes)
    for cls in handlers:
        if not (isinstance(cls, type) and issubclass(cls, Handler)):
            raise ConfigurationError(f"{cls!r} is not a camshaft.Handler subclass")
        version = normalize_version(cls.version)
        funcs = _discover(cls, crud_defaults(cls))
        deprecation = _deprecation(cls)
        routes.extend(Route(path, cls) for path in cls.routes)
        if not cls.automatic_routes or not funcs:
            continue
        name = cls.resource_name or default_resource_name(cls)
        key = cls.key_name
        pattern_text = cls.key_pattern or key_pattern
        try:
            key_re = re.compile(pattern_text)
        except re.error as exc:
            raise ConfigurationError(
                f"{cls.__name__}: bad key pattern {pattern_text!r}: {exc}"
            ) from exc
        previous = key_info.setdefault(name, (key_re, key))
        if previous[1] != key:
            raise ConfigurationError(f"versions of {name!r} disagree on key_name")
        coll_actions, item_actions = {}, {}
        for method, func in funcs.items():
            # The key parameter decides the route: required -> item only, absent ->
            # collection only, optional (or **kwargs) -> both.
            params, required = _signature_info(cls, func)
            takes_key = params is None or key in params
            key_required = required.get(key, False)
            if not key_required:
                coll_actions[method] = _action(cls, method, func, set())
            if takes_key:
                item_actions[method] = _action(cls, method, func, {key})
        if coll_actions:
            add(
                collections,
                name,
                Endpoint(
                    cls,
                    "collection",
                    f"/{name}/",
                    version,
                    coll_actions,
                    _allow(coll_actions),
                    deprecation_headers=deprecation,
                ),
            )
        if item_actions:
            add(
                items,
                name,
                Endpoint(
                    cls,
                    "item",
                    f"/{name}/{{{key}}}",
                    version,
                    item_actions,
                    _allow(item_actions),
                    deprecation_headers=deprecation,
                ),
            )

    url_map = Map(strict_slashes=False, merge_slashes=False)
    for route in routes:
        cls = route.handler
        rule = Rule(route.path, endpoint=route.path)
        url_map.add(rule)
        rule_params = set(rule.arguments)
        funcs = _discover(cls, crud_defaults(cls))
        actions = {m: _action(cls, m, f, rule_params) for m, f in funcs.items()}
        template = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", route.path)
        add(
            custom,
            route.path,
            Endpoint(
                cls,
                "custom",
                template,
                normalize_version(cls.version),
                actions,
                _allow(actions),
                deprecation_headers=_deprecation(cls),
            ),
        )

    def groups(table: dict[str, dict[str, Endpoint]], kind: str) -> dict[str, RouteGroup]:
        out = {}
        for name, versions in table.items():
            default = versions.get(default_version) or versions[max(versions, key=_version_key)]
            group = RouteGroup(name, kind, versions, default)
            if kind == "item":
                group.key_re, group.key_name = key_info[name]
            out[name] = group
        return out

    custom_groups = groups(custom, "custom")
    return (
        groups(collections, "collection"),
        groups(items, "item"),
        list(custom_groups.values()),
        url_map,
    )


def _version_key(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in version.split("."))
    except ValueError:
        return (0,)


def split_version_prefix(path: str) -> tuple[str | None, str]:
    """``/v1.1/events/1`` gives ``("1.1", "/events/1")``; other paths come back whole."""
    if path.startswith("/v"):
        first, sep, rest = path[1:].partition("/")
        m = _VERSION_SEGMENT.match(first)
        if m and sep:
            return normalize_version(m[1]), "/" + rest
    return None, path
