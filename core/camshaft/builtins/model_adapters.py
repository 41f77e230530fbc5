"""The builtin model adapters: camshaft's own ``Model`` and standard-library
dataclasses. ``trylast``, so an installed adapter for the same kind of model wins."""

from __future__ import annotations

from camshaft._kernel.models import dataclass, native
from camshaft.plugin import ModelAdapter, hookimpl


@hookimpl(trylast=True)
def camshaft_model_adapters() -> list[ModelAdapter]:
    return [native.ADAPTER, dataclass.ADAPTER]
