"""The adapter: a ``BaseModel`` subclass as a :class:`camshaft.plugin.AdaptedModel`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, cast

import pydantic
from pydantic import BaseModel, TypeAdapter

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

__all__ = ["ADAPTER", "PydanticModel"]


def _errors(exc: pydantic.ValidationError, prefix: tuple[str | int, ...] = ()) -> list[FieldError]:
    return [
        FieldError(json_pointer([*prefix, *e["loc"]]), e["msg"])
        for e in exc.errors(include_url=False, include_input=False)
    ]


class PydanticModel:
    """A pydantic model, validated and described by pydantic.

    Members are named as clients send them (by alias when a field has one).

    :raises ConfigurationError: a read-only member has no default (a create could never
        fill it).
    """

    __slots__ = ("_names", "_read_only", "_text", "by_name", "fields", "model", "name")

    def __init__(self, model: type[BaseModel]) -> None:
        self.model = model
        self.name = model.__name__
        schema, _ = self.json_schema("#/$defs/{model}")
        self.fields = fields_from_schema(schema)
        self.by_name = {f.name: f for f in self.fields}
        # Member name as sent (alias) -> attribute name.
        self._names = {(info.alias or name): name for name, info in model.model_fields.items()}
        self._read_only = frozenset(f.name for f in self.fields if f.read_only)
        for member in self._read_only:
            if model.model_fields[self._names[member]].is_required():
                raise ConfigurationError(
                    f"{self.name}.{member} is read-only but has no default; give it one "
                    "(such as None), or a create could never be valid"
                )
        self._text: dict[str, TypeAdapter[Any]] = {}

    def validate(
        self, data: Any, *, partial: bool = False, allow: Iterable[str] = ()
    ) -> dict[str, Any]:
        data = require_object(data)
        allowed = frozenset(allow)
        errors = screen_members(data, self.by_name, allowed)
        body = writable_body(data, self.by_name, allowed)
        drop = self._read_only - allowed
        if partial:
            clean = self._each(body, errors)
        else:
            clean = {}
            try:
                obj = self.model.__pydantic_validator__.validate_python(body)
            except pydantic.ValidationError as exc:
                errors.extend(_errors(exc))
            else:
                clean = obj.model_dump(by_alias=True, exclude=drop or None)
        raise_if(errors)
        return clean

    def _each(self, body: dict[str, Any], errors: list[FieldError]) -> dict[str, Any]:
        """A patch: each member sent validated alone (its field validators run too)."""
        clean = {}
        validator = self.model.__pydantic_validator__
        for member, value in body.items():
            attr = self._names[member]
            try:
                # A model's validator answers the model it assigned to.
                obj = cast(
                    BaseModel,
                    validator.validate_assignment(self.model.model_construct(), attr, value),
                )
            except pydantic.ValidationError as exc:
                errors.extend(_errors(exc))
                continue
            dumped = obj.model_dump(by_alias=True, include={attr})
            clean[member] = dumped[member]
        return clean

    def convert_text(self, name: str, text: str) -> Any:
        adapter = self._text.get(name)
        if adapter is None:
            info = self.model.model_fields[self._names[name]]
            annotated: Any = Annotated[info.annotation, info]  # built at run time
            adapter = self._text[name] = TypeAdapter(annotated)
        try:
            return adapter.validate_strings(text)
        except pydantic.ValidationError as exc:
            raise ValueError(exc.errors(include_url=False)[0]["msg"].lower()) from None

    def json_schema(self, ref_template: str) -> tuple[dict[str, Any], dict[str, Any]]:
        schema = self.model.model_json_schema(ref_template=ref_template, mode="validation")
        definitions = schema.pop("$defs", {})
        return schema, definitions


def _matches(model: Any) -> bool:
    return isinstance(model, type) and issubclass(model, BaseModel)


ADAPTER = ModelAdapter("pydantic", _matches, PydanticModel)
