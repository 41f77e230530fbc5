"""Type hints as validators and JSON Schemas, for the dataclass adapter.

:func:`compile_hint` turns a hint (``int``, ``str | None``, ``list[Tag]``,
``Literal["a", "b"]``, a nested dataclass, ...) into a :class:`Conv` once, when the app
is built; validating a body then calls plain functions. Scalars are converted by the
builtin model's field types, so a dataclass and a ``Model`` accept the same input.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import types
import typing
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from camshaft.errors import ConfigurationError
from camshaft.models.fields import (
    BooleanField,
    DateField,
    DateTimeField,
    DecimalField,
    Field,
    FloatField,
    IntegerField,
    Invalid,
    StringField,
    UUIDField,
    json_value,
)

__all__ = ["Conv", "ObjectConv", "compile_hint"]

#: Schema definitions gathered while describing a model: name -> JSON Schema.
Defs = dict[str, Any]


class Conv:
    """A compiled hint: ``clean(value)`` converts or raises ValueError (:class:`Invalid`
    for problems inside), ``schema(ref_template, defs)`` describes it."""

    __slots__ = ("clean", "describe", "nullable")

    def __init__(
        self,
        clean: Callable[[Any], Any],
        describe: Callable[[str, Defs], dict[str, Any]],
        nullable: bool = False,
    ) -> None:
        self.clean = clean
        self.describe = describe
        self.nullable = nullable

    def schema(self, ref_template: str, defs: Defs) -> dict[str, Any]:
        return self.describe(ref_template, defs)


def _scalar(f: Field) -> Conv:
    schema = f.value_schema()
    return Conv(f.convert, lambda _t, _d: dict(schema))


def _any(value: Any) -> Any:
    return value


_SCALARS: dict[Any, Field] = {
    bool: BooleanField("value"),
    int: IntegerField("value"),
    float: FloatField("value"),
    str: StringField("value"),
    decimal.Decimal: DecimalField("value"),
    datetime.datetime: DateTimeField("value"),
    datetime.date: DateField("value"),
    uuid.UUID: UUIDField("value"),
}


def _none(value: Any) -> Any:
    if value is not None:
        raise ValueError("must be null")
    return None


def compile_hint(hint: Any, owner: str, seen: dict[type, ObjectConv]) -> Conv:
    """The :class:`Conv` for ``hint``.

    :param owner: what to name in an error (``"Post.tags"``).
    :param seen: dataclasses compiled so far (a dataclass may refer to itself).
    :raises ConfigurationError: a hint this adapter does not know.
    """
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Annotated:
        return compile_hint(args[0], owner, seen)
    if hint is Any or hint is object:
        return Conv(_any, lambda _t, _d: {})
    if hint is None or hint is type(None):
        return Conv(_none, lambda _t, _d: {"type": "null"}, nullable=True)
    if hint in _SCALARS:
        return _scalar(_SCALARS[hint])
    if origin is typing.Literal:
        return _literal(args)
    if origin is typing.Union or origin is types.UnionType:
        return _union([compile_hint(a, owner, seen) for a in args])
    if origin in (list, tuple, set, frozenset) or hint in (list, tuple):
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis) and args:
            raise ConfigurationError(f"{owner}: only tuple[X, ...] is supported, not {hint!r}")
        return _list(compile_hint(args[0], owner, seen) if args else Conv(_any, lambda *_: {}))
    if origin in (dict, Mapping) or hint is dict:
        if args and args[0] is not str:
            raise ConfigurationError(f"{owner}: object keys must be str, not {args[0]!r}")
        return _dict(compile_hint(args[1], owner, seen) if args else Conv(_any, lambda *_: {}))
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return _literal(tuple(m.value for m in hint), hint)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return object_conv(hint, seen)
    raise ConfigurationError(f"{owner}: the type {hint!r} is not supported by the dataclass model")


def _literal(values: tuple[Any, ...], enum_type: type[enum.Enum] | None = None) -> Conv:
    shown = ", ".join(map(repr, values))

    def clean(value: Any) -> Any:
        # bool is an int: True must not pass for 1, nor 1 for True.
        for choice in values:
            if value == choice and type(value) is type(choice):
                return enum_type(choice) if enum_type is not None else choice
        raise ValueError(f"must be one of {shown}")

    def describe(_t: str, _d: Defs) -> dict[str, Any]:
        return {"enum": [v for v in values if json_value(v)]}

    return Conv(clean, describe)


def _union(options: list[Conv]) -> Conv:
    nullable = any(o.nullable for o in options)
    real = [o for o in options if not (o.nullable and o.clean is _none)]

    def clean(value: Any) -> Any:
        if value is None and nullable:
            return None
        reasons = []
        for option in real:
            try:
                return option.clean(value)
            except ValueError as exc:
                reasons.append(str(exc))
        if len(real) == 1 and reasons:
            # One type (Optional[X]): its own reason, with pointers inside if any.
            return real[0].clean(value)
        raise ValueError(" or ".join(dict.fromkeys(reasons)) or "may not be null")

    def describe(t: str, d: Defs) -> dict[str, Any]:
        schemas = [o.schema(t, d) for o in real]
        if nullable:
            schemas.append({"type": "null"})
        if len(schemas) == 1:
            return schemas[0]
        kinds = [s.get("type") for s in schemas]
        if all(isinstance(k, str) and len(s) == 1 for k, s in zip(kinds, schemas, strict=True)):
            return {"type": kinds}
        if nullable and len(schemas) == 2 and isinstance(schemas[0].get("type"), str):
            return {**schemas[0], "type": [schemas[0]["type"], "null"]}
        return {"anyOf": schemas}

    return Conv(clean, describe, nullable=nullable)


def _list(item: Conv) -> Conv:
    def clean(value: Any) -> Any:
        if not isinstance(value, list | tuple):
            raise ValueError("must be a list")
        out: list[Any] = []
        errors: list[tuple[str, str]] = []
        for i, v in enumerate(value):
            try:
                out.append(item.clean(v))
            except Invalid as exc:
                errors.extend((f"/{i}{p}", d) for p, d in exc.errors)
            except ValueError as exc:
                errors.append((f"/{i}", str(exc)))
        if errors:
            raise Invalid(errors)
        return out

    return Conv(clean, lambda t, d: {"type": "array", "items": item.schema(t, d)})


def _dict(item: Conv) -> Conv:
    def clean(value: Any) -> Any:
        if not isinstance(value, Mapping):
            raise ValueError("must be an object")
        out: dict[str, Any] = {}
        errors: list[tuple[str, str]] = []
        for k, v in value.items():
            try:
                out[k] = item.clean(v)
            except Invalid as exc:
                errors.extend((_step(k) + p, d) for p, d in exc.errors)
            except ValueError as exc:
                errors.append((_step(k), str(exc)))
        if errors:
            raise Invalid(errors)
        return out

    return Conv(clean, lambda t, d: {"type": "object", "additionalProperties": item.schema(t, d)})


def _step(name: str) -> str:
    return "/" + str(name).replace("~", "~0").replace("/", "~1")


@dataclasses.dataclass(slots=True)
class Member:
    """One dataclass field, compiled."""

    name: str
    conv: Conv
    required: bool
    read_only: bool
    default: Callable[[], Any] | None


class ObjectConv(Conv):
    """A dataclass as an object: its members checked, its schema a named definition."""

    __slots__ = ("members", "model")

    def __init__(self, model: type) -> None:
        self.model = model
        self.members: dict[str, Member] = {}
        super().__init__(self._clean_nested, self._describe)

    def check(
        self, data: Mapping[str, Any], *, partial: bool, allow: frozenset[str]
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """``data`` checked: the clean dict and ``(pointer, detail)`` problems."""
        clean: dict[str, Any] = {}
        errors: list[tuple[str, str]] = []
        for name, value in data.items():
            m = self.members.get(name)
            if m is None:
                errors.append((_step(name), "is not a field of this resource"))
            elif m.read_only and name not in allow:
                errors.append((_step(name), "is read-only"))
            elif value is None and not m.conv.nullable:
                errors.append((_step(name), "may not be null"))
            else:
                try:
                    clean[name] = m.conv.clean(value)
                except Invalid as exc:
                    errors.extend((_step(name) + p, d) for p, d in exc.errors)
                except ValueError as exc:
                    errors.append((_step(name), str(exc)))
        if not partial:
            for m in self.members.values():
                if m.read_only or m.name in data:
                    continue
                if m.required:
                    errors.append((_step(m.name), "is required"))
                elif m.default is not None:
                    clean[m.name] = m.default()
        return clean, errors

    def _clean_nested(self, value: Any) -> Any:
        if not isinstance(value, Mapping):
            raise ValueError("must be an object")
        clean, errors = self.check(value, partial=False, allow=frozenset())
        if errors:
            raise Invalid(errors)
        return clean

    def _describe(self, ref_template: str, defs: Defs) -> dict[str, Any]:
        name = self.model.__name__
        if name not in defs:
            defs[name] = {}  # claimed first: a dataclass may refer to itself
            defs[name] = self.object_schema(ref_template, defs)
        return {"$ref": ref_template.format(model=name)}

    def object_schema(self, ref_template: str, defs: Defs) -> dict[str, Any]:
        properties = {}
        for m in self.members.values():
            schema = m.conv.schema(ref_template, defs)
            if m.read_only:
                schema = {**schema, "readOnly": True}
            if m.default is not None and not m.read_only:
                value = m.default()
                if json_value(value):
                    schema = {**schema, "default": value}
            properties[m.name] = schema
        schema = {
            "type": "object",
            "title": self.model.__name__,
            "properties": properties,
            "additionalProperties": False,
        }
        required = [m.name for m in self.members.values() if m.required and not m.read_only]
        if required:
            schema["required"] = required
        return schema


def object_conv(model: type, seen: dict[type, ObjectConv]) -> ObjectConv:
    """The compiled dataclass ``model`` (once per class, even when it refers to itself).

    :raises ConfigurationError: a field's hint is not supported or cannot be resolved.
    """
    known = seen.get(model)
    if known is not None:
        return known
    conv = seen[model] = ObjectConv(model)
    try:
        # The class itself is in scope: a dataclass may refer to itself by name.
        hints = typing.get_type_hints(model, localns={model.__name__: model}, include_extras=True)
    except (NameError, TypeError) as exc:
        raise ConfigurationError(f"{model.__name__}: cannot resolve its type hints: {exc}") from exc
    for f in dataclasses.fields(model):
        if not f.init or f.name.startswith("_"):
            continue
        default: Callable[[], Any] | None = None
        if f.default is not dataclasses.MISSING:
            value = f.default
            default = None if value is None else (lambda v=value: v)
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        conv.members[f.name] = Member(
            f.name,
            compile_hint(hints[f.name], f"{model.__name__}.{f.name}", seen),
            required,
            bool(f.metadata.get("read_only")),
            default,
        )
    return conv
