"""msgspec Structs as Camshaft models.

A handler names a ``msgspec.Struct`` subclass in ``model``; the default CRUD then
converts bodies with ``msgspec.convert`` (its ``Meta`` constraints apply), reports a
problem as the same 400 problem the builtin ``Model`` gives (JSON-pointer ``errors``;
msgspec stops at the first problem, so there is one), converts filter values by the
field's type, and the OpenAPI document carries msgspec's own JSON Schema.

Read-only members say so in their schema and need a default::

    id: Annotated[int | None, msgspec.Meta(extra_json_schema={"readOnly": True})] = None
"""

from __future__ import annotations

from camshaft.plugin import ModelAdapter, hookimpl
from camshaft_msgspec.adapter import ADAPTER, StructModel

__all__ = ["ADAPTER", "StructModel", "camshaft_model_adapters"]


@hookimpl
def camshaft_model_adapters() -> list[ModelAdapter]:
    return [ADAPTER]
