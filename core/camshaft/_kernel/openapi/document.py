"""The whole OpenAPI 3.1 document of an app: paths, components, then the plugins' turn."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from camshaft._kernel.openapi import parameters as params
from camshaft._kernel.openapi.operations import (
    ERROR_RESPONSES,
    RATE_LIMIT_HEADERS,
    Context,
    operation,
    own_doc,
)
from camshaft._kernel.openapi.schemas import FIELD_ERROR_SCHEMA, PROBLEM_SCHEMA
from camshaft._kernel.openapi.security import fallback_scheme, security_scheme
from camshaft._kernel.routing import Endpoint, RouteGroup

if TYPE_CHECKING:
    from camshaft._kernel.app import App

__all__ = ["OPENAPI_VERSION", "build_document", "included"]

OPENAPI_VERSION = "3.1.0"
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def included(endpoint: Endpoint) -> bool:
    """Whether an endpoint is documented: every one but those whose handler sets
    ``openapi_include = False`` (the document and docs page themselves)."""
    return bool(getattr(endpoint.handler, "openapi_include", True))


def _context(app: App) -> Context:
    emitters = app.negotiator.emitters  # the default format first
    problem_types = []
    for e in emitters:
        media = e.problem_media_type or e.media_type
        if media not in problem_types:
            problem_types.append(media)
    return Context(
        app=app,
        emit_types=list(dict.fromkeys(e.media_type for e in emitters)),
        problem_types=problem_types,
        parse_types=[m for m, p in app.parsers.items() if not p.many],
        formats=[e.format for e in emitters],
        list_parse_types=[m for m, p in app.parsers.items() if p.many],
    )


def _error_responses(ctx: Context) -> dict[str, Any]:
    out = {}
    ref = {"$ref": "#/components/schemas/Problem"}
    # All of them, used or not, so plugins can refer to any from their own operations.
    for status in sorted(ERROR_RESPONSES):
        name, text = ERROR_RESPONSES[status]
        response: dict[str, Any] = {
            "description": text,
            "content": {media: {"schema": ref} for media in ctx.problem_types},
        }
        header = {401: "WWW-Authenticate", 405: "Allow", 429: "Retry-After"}.get(status)
        if header:
            response["headers"] = {header: {"schema": {"type": "string"}}}
        if status == 429:
            response["headers"].update(copy.deepcopy(RATE_LIMIT_HEADERS))
        out[name] = response
    return out


def _versions_of(group: RouteGroup) -> list[str]:
    return sorted(group.versions, key=lambda v: tuple(int(p) for p in v.split(".") if p.isdigit()))


def _path_ops(
    ctx: Context,
    group: RouteGroup,
    endpoint: Endpoint,
    prefix: str,
    header: list[dict[str, Any]],
) -> dict[str, Any]:
    suffix = "" if not prefix else "_v" + endpoint.version.replace(".", "_")
    name = group.name if group.kind != "custom" else endpoint.path
    slug = "".join(c if c.isalnum() else "_" for c in name).strip("_") or "root"
    item: dict[str, Any] = {}
    for method in _METHODS:
        action = endpoint.actions.get(method)
        if action is None:
            continue
        operation_id = f"{action.name}_{slug}_{endpoint.kind}{suffix}"
        item[method.lower()] = operation(
            ctx, group, endpoint, method, operation_id=operation_id, version_header=header
        )
    return item


def build_document(
    app: App, *, title: str | None = None, version: str | None = None
) -> dict[str, Any]:
    """Generate the OpenAPI 3.1 document of ``app``.

    The default version of every route is documented at its plain path; when the
    ``url`` versioning strategy is on, every other version also at ``/v<version>/...``;
    when the ``header`` strategy is on and a route has several versions, its plain path
    takes the version header (its values the versions that exist); with the ``query``
    strategy, the version query parameter likewise. Plugins then complete the document through the
    ``camshaft_openapi`` hook (called with the document to change in place).

    :param title: ``info.title``; default the ``openapi.title`` setting.
    :param version: ``info.version``; default the ``openapi.version`` setting, else the
        app's default API version.
    :return: the document, as plain JSON-compatible data.
    :raises ConfigurationError: a plugin's hook implementation raised one.
    """
    settings = app.settings["openapi"]
    ctx = _context(app)
    versioning = app.settings["versioning"]
    by_url = "url" in versioning["strategies"]
    by_header = "header" in versioning["strategies"]
    by_query = "query" in versioning["strategies"]
    paths: dict[str, Any] = {}
    tags: dict[str, str] = {}
    for group in app.groups():
        default = group.default
        if not included(default):
            continue
        header = []
        if by_header and len(group.versions) > 1:
            header.append(
                params.version_header(app.version_header, _versions_of(group), app.versions.strict)
            )
        if by_query:
            header.append(
                params.version_query(app.versions.query, _versions_of(group), app.versions.strict)
            )
        paths.setdefault(default.path, {}).update(_path_ops(ctx, group, default, "", header))
        doc = own_doc(default.handler)
        resource = default.path.strip("/").split("/")[0] or "/"
        if doc and resource not in tags:
            tags[resource] = doc
        if not by_url:
            continue
        for v in _versions_of(group):
            endpoint = group.versions[v]
            if endpoint is default or not included(endpoint):
                continue
            prefix = f"/v{v}"
            paths.setdefault(prefix + endpoint.path, {}).update(
                _path_ops(ctx, group, endpoint, prefix, [])
            )

    _link_creations(app, ctx, paths)
    components: dict[str, Any] = {
        "schemas": {"Problem": PROBLEM_SCHEMA, "FieldError": FIELD_ERROR_SCHEMA, **ctx.schemas},
        "responses": _error_responses(ctx),
    }
    schemes = {}
    for name, scheme in ctx.schemes.items():
        described = security_scheme(scheme)
        if described is not None:
            schemes[name] = described
    if schemes or ctx.schemes:
        components["securitySchemes"] = schemes
    document: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": title or settings["title"],
            "version": version or settings["version"] or app.default_version,
            "description": (
                "Errors are RFC 9457 problem details. Every path also answers OPTIONS "
                "(and HEAD where it answers GET); other methods get 405 with Allow."
            ),
        },
        "paths": dict(sorted(paths.items())),
        "components": components,
    }
    if tags:
        document["tags"] = [{"name": n, "description": d} for n, d in sorted(tags.items())]
    app.plugin_manager.hook.camshaft_openapi(app=app, document=document)
    _complete_security(document)
    return document


def _link_creations(app: App, ctx: Context, paths: dict[str, Any]) -> None:
    """OpenAPI links from each create (POST on a collection answering 201 with the new
    item) to the operations on that item, keyed by the item's ``key_field`` in the body:
    clients and stateful testers (schemathesis) follow them."""
    places: dict[type, dict[str, str]] = {}
    for group in app.groups():
        endpoint = group.default
        if included(endpoint) and endpoint.kind in ("collection", "item"):
            places.setdefault(endpoint.handler, {})[endpoint.kind] = endpoint.path
            if endpoint.kind == "item":
                places[endpoint.handler]["key_name"] = group.key_name
    for handler, where in places.items():
        if "collection" not in where or "item" not in where:
            continue
        create = paths.get(where["collection"], {}).get("post")
        item_ops = paths.get(_openapi_path(where["item"]), {})
        created = create.get("responses", {}).get("201") if create else None
        if not created or not item_ops or "content" not in created:
            continue
        key_field = getattr(handler, "key_field", "id")
        media: dict[str, Any] = next(iter(created["content"].values()), {})
        schema = media.get("schema", {})
        if "oneOf" in schema:  # an item, or the list a bulk create answers: the item's
            schema = schema["oneOf"][0]
        if key_field not in _members(ctx, schema):
            continue
        links = {}
        for op in item_ops.values():
            if isinstance(op, dict) and "operationId" in op:
                links[op["operationId"]] = {
                    "operationId": op["operationId"],
                    "parameters": {where["key_name"]: f"$response.body#/{key_field}"},
                }
        if links:
            created["links"] = links


def _openapi_path(path: str) -> str:
    """A route path as the document writes it (``<key>`` -> ``{key}``)."""
    import re

    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", path)


def _members(ctx: Context, schema: dict[str, Any]) -> set[str]:
    """Top-level property names of a response schema (through ``$ref`` and ``allOf``)."""
    if "$ref" in schema:
        return _members(ctx, ctx.schemas.get(schema["$ref"].rsplit("/", 1)[1], {}))
    names = set(schema.get("properties", {}))
    for part in schema.get("allOf", ()):
        names |= _members(ctx, part)
    return names


def _complete_security(document: dict[str, Any]) -> None:
    """Describe every scheme an operation names that no plugin described."""
    named: set[str] = set()
    for path_item in document.get("paths", {}).values():
        for op in path_item.values():
            if isinstance(op, dict):
                for requirement in op.get("security", ()):
                    named.update(requirement)
    if not named:
        return
    schemes = document.setdefault("components", {}).setdefault("securitySchemes", {})
    for name in sorted(named - set(schemes)):
        schemes[name] = fallback_scheme(name)
