"""Compound field types: a nested object (another :class:`Model`) and a list."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from camshaft.models.fields import Field, Invalid
from camshaft.models.model import Model, check_object

__all__ = ["ListField", "ObjectField"]


class ObjectField(Field):
    """A nested object validated by another :class:`Model` (all its rules apply inside;
    problems are pointed at as ``/address/city``)."""

    __slots__ = ("model",)
    type_name = "object"

    def __init__(self, name: str, model: type[Model], **kw: Any) -> None:
        super().__init__(name, **kw)
        self.model = model

    def convert(self, value: Any) -> Any:
        if not isinstance(value, Mapping):
            raise ValueError("must be an object")
        clean, errors = check_object(self.model.fields, self.model.by_name, value, partial=False)
        if errors:
            raise Invalid(errors)
        return clean

    def value_schema(self) -> dict[str, Any]:
        return self.model.json_schema()


class ListField(Field):
    """A list whose every item ``item`` (a :class:`Field`, its name unused) validates,
    with ``min_items``/``max_items`` bounds. Problems point at the item: ``/tags/2``."""

    __slots__ = ("item", "max_items", "min_items")
    type_name = "array"

    def __init__(
        self,
        name: str,
        item: Field,
        *,
        min_items: int = 0,
        max_items: int | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(name, **kw)
        self.item = item
        self.min_items = min_items
        self.max_items = max_items

    def convert(self, value: Any) -> Any:
        if not isinstance(value, list | tuple):
            raise ValueError("must be a list")
        if len(value) < self.min_items:
            raise ValueError(f"must have at least {self.min_items} items")
        if self.max_items is not None and len(value) > self.max_items:
            raise ValueError(f"must have at most {self.max_items} items")
        out: list[Any] = []
        errors: list[tuple[str, str]] = []
        for i, item in enumerate(value):
            try:
                out.append(self.item.clean(item))
            except Invalid as exc:
                errors.extend((f"/{i}{sub}", detail) for sub, detail in exc.errors)
            except ValueError as exc:
                errors.append((f"/{i}", str(exc)))
        if errors:
            raise Invalid(errors)
        return out

    def from_text(self, text: str) -> Any:
        return [self.item.from_text(t) for t in text.split(",") if t]

    def value_schema(self) -> dict[str, Any]:
        item = self.item.schema()
        item.pop("readOnly", None)
        schema: dict[str, Any] = {"type": "array", "items": item}
        if self.min_items:
            schema["minItems"] = self.min_items
        if self.max_items is not None:
            schema["maxItems"] = self.max_items
        return schema
