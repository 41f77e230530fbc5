"""The adapter for standard-library dataclasses: type hints drive validation.

Supported hints: ``str``, ``int``, ``float``, ``bool``, ``Decimal``, ``datetime``,
``date``, ``UUID``, ``X | None`` / ``Optional[X]`` (and other unions, tried in order),
``list[X]``, ``tuple[X, ...]``, ``dict[str, X]``, ``Literal[...]``, ``Enum`` subclasses,
nested dataclasses, ``Annotated[X, ...]`` (the metadata is ignored) and ``Any``. A field
with a default (or ``default_factory``) is optional; ``field(metadata={"read_only":
True})`` marks a member the server sets (an id). ``__post_init__`` is not run: the
clean data is a dict, nested dataclasses too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from camshaft._kernel.models.hints import ObjectConv, object_conv
from camshaft._kernel.models.protocol import (
    ModelAdapter,
    ModelField,
    require_object,
    schema_type,
)
from camshaft.errors import FieldError, ValidationError

__all__ = ["ADAPTER", "DataclassModel"]


class DataclassModel:
    """A dataclass as an :class:`~camshaft._kernel.models.protocol.AdaptedModel`.

    :raises ConfigurationError: a field's type hint is not supported.
    """

    __slots__ = ("_conv", "by_name", "fields", "model", "name")

    def __init__(self, model: type) -> None:
        self.model = model
        self.name = model.__name__
        self._conv: ObjectConv = object_conv(model, {})
        schema, _ = self.json_schema("#/$defs/{model}")
        required = set(schema.get("required", ()))
        self.fields = tuple(
            ModelField(m.name, schema_type(sub), m.read_only, m.name in required, sub)
            for m in self._conv.members.values()
            for sub in [schema["properties"][m.name]]
        )
        self.by_name = {f.name: f for f in self.fields}

    def validate(
        self, data: Any, *, partial: bool = False, allow: Iterable[str] = ()
    ) -> dict[str, Any]:
        clean, errors = self._conv.check(
            require_object(data), partial=partial, allow=frozenset(allow)
        )
        if errors:
            raise ValidationError([FieldError(p, d) for p, d in errors])
        return clean

    def convert_text(self, name: str, text: str) -> Any:
        return self._conv.members[name].conv.clean(text)

    def json_schema(self, ref_template: str) -> tuple[dict[str, Any], dict[str, Any]]:
        defs: dict[str, Any] = {self.name: {}}  # the model itself is inline, not a $ref
        schema = self._conv.object_schema(ref_template, defs)
        del defs[self.name]
        return schema, defs


def _matches(model: Any) -> bool:
    return isinstance(model, type) and dataclasses.is_dataclass(model)


ADAPTER = ModelAdapter("dataclass", _matches, DataclassModel)
