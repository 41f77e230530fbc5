"""Reading credentials, only ever from the ``Authorization`` (or a named) header."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from camshaft.plugin import Request

__all__ = ["authorization", "quote"]


def authorization(request: Request) -> tuple[str, str] | None:
    """``(scheme in lower case, the rest)`` of the ``Authorization`` header, or None."""
    value = request.header("Authorization")
    if not value:
        return None
    scheme, _, rest = value.strip().partition(" ")
    return scheme.lower(), rest.strip()


def quote(value: str) -> str:
    """An RFC 9110 quoted-string."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
