"""Text from a request (a query parameter, a user id) as the value of a model's field."""

from __future__ import annotations

from typing import Any

from camshaft.errors import BadRequest

__all__ = ["convert", "guess"]


def guess(text: str) -> Any:
    """Without a model: an integer literal as int, anything else as the text."""
    stripped = text.strip()
    if stripped.lstrip("-").isdigit() and len(stripped) < 20:
        return int(stripped)
    return text


def convert(model: Any, name: str, text: str, param: str) -> Any:
    """``text`` as the value of ``model``'s field ``name`` (a guess without one).

    :raises BadRequest: the field's type refuses the text; the message names ``param``.
    """
    if model is None or name not in getattr(model, "by_name", {}):
        return guess(text)
    try:
        return model.convert_text(name, text)
    except ValueError as exc:
        raise BadRequest(f"Query parameter {param!r}: {exc}.", title="Invalid filter") from None
