"""The adapter for the builtin :class:`camshaft.models.Model`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from camshaft._kernel.models.protocol import ModelAdapter, ModelField, schema_type
from camshaft.models import Model

__all__ = ["ADAPTER", "NativeModel"]


class NativeModel:
    """A :class:`~camshaft.models.Model` subclass as an
    :class:`~camshaft._kernel.models.protocol.AdaptedModel`."""

    __slots__ = ("by_name", "fields", "model", "name")

    def __init__(self, model: type[Model]) -> None:
        self.model = model
        self.name = model.__name__
        self.fields = tuple(
            ModelField(f.name, schema_type(s), f.read_only, f.required, s)
            for f in model.fields
            for s in [f.schema()]
        )
        self.by_name = {f.name: f for f in self.fields}

    def validate(
        self, data: Any, *, partial: bool = False, allow: Iterable[str] = ()
    ) -> dict[str, Any]:
        return self.model.validate(data, partial=partial, allow=allow)

    def convert_text(self, name: str, text: str) -> Any:
        return self.model.convert_text(name, text)

    def json_schema(self, ref_template: str) -> tuple[dict[str, Any], dict[str, Any]]:
        return self.model.json_schema(), {}


def _matches(model: Any) -> bool:
    return isinstance(model, type) and issubclass(model, Model)


ADAPTER = ModelAdapter("camshaft", _matches, NativeModel)
