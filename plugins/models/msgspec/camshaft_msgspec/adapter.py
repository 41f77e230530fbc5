"""The adapter: a ``msgspec.Struct`` subclass as a :class:`camshaft.plugin.AdaptedModel`."""

from __future__ import annotations

import datetime
import decimal
import re
import uuid
from collections.abc import Iterable
from typing import Any

import msgspec

from camshaft.errors import ConfigurationError, FieldError
from camshaft.plugin import (
    ModelAdapter,
    fields_from_schema,
    json_pointer,
    raise_if,
    require_object,
    screen_members,
    writable_body,
)

__all__ = ["ADAPTER", "StructModel"]

# Python values a store keeps as they are (the emitters write them as strings).
_KEPT = (datetime.datetime, datetime.date, datetime.time, uuid.UUID, decimal.Decimal)

# msgspec's messages end with " - at `$.tags[1].name`" (or `$...["odd key"]`).
_AT = re.compile(r" - at `\$(?P<path>.*)`$")
_MISSING = re.compile(r"Object missing required field `(.+)`")
_STEP = re.compile(
    r"\.(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|\[(?P<index>\d+)\]"
    r"|\[(?P<key>\"(?:[^\"\\]|\\.)*\")\]"
)


def _problem(exc: msgspec.ValidationError, prefix: tuple[str | int, ...]) -> FieldError:
    """msgspec's one message as a pointer and a detail."""
    text = str(exc)
    m = _AT.search(text)
    path: list[str | int] = list(prefix)
    if m is not None:
        text = text[: m.start()]
        for step in _STEP.finditer(m["path"]):
            if step["name"] is not None:
                path.append(step["name"])
            elif step["index"] is not None:
                path.append(int(step["index"]))
            else:
                path.append(msgspec.json.decode(step["key"]))
    missing = _MISSING.fullmatch(text)
    if missing is not None:  # point at the member, as the other adapters do
        path.append(missing[1])
        text = "is required"
    return FieldError(json_pointer(path), text)


class StructModel:
    """A Struct, converted and described by msgspec. Members are named as encoded
    (``rename`` applies).

    :raises ConfigurationError: a read-only member has no default.
    """

    __slots__ = ("_drop_types", "_read_only", "_types", "by_name", "fields", "model", "name")

    def __init__(self, model: type[msgspec.Struct]) -> None:
        self.model = model
        self.name = model.__name__
        schema, _ = self.json_schema("#/$defs/{model}")
        self.fields = fields_from_schema(schema)
        self.by_name = {f.name: f for f in self.fields}
        infos = {info.encode_name: info for info in msgspec.structs.fields(model)}
        self._types = {name: info.type for name, info in infos.items()}
        self._read_only = frozenset(f.name for f in self.fields if f.read_only)
        for member in self._read_only:
            if infos[member].required:
                raise ConfigurationError(
                    f"{self.name}.{member} is read-only but has no default; give it one "
                    "(such as None), or a create could never be valid"
                )

    def validate(
        self, data: Any, *, partial: bool = False, allow: Iterable[str] = ()
    ) -> dict[str, Any]:
        data = require_object(data)
        allowed = frozenset(allow)
        errors = screen_members(data, self.by_name, allowed)
        body = writable_body(data, self.by_name, allowed)
        clean: dict[str, Any] = {}
        if partial:
            for member, value in body.items():
                try:
                    converted = msgspec.convert(value, self._types[member], strict=False)
                except msgspec.ValidationError as exc:
                    errors.append(_problem(exc, (member,)))
                else:
                    clean[member] = msgspec.to_builtins(converted, builtin_types=_KEPT)
        else:
            try:
                obj = msgspec.convert(body, self.model, strict=False)
            except msgspec.ValidationError as exc:
                errors.append(_problem(exc, ()))
            else:
                out = msgspec.to_builtins(obj, builtin_types=_KEPT)
                clean = {k: v for k, v in out.items() if k not in self._read_only - allowed}
        raise_if(errors)
        return clean

    def convert_text(self, name: str, text: str) -> Any:
        try:
            return msgspec.convert(text, self._types[name], strict=False)
        except msgspec.ValidationError as exc:
            raise ValueError(_problem(exc, ())["detail"].lower()) from None

    def json_schema(self, ref_template: str) -> tuple[dict[str, Any], dict[str, Any]]:
        prefix = ref_template.split("{model}", 1)[0]
        (ref,), components = msgspec.json.schema_components(
            (self.model,), ref_template=ref_template.replace("{model}", "{name}")
        )
        own = ref["$ref"][len(prefix) :]
        schema = components.pop(own)
        return schema, components


def _matches(model: Any) -> bool:
    return isinstance(model, type) and issubclass(model, msgspec.Struct)


ADAPTER = ModelAdapter("msgspec", _matches, StructModel)
