"""The route table: automatic ``/<plural>/`` and ``/<plural>/<key>`` routes, custom
Werkzeug rules, and the version groups the request path looks up.

Everything here runs when the app is built; the request path then does plain lookups.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.routing import Map, Rule

from camshaft._kernel.handler import Handler, default_resource_name, normalize_version
from camshaft._kernel.routing.actions import check_handler, discover, make_action, signature_info
from camshaft._kernel.routing.endpoints import (
    Endpoint,
    Route,
    RouteGroup,
    allow_header,
    deprecation_headers,
)
from camshaft._kernel.routing.nesting import Level, chain, templates
from camshaft.errors import ConfigurationError

__all__ = ["build_groups", "split_version_prefix"]

_VERSION_SEGMENT = re.compile(r"^v(\d+(?:\.\d+)?)$")


Table = dict[str, dict[str, Endpoint]]  # name -> version -> endpoint
CrudDefaults = Callable[[type[Handler]], dict[str, Callable[..., Any]]]


def build_groups(
    handlers: Iterable[type[Handler]],
    extra_routes: Iterable[Route],
    *,
    default_version: str,
    key_pattern: str,
    crud_defaults: CrudDefaults,
    store_key_patterns: dict[type, str] | None = None,
) -> tuple[dict[str, RouteGroup], dict[str, RouteGroup], list[RouteGroup], Map]:
    """Build the route table.

    :param store_key_patterns: per handler without its own ``key_pattern``, the pattern
        its store's backend enforces (used instead of ``key_pattern``).

    :return: collection groups and item groups by resource name, custom groups (their
        name is the endpoint of the Werkzeug :class:`Map` also returned).
    :raises ConfigurationError: two handlers claim one resource version, a handler method
        needs an argument its route cannot give, or a key pattern does not compile.
    """
    collections: Table = {}
    items: Table = {}
    key_info: dict[str, tuple[re.Pattern[str], str]] = {}
    routes = list(extra_routes)
    patterns = store_key_patterns or {}
    nested: list[tuple[type[Handler], tuple[Level, ...]]] = []
    for cls in handlers:
        if not (isinstance(cls, type) and issubclass(cls, Handler)):
            raise ConfigurationError(f"{cls!r} is not a camshaft.Handler subclass")
        check_handler(cls, crud_defaults(cls))
        routes.extend(Route(path, cls) for path in cls.routes)
        levels = chain(cls)
        if levels:
            nested.append((cls, levels))
            continue
        pattern = patterns.get(cls, key_pattern)
        _add_automatic(cls, collections, items, key_info, pattern, crud_defaults)
    custom, url_map = _custom_table(routes, crud_defaults)
    custom_groups = list(_grouped(custom, "custom", default_version).values())
    for kind, table, params in _nested_tables(
        nested, url_map, crud_defaults, lambda c: c.key_pattern or patterns.get(c, key_pattern)
    ):
        for group in _grouped(table, kind, default_version).values():
            group.path_params = params[group.name]
            custom_groups.append(group)
    return (
        _grouped(collections, "collection", default_version),
        _grouped(items, "item", default_version, key_info),
        custom_groups,
        url_map,
    )


def _nested_tables(
    nested: list[tuple[type[Handler], tuple[Level, ...]]],
    url_map: Map,
    crud_defaults: CrudDefaults,
    pattern_of: Callable[[type[Handler]], str],
) -> Iterable[tuple[str, Table, dict[str, tuple[tuple[str, re.Pattern[str]], ...]]]]:
    """The nested handlers' collection and item endpoints (see
    :mod:`~camshaft._kernel.routing.nesting`), their rules added to ``url_map``: per
    kind, the endpoints by rule and each rule's path parameters with their patterns."""
    tables: dict[str, Table] = {"collection": {}, "item": {}}
    params: dict[str, dict[str, tuple[tuple[str, re.Pattern[str]], ...]]] = {
        "collection": {},
        "item": {},
    }
    for cls, levels in nested:
        funcs = discover(cls, crud_defaults(cls))
        if not cls.automatic_routes or not funcs:
            continue
        key = cls.key_name
        parents = tuple((lv.param, _compiled(lv.handler, pattern_of(lv.handler))) for lv in levels)
        own = (key, _compiled(cls, pattern_of(cls)))
        coll_rule, item_rule = templates(cls, levels)
        parent_params = {lv.param for lv in levels}
        per_kind: dict[str, dict[str, Any]] = {"collection": {}, "item": {}}
        for method, func in funcs.items():
            accepted, required = signature_info(cls, func)
            if not required.get(key, False):
                per_kind["collection"][method] = make_action(cls, method, func, parent_params)
            if accepted is None or key in accepted:
                per_kind["item"][method] = make_action(cls, method, func, parent_params | {key})
        for kind, rule, path_params in (
            ("collection", coll_rule, parents),
            ("item", item_rule, (*parents, own)),
        ):
            actions = per_kind[kind]
            if not actions:
                continue
            url_map.add(Rule(rule, endpoint=rule))
            template = re.sub(r"<([^>]+)>", r"{\1}", rule)
            endpoint = Endpoint(
                cls,
                kind,
                template,
                normalize_version(cls.version),
                actions,
                allow_header(actions),
                deprecation_headers=deprecation_headers(cls),
            )
            _add(tables[kind], rule, endpoint)
            params[kind][rule] = path_params
    for kind in ("collection", "item"):
        yield kind, tables[kind], params[kind]


def _compiled(cls: type[Handler], pattern_text: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern_text)
    except re.error as exc:
        raise ConfigurationError(
            f"{cls.__name__}: bad key pattern {pattern_text!r}: {exc}"
        ) from exc


def _add(table: Table, name: str, endpoint: Endpoint) -> None:
    versions = table.setdefault(name, {})
    if endpoint.version in versions:
        other = versions[endpoint.version].handler.__name__
        raise ConfigurationError(
            f"{endpoint.handler.__name__} and {other} both serve {name!r} "
            f"at version {endpoint.version}"
        )
    versions[endpoint.version] = endpoint


def _key_of(
    cls: type[Handler], name: str, key_info: dict[str, tuple[re.Pattern[str], str]], default: str
) -> str:
    """The key parameter's name, its pattern recorded for ``name`` (every version agrees)."""
    pattern_text = cls.key_pattern or default
    try:
        key_re = re.compile(pattern_text)
    except re.error as exc:
        raise ConfigurationError(
            f"{cls.__name__}: bad key pattern {pattern_text!r}: {exc}"
        ) from exc
    previous = key_info.setdefault(name, (key_re, cls.key_name))
    if previous[1] != cls.key_name:
        raise ConfigurationError(f"versions of {name!r} disagree on key_name")
    return cls.key_name


def _add_automatic(
    cls: type[Handler],
    collections: Table,
    items: Table,
    key_info: dict[str, tuple[re.Pattern[str], str]],
    key_pattern: str,
    crud_defaults: CrudDefaults,
) -> None:
    """``/<plural>/`` and ``/<plural>/<key>`` for ``cls``, unless it opts out."""
    funcs = discover(cls, crud_defaults(cls))
    if not cls.automatic_routes or not funcs:
        return
    name = cls.resource_name or default_resource_name(cls)
    key = _key_of(cls, name, key_info, key_pattern)
    coll_actions, item_actions = {}, {}
    for method, func in funcs.items():
        # The key parameter decides the route: required -> item only, absent ->
        # collection only, optional (or **kwargs) -> both.
        params, required = signature_info(cls, func)
        if not required.get(key, False):
            coll_actions[method] = make_action(cls, method, func, set())
        if params is None or key in params:
            item_actions[method] = make_action(cls, method, func, {key})
    version = normalize_version(cls.version)
    deprecation = deprecation_headers(cls)
    for table, kind, path, actions in (
        (collections, "collection", f"/{name}/", coll_actions),
        (items, "item", f"/{name}/{{{key}}}", item_actions),
    ):
        if actions:
            endpoint = Endpoint(
                cls,
                kind,
                path,
                version,
                actions,
                allow_header(actions),
                deprecation_headers=deprecation,
            )
            _add(table, name, endpoint)


def _custom_table(routes: list[Route], crud_defaults: CrudDefaults) -> tuple[Table, Map]:
    """Endpoints of the custom routes, and the Werkzeug map that matches them."""
    custom: Table = {}
    url_map = Map(strict_slashes=False, merge_slashes=False)
    for route in routes:
        cls = route.handler
        rule = Rule(route.path, endpoint=route.path)
        url_map.add(rule)
        rule_params = set(rule.arguments)
        funcs = discover(cls, crud_defaults(cls))
        actions = {m: make_action(cls, m, f, rule_params) for m, f in funcs.items()}
        template = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", route.path)
        endpoint = Endpoint(
            cls,
            "custom",
            template,
            normalize_version(cls.version),
            actions,
            allow_header(actions),
            deprecation_headers=deprecation_headers(cls),
        )
        _add(custom, route.path, endpoint)
    return custom, url_map


def _grouped(
    table: Table,
    kind: str,
    default_version: str,
    key_info: dict[str, tuple[re.Pattern[str], str]] | None = None,
) -> dict[str, RouteGroup]:
    """One group per name; its default is ``default_version`` or else the newest."""
    out = {}
    for name, versions in table.items():
        default = versions.get(default_version) or versions[max(versions, key=_version_key)]
        group = RouteGroup(name, kind, versions, default)
        if key_info is not None:
            group.key_re, group.key_name = key_info[name]
        out[name] = group
    return out


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
