"""Choosing the adapter for a model: the first registered adapter that matches."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from camshaft._kernel.models.protocol import AdaptedModel, ModelAdapter
from camshaft.errors import ConfigurationError

__all__ = ["adapt"]


def adapt(adapters: Sequence[ModelAdapter], model: Any, owner: str) -> AdaptedModel:
    """``model`` wrapped by the first of ``adapters`` that matches it.

    :param owner: what names the model in an error (``"PostHandler"``).
    :raises ConfigurationError: no adapter matches (the message names ``owner`` and the
        adapters installed), or the adapter refuses the model.
    """
    for adapter in adapters:
        if adapter.matches(model):
            try:
                return adapter.adapt(model)
            except ConfigurationError as exc:
                raise ConfigurationError(f"{owner}.model: {exc}") from exc
    names = ", ".join(a.name for a in adapters) or "none"
    raise ConfigurationError(
        f"{owner}.model is {model!r}, which no model adapter accepts (installed: {names}); "
        "use a camshaft.models.Model, a dataclass, or install camshaft-pydantic or "
        "camshaft-msgspec"
    )
