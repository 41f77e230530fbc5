"""One OpenAPI Operation Object per endpoint and HTTP method."""

from __future__ import annotations

import ast
import copy
import inspect
import re
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from camshaft._kernel.auth.authentication import accepts_anonymous, asks_credentials
from camshaft._kernel.forms import FORM_TYPES
from camshaft._kernel.models.protocol import AdaptedModel
from camshaft._kernel.openapi import parameters as params
from camshaft._kernel.openapi.schemas import anchored, model_schemas, rule_parameter_schema
from camshaft._kernel.openapi.security import requirements
from camshaft._kernel.routing import Action, Endpoint, RouteGroup
from camshaft._kernel.stores import crud, relations

if TYPE_CHECKING:
    from camshaft._kernel.app import App
    from camshaft._kernel.handler import Handler
    from camshaft._kernel.wiring import Wiring

__all__ = [
    "ERROR_RESPONSES",
    "RATE_LIMIT_HEADERS",
    "Context",
    "operation",
    "own_doc",
    "sends_validators",
]

#: Problem responses by status: (component name, description).
ERROR_RESPONSES: dict[int, tuple[str, str]] = {
    0: ("Problem", "Another error the handler raised, as problem details."),
    400: ("BadRequest", "The request is malformed: a bad key, query parameter or body."),
    401: ("Unauthorized", "Credentials are missing or wrong; one challenge per scheme."),
    403: ("Forbidden", "The client may not do this."),
    404: ("NotFound", "No such resource, item or version."),
    405: ("MethodNotAllowed", "The resource does not serve this method (see Allow)."),
    406: ("NotAcceptable", "No format the client accepts can be produced."),
    409: (
        "Conflict",
        "The write conflicts with what is stored: an existing item, or, for a delete, "
        "items that still refer to this one.",
    ),
    412: (
        "PreconditionFailed",
        "A precondition (If-Match, If-None-Match, If-Unmodified-Since) did not hold.",
    ),
    413: ("PayloadTooLarge", "The body is over the size limit."),
    415: ("UnsupportedMediaType", "No parser for the body's Content-Type."),
    428: ("PreconditionRequired", "This write must carry If-Match."),
    429: ("TooManyRequests", "Throttled; retry after Retry-After seconds."),
}

_SUMMARIES = {
    ("read", "collection"): "List {name}",
    ("read", "item"): "Read one of {name}",
    ("create", "collection"): "Create one of {name}",
    ("update", "item"): "Replace one of {name}",
    ("patch", "item"): "Change one of {name}",
    ("delete", "item"): "Delete one of {name}",
}
_RULE_PARAM = re.compile(r"<(?:([^:>(]+)(?:\([^)]*\))?:)?([^>]+)>")
_WRITES = ("POST", "PUT", "PATCH")


@dataclass(slots=True)
class Context:
    """What every operation of one document shares."""

    app: App
    emit_types: list[str]
    problem_types: list[str]
    parse_types: list[str]
    formats: list[str]
    #: Parsers that always give a list (NDJSON, CSV): only for operations taking one.
    list_parse_types: list[str] = field(default_factory=list)
    schemas: dict[str, Any] = field(default_factory=dict)
    model_refs: dict[tuple[Any, ...], dict[str, str]] = field(default_factory=dict)
    schemes: dict[str, Any] = field(default_factory=dict)

    def model(self, handler: type, model: AdaptedModel) -> dict[str, str]:
        """``$ref`` targets of the model's read/write/patch schemas, registered once per
        (handler shaping, model) so two handlers shaping one model differently differ."""
        fields = getattr(handler, "fields", None)
        exclude = tuple(getattr(handler, "exclude", ()) or ())
        key = (id(model), tuple(map(repr, fields)) if fields is not None else None, repr(exclude))
        known = self.model_refs.get(key)
        if known is not None:
            return known
        made = model_schemas(model, fields=fields, exclude=exclude)
        for def_name, def_schema in made["definitions"].items():
            self.schemas.setdefault(def_name, def_schema)
        base = model.name
        name, n = base, 1
        while name in self.schemas:
            n += 1
            name = f"{base}{n}"
        refs: dict[str, str] = {}
        for kind, suffix in (("read", ""), ("write", "Input"), ("patch", "Patch")):
            self.schemas[name + suffix] = made[kind]
            refs[kind] = f"#/components/schemas/{name}{suffix}"
        self.model_refs[key] = refs
        return refs


def own_doc(obj: Any) -> str:
    """``obj``'s own docstring, cleaned; never one inherited from a base class (which
    :func:`inspect.getdoc` would return: ``Handler``'s, for a handler without one)."""
    doc = obj.__dict__.get("__doc__") if isinstance(obj, type) else getattr(obj, "__doc__", None)
    return inspect.cleandoc(doc) if isinstance(doc, str) else ""


def _doc(func: Callable[..., Any] | None) -> str:
    if func is None or getattr(func, "__module__", None) == crud.__name__:
        return ""
    return own_doc(func)


def _path_parameters(group: RouteGroup, endpoint: Endpoint) -> list[dict[str, Any]]:
    if group.path_params:  # a nested route: every level's key, with its pattern
        return [
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": {"type": "string", "pattern": anchored(pattern.pattern)},
            }
            for name, pattern in group.path_params
        ]
    if endpoint.kind == "item":
        assert group.key_re is not None
        return [
            {
                "name": group.key_name,
                "in": "path",
                "required": True,
                "schema": {"type": "string", "pattern": anchored(group.key_re.pattern)},
            }
        ]
    if endpoint.kind == "custom":
        return [
            {"name": name, "in": "path", "required": True, "schema": rule_parameter_schema(conv)}
            for conv, name in _RULE_PARAM.findall(group.name)
        ]
    return []


def _content(types: list[str], schema: dict[str, Any]) -> dict[str, Any]:
    return {media: {"schema": schema} for media in types}


def _is_default_crud(action: Action) -> bool:
    return getattr(action.func, "__module__", None) == crud.__name__


def _success(
    ctx: Context, endpoint: Endpoint, action: Action, refs: dict[str, str] | None
) -> dict[str, Any]:
    """The 2xx/304 responses of one operation."""
    wiring = ctx.app.wiring_for(endpoint)
    item: dict[str, Any] = {"$ref": refs["read"]} if refs else {}
    shaper = wiring.shaper
    default = _is_default_crud(action)
    added: dict[str, Any] = {}
    if getattr(shaper, "item_path", None) is not None:
        added["url"] = {"type": "string", "description": "The item's own URL."}
    if default:
        added.update(_related_members(ctx, endpoint.handler))
    if refs and added:
        item = {"allOf": [item, {"type": "object", "properties": added}]}
    etag = {"ETag": {"schema": {"type": "string"}, "description": "The item's version."}}
    location = {"Location": {"schema": {"type": "string"}, "description": "The new item's URL."}}
    name = action.name
    if name == "read" and endpoint.kind == "collection":
        paginator = wiring.paginator
        body: dict[str, Any] = {"type": "array", "items": item} if (refs or paginator) else {}
        headers: dict[str, Any] = {}
        if paginator is not None:
            headers["Link"] = {
                "schema": {"type": "string"},
                "description": "RFC 8288 links: first, prev, next, last.",
            }
            if ctx.app.settings["pagination"]["envelope"]:
                body = {
                    "type": "object",
                    "properties": {
                        "count": {"type": ["integer", "null"]},
                        "next": {"type": ["string", "null"]},
                        "previous": {"type": ["string", "null"]},
                        "results": {"type": "array", "items": item},
                    },
                }
            else:
                headers["X-Total-Count"] = {
                    "schema": {"type": "string", "pattern": "^[0-9]+$"},
                    "description": "How many items match.",
                }
        ok = {"description": "The items.", "content": _content(ctx.emit_types, body)}
        if headers:
            ok["headers"] = headers
        return {"200": ok}
    data = {"content": _content(ctx.emit_types, item)}
    if name == "read":
        out = {"200": {"description": "The item.", **data}}
        if default or sends_validators(action.func):
            validators = {**etag, **_LAST_MODIFIED}
            out["200"]["headers"] = validators
            out["304"] = {
                "description": "Not modified (If-None-Match, If-Modified-Since).",
                "headers": validators,
            }
        return out
    if default:
        if name == "create":
            created = {"description": "Created.", "headers": {**etag, **location}, **data}
            bulk = _bulk_limit(ctx, action)
            if bulk and item:  # a list body creates a list (bulk create), without Location
                many = {"type": "array", "items": item, "minItems": 1, "maxItems": bulk}
                created = {
                    "description": "Created: the item, or the items of a list body (no "
                    "Location then).",
                    "headers": {**etag, **location},
                    "content": _content(ctx.emit_types, {"oneOf": [item, many]}),
                }
            return {"201": created}
        if name == "update":
            return {
                "200": {"description": "Replaced.", "headers": etag, **data},
                "201": {
                    "description": "Created (If-None-Match: *).",
                    "headers": {**etag, **location},
                    **data,
                },
            }
        if name == "patch":
            return {"200": {"description": "Changed.", "headers": etag, **data}}
        return {"204": {"description": "Deleted."}}
    # A handler's own method may answer any of these, with a body or without (a 201 may
    # carry the new item or nothing): only a 200 surely has one. Its docstring, or its
    # class's ``openapi`` attribute, says more.
    ok = {"description": "Done.", **data}
    created = {"description": "Created.", "headers": location}
    none = {"description": "Done; no content."}
    if name in ("create", "update"):
        return {"200": ok, "201": created, "204": none}
    return {"200": ok, "204": none}


_LAST_MODIFIED = {
    "Last-Modified": {
        "schema": {"type": "string"},
        "description": "When the item last changed, where that is known (an HTTP-date).",
    }
}
RATE_LIMIT_HEADERS = {
    "RateLimit": {
        "schema": {"type": "string"},
        "description": "The quota left in this window: '\"<scope>\";r=<remaining>;t=<seconds>'.",
    },
    "RateLimit-Policy": {
        "schema": {"type": "string"},
        "description": "The quota policy (draft-ietf-httpapi-ratelimit-headers).",
    },
}
#: Names whose use in a handler's method means it answers preconditions itself or hands
#: the kernel validators to answer them with (a ``Result`` with ``etag`` or
#: ``last_modified``), so 304 and 412 can happen.
_VALIDATOR_NAMES = frozenset({"Preconditions", "conditional_write"})
_VALIDATOR_ARGS = frozenset({"etag", "last_modified"})


def sends_validators(func: Callable[..., Any] | None) -> bool:
    """Whether a handler's own method may answer 304/412: its source passes ``etag=`` or
    ``last_modified=`` (a :class:`camshaft.Result`'s validators), sets either attribute,
    or uses ``Preconditions``/``conditional_write``. Read statically, from the source
    (no source: False)."""
    if func is None or _is_default_func(func):
        return False
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    except (OSError, TypeError, SyntaxError):
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg in _VALIDATOR_ARGS:
            return True
        if isinstance(node, ast.Attribute) and (
            (node.attr in _VALIDATOR_ARGS and isinstance(node.ctx, ast.Store))
            or node.attr in _VALIDATOR_NAMES
        ):
            return True
        if isinstance(node, ast.Name) and node.id in _VALIDATOR_NAMES:
            return True
    return False


def _is_default_func(func: Callable[..., Any]) -> bool:
    return getattr(func, "__module__", None) == crud.__name__


def _merge(into: dict[str, Any], more: Mapping[str, Any]) -> None:
    """Deep-merge ``more`` into ``into``: mappings merge, anything else replaces."""
    for key, value in more.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = copy.deepcopy(value)


def _errors(
    ctx: Context, endpoint: Endpoint, method: str, *, body: bool, parsed: bool
) -> list[int]:
    cls = endpoint.handler
    wiring = ctx.app.wiring_for(endpoint)
    settings = ctx.app.settings
    statuses = {400, 404}
    schemes = wiring.schemes
    if asks_credentials(schemes):
        statuses.add(401)
    if wiring.authorize or getattr(cls, "permissions", None) is not None:
        statuses.add(403)
    # An unknown ?format= or an Accept that admits only problem documents: always.
    statuses.add(406)
    if body:
        statuses.add(413)
    if parsed:
        statuses.add(415)
    if wiring.throttle is not None:
        statuses.add(429)
    action = endpoint.actions[method]
    if not _is_default_crud(action) and sends_validators(action.func):
        statuses.add(412)
    if wiring.store is not None:
        if method in _WRITES or method == "DELETE":
            statuses.add(409)  # a delete a foreign key refuses is a conflict too
        if _is_default_crud(action) and method in ("PUT", "PATCH", "DELETE"):
            statuses.add(412)
            if settings["concurrency"]["require_if_match"]:
                statuses.add(428)
        if _is_default_crud(action) and method == "GET" and endpoint.kind == "item":
            statuses.add(412)  # If-Match / If-Unmodified-Since on a read
    return sorted(statuses)


def operation(
    ctx: Context,
    group: RouteGroup,
    endpoint: Endpoint,
    method: str,
    *,
    operation_id: str,
    version_header: list[dict[str, Any]],
) -> dict[str, Any]:
    """The Operation Object for ``method`` on ``endpoint``."""
    cls = endpoint.handler
    action = endpoint.actions[method]
    wiring = ctx.app.wiring_for(endpoint)
    model = ctx.app.model_for(cls)
    refs = ctx.model(cls, model) if model is not None else None
    resource = endpoint.path.strip("/").split("/")[0] or "/"
    doc = _doc(action.func)
    summary_default = _SUMMARIES.get((action.name, endpoint.kind), "{method} {path}").format(
        name=resource, method=method, path=endpoint.path
    )
    op: dict[str, Any] = {
        "operationId": operation_id,
        "tags": [resource],
        "summary": doc.split("\n", 1)[0].strip() if doc else summary_default,
    }
    if doc:
        op["description"] = doc
    if endpoint.deprecation_headers:
        op["deprecated"] = True

    op["parameters"] = _parameters(ctx, group, endpoint, method, model, refs, version_header)
    body = method in _WRITES
    if body:
        op["requestBody"] = _request_body(ctx, action, refs)
    responses = _success(ctx, endpoint, action, refs)
    throttle = wiring.throttle
    if throttle is not None and method in getattr(throttle, "limits", {}):
        for status, response in responses.items():
            if status.startswith(("2", "3")):
                response.setdefault("headers", {}).update(copy.deepcopy(RATE_LIMIT_HEADERS))
    for code in _errors(ctx, endpoint, method, body=body, parsed=body and action.wants_data):
        responses[str(code)] = {"$ref": f"#/components/responses/{ERROR_RESPONSES[code][0]}"}
    if not _is_default_crud(action):
        # A handler's own code may raise any camshaft.errors.HTTPError; the kernel renders
        # each as a problem document, which is all that can be promised about them.
        responses["default"] = {"$ref": "#/components/responses/Problem"}
    op["responses"] = responses

    security = _security(ctx, wiring, method)
    if security is not None:
        op["security"] = security
    # The handler's own words win: ``openapi = {"GET": {"responses": {...}}}``.
    extra_doc = getattr(cls, "openapi", None)
    if isinstance(extra_doc, Mapping) and isinstance(extra_doc.get(method), Mapping):
        _merge(op, extra_doc[method])
    return op


def _related_members(ctx: Context, cls: type[Handler]) -> dict[str, Any]:
    """The members relations add to the default CRUD's items: each relation's link, and
    each relation a client may embed."""
    out: dict[str, Any] = {}
    embeddable = relations.embedded_names(cls)
    for related in relations.relations_of(cls):
        if ctx.app.settings["shaping"]["links"]:
            out[related.link] = {
                "type": "string",
                "description": f"The URL of the {related.name} ({related.field} holds its key).",
            }
        if related.name in embeddable:
            model = ctx.app.model_for(related.handler)
            target: dict[str, Any] = (
                {"$ref": ctx.model(related.handler, model)["read"]}
                if model is not None
                else {"type": "object"}
            )
            out[related.name] = {
                "description": f"With ?embed={related.name}: the {related.name} as its own "
                "URL shows it; null when there is none or you may not see it.",
                "anyOf": [target, {"type": "null"}],
            }
    return out


def _parameters(
    ctx: Context,
    group: RouteGroup,
    endpoint: Endpoint,
    method: str,
    model: Any,
    refs: dict[str, str] | None,
    version_header: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Path, pagination, filter, ordering, selection, conditional, version and format
    parameters of one operation."""
    cls = endpoint.handler
    action = endpoint.actions[method]
    paginator = ctx.app.wiring_for(endpoint).paginator
    parameters = _path_parameters(group, endpoint)
    if method == "GET":
        if endpoint.kind == "collection" and paginator is not None:
            parameters += params.pagination_parameters(paginator, ctx.app.settings["pagination"])
        if endpoint.kind == "collection":
            parameters += params.filter_parameters(cls, model)
            for extra in (params.ordering_parameter(cls), params.search_parameter(cls)):
                if extra is not None:
                    parameters.append(extra)
        fields = getattr(cls, "fields", None)
        members: list[str] | None = None
        if fields is not None:
            members = [f[0] if isinstance(f, tuple) else f for f in fields]
        elif refs is not None:
            members = list(ctx.schemas[refs["read"].rsplit("/", 1)[1]]["properties"])
        parameters.append(params.selection_parameter(members))
        if _is_default_crud(action) and endpoint.kind in ("collection", "item"):
            embed = params.embed_parameter(relations.embedded_names(cls))
            if embed is not None:
                parameters.append(embed)
    if (_is_default_crud(action) and endpoint.kind == "item") or sends_validators(action.func):
        parameters += params.conditional_headers(
            method, require_if_match=ctx.app.settings["concurrency"]["require_if_match"]
        )
    parameters.extend(version_header)
    parameters.append(params.format_parameter(ctx.formats))
    return parameters


def _request_body(ctx: Context, action: Action, refs: dict[str, str] | None) -> dict[str, Any]:
    """The Request Body Object: the model's write (or patch) schema in every parsed
    media type, or raw bytes for a handler that reads the body itself."""
    if not action.wants_data:
        return {
            "required": False,
            "description": "Read as it comes, unparsed.",
            "content": {"*/*": {"schema": {}}},
        }
    schema: dict[str, Any] = {}
    if refs is not None:
        schema = {"$ref": refs["patch" if action.name == "patch" else "write"]}
    bulk = _bulk_limit(ctx, action)
    if bulk:  # the default create takes one object or a list of them (bulk create)
        many = {"type": "array", "items": schema, "minItems": 1, "maxItems": bulk}
        content = _content(ctx.parse_types, {"oneOf": [schema, many]})
        content.update(_content(ctx.list_parse_types, many))
    else:
        content = _content(ctx.parse_types, schema)
    if not bulk and _takes_list(action):
        content.update(_content(ctx.list_parse_types, {"type": "array", "items": schema}))
    form = _form_schema(ctx, schema)
    if form is not None:
        content.update(_content(sorted(FORM_TYPES), form))
    return {"required": refs is not None, "content": content}


def _bulk_limit(ctx: Context, action: Action) -> int:
    """``bulk.max_items`` for the default create (0: bulk create is off, or another
    action)."""
    if not (_is_default_crud(action) and action.name == "create"):
        return 0
    return int(ctx.app.settings["bulk"]["max_items"])


_LISTY = re.compile(r"\b(?:list|List|Sequence|MutableSequence|Iterable|tuple|Tuple)\b")


def _takes_list(action: Action) -> bool:
    """Whether the method takes a list body: a handler's own method whose ``data`` is
    annotated with a list type (``data: list[dict]``). The default CRUD takes objects."""
    if _is_default_crud(action):
        return False
    try:
        parameter = inspect.signature(action.func).parameters.get("data")
    except (TypeError, ValueError):
        return False
    if parameter is None or parameter.annotation is inspect.Parameter.empty:
        return False
    annotation = parameter.annotation
    text = annotation if isinstance(annotation, str) else repr(annotation)
    return bool(_LISTY.search(text))


_SCALARS = frozenset({"string", "integer", "number", "boolean"})


def _form_value(schema: Any) -> dict[str, Any] | None:
    """A member's schema as a form field can carry it (one text value: a string, number
    or boolean, never null), or None when a form cannot."""
    if not isinstance(schema, Mapping):
        return None
    out = {k: copy.deepcopy(v) for k, v in schema.items() if k not in ("readOnly", "default")}
    kind = out.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        if len(kinds) != 1:
            return None
        out["type"] = kind = kinds[0]
    if "enum" in out:
        out["enum"] = [v for v in out["enum"] if v is not None]
        if not out["enum"] or not all(isinstance(v, str | int | float) for v in out["enum"]):
            return None
        return out
    if kind not in _SCALARS or any(k in out for k in ("anyOf", "oneOf", "allOf", "$ref")):
        return None
    return out


def _form_schema(ctx: Context, schema: dict[str, Any]) -> dict[str, Any] | None:
    """The body schema as form fields (``application/x-www-form-urlencoded``,
    ``multipart/form-data``: every handler taking ``data`` accepts both), or None when a
    member the body needs cannot travel in a form (a nested object, a list, a null)."""
    ref = schema.get("$ref")
    if ref is None:
        return {"type": "object"}
    target = ctx.schemas.get(ref.rsplit("/", 1)[1], {})
    required = list(target.get("required", ()))
    members: dict[str, Any] = {}
    for name, member in target.get("properties", {}).items():
        value = _form_value(member)
        if value is None:
            if name in required:
                return None
            continue
        members[name] = value
    out: dict[str, Any] = {"type": "object", "properties": members, "additionalProperties": False}
    if required:
        out["required"] = required
    return out


def _security(ctx: Context, wiring: Wiring, method: str) -> list[dict[str, list[str]]] | None:
    """The operation's security requirements; records the schemes it names."""
    schemes = wiring.schemes
    anonymous = accepts_anonymous(schemes)
    if wiring.anonymous is not None and method in wiring.anonymous.actions:
        anonymous = True
    security = requirements(schemes, anonymous)
    if security is not None:
        for scheme in schemes:
            ctx.schemes.setdefault(scheme.name, scheme)
    return security
