"""Query and header parameters: pagination, filters, ordering, search, sparse fields, format,
version and conditional-request headers."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from camshaft._kernel.models.protocol import AdaptedModel
from camshaft._kernel.pagination import Paginator
from camshaft._kernel.stores.base import FILTER_OPERATORS, MAX_SEARCH_LENGTH
from camshaft._kernel.stores.relations import EMBED_PARAMETER
from camshaft._kernel.stores.search import (
    SEARCH_PARAMETER,
    SEARCH_PATTERN,
    is_text_field,
    search_fields,
)

__all__ = [
    "conditional_headers",
    "embed_parameter",
    "filter_parameters",
    "format_parameter",
    "ordering_parameter",
    "pagination_parameters",
    "search_parameter",
    "selection_parameter",
    "version_header",
]


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def pagination_parameters(paginator: Paginator, options: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The query parameters ``paginator`` reads, typed for the builtin styles."""
    most = options["max_per_page"]
    # A too-large size is a 400 without clamping; with clamping (the default) it is
    # accepted and served as the maximum, so the schema may not refuse it.
    sizes = {"type": "integer", "minimum": 1, "default": options["per_page"]}
    if not options["clamp"]:
        sizes["maximum"] = most
    known: dict[str, tuple[dict[str, Any], str]] = {
        "page": ({"type": "integer", "minimum": 1, "default": 1}, "Page number, from 1."),
        "per_page": (sizes, f"Items per page (at most {most}; more is served as {most})."),
        "offset": ({"type": "integer", "minimum": 0, "default": 0}, "Items to skip."),
        "limit": (sizes, f"Items to return (at most {most}; more is served as {most})."),
    }
    out = []
    for name in paginator.parameters:
        schema, text = known.get(
            name, ({"type": "string"}, f"Read by the {paginator.name!r} paginator.")
        )
        out.append(_query(name, dict(schema), text))
    return out


def _operator_schema(model: AdaptedModel | None, name: str, op: str) -> dict[str, Any]:
    f = model.by_name.get(name) if model is not None else None
    if op == "isnull":
        return {"type": "boolean"}
    if op in ("in", "contains") or f is None:
        return {"type": "string"}
    schema = dict(f.schema)
    for key in ("readOnly", "default", "title", "description"):
        schema.pop(key, None)
    # A query string carries no null.
    if isinstance(schema.get("type"), list):
        schema["type"] = schema["type"][0]
    if "enum" in schema:
        schema["enum"] = [c for c in schema["enum"] if c is not None]
    return schema


def filter_parameters(handler: type, model: AdaptedModel | None) -> list[dict[str, Any]]:
    """``<field>`` and ``<field>__<op>`` for every field in the handler's ``filters``."""
    out = []
    for name in tuple(getattr(handler, "filters", ()) or ()):
        out.append(
            _query(
                name, _operator_schema(model, name, "eq"), f"Only items whose {name} equals this."
            )
        )
        for op in sorted(FILTER_OPERATORS - {"eq"}):
            if op == "contains" and not is_text_field(model, name):
                continue  # the server refuses it (400) on numbers, dates, booleans
            text = {
                "in": f"Only items whose {name} is one of these (comma-separated).",
                "contains": f"Only items whose {name} contains this text.",
                "isnull": f"Only items whose {name} is (true) or is not (false) null.",
            }.get(op, f"Only items whose {name} is {op} this.")
            out.append(_query(f"{name}__{op}", _operator_schema(model, name, op), text))
    return out


def ordering_parameter(handler: type) -> dict[str, Any] | None:
    """``order``: comma-separated names from the handler's ``ordering``, ``-`` for
    descending; None when the handler allows no ordering."""
    allowed = tuple(getattr(handler, "ordering", ()) or ())
    if not allowed:
        return None
    one = "-?(?:" + "|".join(re.escape(n) for n in allowed) + ")"
    return _query(
        "order",
        {"type": "string", "pattern": f"^{one}(?:,{one})*$"},
        f"Sort by these fields, '-' first for descending; allowed: {', '.join(allowed)}.",
    )


def search_parameter(handler: type) -> dict[str, Any] | None:
    """``search``: terms looked for in the handler's ``search`` members; None when it
    declares none."""
    fields = search_fields(handler)
    if not fields:
        return None
    return _query(
        SEARCH_PARAMETER,
        {"type": "string", "maxLength": MAX_SEARCH_LENGTH, "pattern": SEARCH_PATTERN},
        "Only items where every term (white-space separated) is found, ignoring case, in "
        f"one of: {', '.join(fields)}.",
    )


def embed_parameter(names: Sequence[str]) -> dict[str, Any] | None:
    """``embed``: relations to embed, comma-separated; None when none may be."""
    if not names:
        return None
    one = "(?:" + "|".join(re.escape(n) for n in names) + ")"
    return _query(
        EMBED_PARAMETER,
        {"type": "string", "pattern": f"^{one}(?:,{one})*$"},
        f"Related items to include, comma-separated: {', '.join(names)}.",
    )


_NAME = r"[^\x00-\x20\x7f,.]+(?:\.[^\x00-\x20\x7f,.]+)*"
_SELECTION = f"^{_NAME}(?:,{_NAME})*$"


def selection_parameter(members: Sequence[str] | None) -> dict[str, Any]:
    """``fields``: the members to return (sparse fieldsets), comma-separated."""
    # Dotted names (``author.name``), comma-separated; an empty name or segment is a 400.
    schema: dict[str, Any] = {"type": "string", "pattern": _SELECTION}
    if members:
        one = "(?:" + "|".join(re.escape(n) for n in members) + ")"
        schema["pattern"] = f"^{one}(?:,{one})*$"
    return _query("fields", schema, "Only these members of each item, comma-separated.")


def format_parameter(formats: Sequence[str]) -> dict[str, Any]:
    """``format``: the response format by name, over the Accept header."""
    return _query(
        "format",
        {"type": "string", "enum": list(formats)},
        "The response format, instead of the Accept header.",
    )


def _version_schema(versions: Sequence[str], strict: bool) -> tuple[dict[str, Any], str]:
    """Under ``versioning.strict`` only the versions that exist (another is a 404);
    otherwise any value, the versions that exist as its examples (another value, like
    none, gets the default version)."""
    if strict:
        return {"type": "string", "enum": list(versions)}, (
            "The API version to serve; the default when absent (another is a 404)."
        )
    return {"type": "string", "examples": list(versions)}, (
        f"The API version to serve ({', '.join(versions)}); the default when absent or "
        "when no such version exists."
    )


def version_query(name: str, versions: Sequence[str], strict: bool = False) -> dict[str, Any]:
    """The query parameter choosing an API version (the ``query`` strategy)."""
    schema, text = _version_schema(versions, strict)
    return _query(name, schema, text)


def version_header(name: str, versions: Sequence[str], strict: bool = False) -> dict[str, Any]:
    """The header choosing an API version."""
    schema, text = _version_schema(versions, strict)
    return {"name": name, "in": "header", "required": False, "schema": schema, "description": text}


_TAG_LIST = r'^(\*|(W/)?"[^"]*"(\s*,\s*(W/)?"[^"]*")*)$'
_DATE = "An HTTP-date (Sun, 06 Nov 1994 08:49:37 GMT); a value that is not one is ignored."


def conditional_headers(method: str, *, require_if_match: bool) -> list[dict[str, Any]]:
    """The preconditions of RFC 9110 §13 on store-backed items: If-Match, If-None-Match
    (``*`` or quoted entity tags; anything else is a 400), If-Modified-Since on reads and
    If-Unmodified-Since."""
    tags = {"type": "string", "pattern": _TAG_LIST}
    write = method in ("PUT", "PATCH", "DELETE")
    out = [
        {
            "name": "If-Match",
            "in": "header",
            "required": require_if_match and write,
            "schema": tags,
            "description": "'*' or entity tags: go on only if the item exists and its current "
            "version is one of these (412 otherwise; any representation's ETag will do).",
        },
        {
            "name": "If-None-Match",
            "in": "header",
            "required": False,
            "schema": tags,
            "description": "Answer 304 if the representation is one of these."
            if not write
            else "Go on only if the item's version is none of these (412 otherwise); "
            + ("'*': create only, never replace." if method == "PUT" else "'*': never."),
        },
        {
            "name": "If-Unmodified-Since",
            "in": "header",
            "required": False,
            "schema": {"type": "string"},
            "description": "Go on only if the item has not changed since (412). " + _DATE,
        },
    ]
    if not write:
        out.append(
            {
                "name": "If-Modified-Since",
                "in": "header",
                "required": False,
                "schema": {"type": "string"},
                "description": "Answer 304 unless the item changed since. " + _DATE,
            }
        )
    return out
