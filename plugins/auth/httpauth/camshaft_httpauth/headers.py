"""Reading credentials, only ever from the ``Authorization`` (or a named) header."""

from __future__ import annotations

from typing import TYPE_CHECKING

from camshaft.errors import BadRequest

if TYPE_CHECKING:
    from camshaft.plugin import Request

__all__ = ["MAX_AUTHORIZATION", "authorization", "quote"]

#: The longest ``Authorization`` header read (bytes); no credential of ours comes near.
MAX_AUTHORIZATION = 8 * 1024


def authorization(request: Request) -> tuple[str, str] | None:
    """``(scheme in lower case, the rest)`` of the ``Authorization`` header, or None.

    :raises BadRequest: the header is longer than :data:`MAX_AUTHORIZATION` (400), so
        no scheme spends work on it.
    """
    value = request.header("Authorization")
    if not value:
        return None
    if len(value) > MAX_AUTHORIZATION:
        raise BadRequest(
            f"The Authorization header is longer than {MAX_AUTHORIZATION} bytes.",
            title="Malformed credentials",
        )
    scheme, _, rest = value.strip().partition(" ")
    return scheme.lower(), rest.strip()


def quote(value: str) -> str:
    """An RFC 9110 quoted-string."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
