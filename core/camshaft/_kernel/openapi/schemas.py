"""JSON Schemas (OpenAPI 3.1 dialect): models, problem documents, path parameters.

Everything here is pure: it takes handler classes, models and patterns, and returns
plain dicts; nothing is cached or registered.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from camshaft._kernel.models.protocol import AdaptedModel
from camshaft.models import Field

__all__ = [
    "FIELD_ERROR_SCHEMA",
    "PROBLEM_SCHEMA",
    "anchored",
    "field_schema",
    "model_schemas",
    "rule_parameter_schema",
]

#: One member of a validation problem's ``errors`` (RFC 9457 §3, JSON Pointer).
FIELD_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"pointer": {"type": "string"}, "detail": {"type": "string"}},
    "required": ["pointer", "detail"],
}

#: RFC 9457 problem details, as :meth:`camshaft.errors.HTTPError.to_problem` writes them.
#: ``instance`` is the request path as received, which need not be a valid URI, so it
#: carries no ``format``; extension members are allowed.
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string", "description": "URI reference naming the problem type."},
        "title": {"type": "string", "description": "Short summary of the problem type."},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string", "description": "What went wrong this time."},
        "instance": {"type": "string", "description": "The request path."},
        "errors": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/FieldError"},
            "description": "Every invalid member of the request body (400 only).",
        },
    },
    "required": ["type", "title", "status"],
}


def anchored(pattern: str) -> str:
    """A Python full-match pattern as a JSON Schema ``pattern`` (which searches)."""
    return f"^(?:{pattern})$"


def field_schema(f: Field) -> dict[str, Any]:
    """The schema of one builtin model field's value as emitted (and sent, when writable)."""
    return f.schema()


def _names(spec: Iterable[Any]) -> list[str]:
    """Top-level member names of a handler's ``fields`` spec (names or ``(name, sub)``)."""
    out = []
    for item in spec:
        name = item[0] if isinstance(item, tuple) and item else item
        if isinstance(name, str):
            out.append(name)
    return out


def model_schemas(
    model: AdaptedModel,
    *,
    fields: Iterable[Any] | None = None,
    exclude: Iterable[Any] = (),
    ref_template: str = "#/components/schemas/{model}",
) -> dict[str, dict[str, Any]]:
    """The schemas a model gives: ``read`` (what responses carry), ``write`` (a create or
    replace body), ``patch`` (a partial update body) and ``definitions`` (the named
    schemas those refer to, such as nested models), all from the model's own JSON Schema
    (so a library's constraints, such as ``maxLength``, appear).

    Responses may be sparse (``?fields=``), so ``read`` requires nothing; a handler's
    ``fields`` limit its members and string names in ``exclude`` remove some. Bodies
    list the writable members (not ``readOnly``), ``write`` requires the required ones,
    and both refuse unknown members as every adapter does.
    """
    schema, definitions = model.json_schema(ref_template)
    members: dict[str, Any] = dict(schema.get("properties", {}))
    read: dict[str, Any] = dict(members)
    if fields is not None:
        wanted = _names(fields)
        read = {n: read.get(n, {}) for n in wanted}
    patterns = [p for p in exclude if isinstance(p, re.Pattern)]
    for name in [e for e in exclude if isinstance(e, str)] + [
        n for n in read for p in patterns if p.search(n)
    ]:
        read.pop(name, None)
    writable = {n: s for n, s in members.items() if not s.get("readOnly")}
    required = [n for n in schema.get("required", ()) if n in writable]
    write: dict[str, Any] = {
        "type": "object",
        "properties": writable,
        "additionalProperties": False,
    }
    if required:
        write["required"] = required
    return {
        "read": {"type": "object", "properties": read},
        "write": write,
        "patch": {"type": "object", "properties": writable, "additionalProperties": False},
        "definitions": definitions,
    }


_CONVERTERS: Mapping[str, dict[str, Any]] = {
    "int": {"type": "integer", "minimum": 0},
    "float": {"type": "number", "minimum": 0},
    "uuid": {"type": "string", "format": "uuid"},
    "path": {"type": "string", "minLength": 1},
    "any": {"type": "string"},
}


def rule_parameter_schema(converter: str | None) -> dict[str, Any]:
    """The schema of a Werkzeug rule parameter (``<int:id>``); the default converter
    takes one non-empty segment without ``/``."""
    if converter is not None and converter in _CONVERTERS:
        return dict(_CONVERTERS[converter])
    return {"type": "string", "pattern": "^[^/]+$"}
