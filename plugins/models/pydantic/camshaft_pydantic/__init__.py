"""pydantic v2 models as Camshaft models.

A handler names a ``pydantic.BaseModel`` subclass in ``model``; the default CRUD then
validates with pydantic (its constraints and field validators), reports every problem as
the same 400 problem the builtin ``Model`` gives (JSON-pointer ``errors``), converts
filter values by the field's type, and the OpenAPI document carries pydantic's own JSON
Schema (``maxLength``, ``pattern``, nested models as components).

Read-only members (set by the server: an id) say so in their schema and need a default::

    id: int | None = Field(None, json_schema_extra={"readOnly": True})
"""

from __future__ import annotations

from camshaft.plugin import ModelAdapter, hookimpl
from camshaft_pydantic.adapter import ADAPTER, PydanticModel

__all__ = ["ADAPTER", "PydanticModel", "camshaft_model_adapters"]


@hookimpl
def camshaft_model_adapters() -> list[ModelAdapter]:
    return [ADAPTER]
