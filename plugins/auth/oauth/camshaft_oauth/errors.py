"""OAuth errors as Camshaft problems.

An OAuth error response (RFC 6749 §5.2, RFC 6750 §3.1, RFC 5849 §3.2) is rendered as an
RFC 9457 problem document that also carries the OAuth members ``error`` and
``error_description``, so both OAuth clients (which read ``error``) and problem-aware
clients understand it.
"""

from __future__ import annotations

from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

from authlib.common.errors import AuthlibHTTPError

from camshaft.errors import HTTPError

__all__ = ["OAuthProblem", "bearer_challenge", "from_authlib", "quote"]

#: Headers authlib sets that the kernel sets itself (or must not be duplicated).
_KERNEL_HEADERS = frozenset({"content-type", "content-length"})


def quote(value: str) -> str:
    """An RFC 9110 quoted-string."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def bearer_challenge(realm: str, **params: str | None) -> str:
    """``Bearer realm="...", error="...", ...`` (RFC 6750 §3), skipping None values."""
    parts = [f"realm={quote(realm)}"]
    parts.extend(f"{k}={quote(v)}" for k, v in params.items() if v is not None)
    return "Bearer " + ", ".join(parts)


class OAuthProblem(HTTPError):
    """An OAuth error with its status, ``error`` code and description.

    :param status: the HTTP status (400, 401, 403, 405).
    :param error: the OAuth error code (``invalid_grant``, ``invalid_token``, ...).
    :param description: a human-readable explanation (also the problem's ``detail``).
    :param headers: extra headers (``WWW-Authenticate``); ``Cache-Control: no-store`` is
        always added, as RFC 6749 §5.1 asks of token endpoint responses.
    """

    def __init__(
        self,
        status: int,
        error: str,
        description: str | None = None,
        *,
        headers: Iterable[tuple[str, str]] = (),
    ) -> None:
        extensions: dict[str, Any] = {"error": error}
        if description:
            extensions["error_description"] = description
        all_headers = [h for h in headers if h[0].lower() not in _KERNEL_HEADERS]
        if not any(h[0].lower() == "cache-control" for h in all_headers):
            all_headers.append(("Cache-Control", "no-store"))
        super().__init__(
            description or error,
            title=HTTPStatus(status).phrase,
            headers=all_headers,
            **extensions,
        )
        self.status = status
        self.error = error


def from_authlib(error: AuthlibHTTPError, realm: str) -> OAuthProblem:
    """The problem for an authlib error (OAuth 2.0 or 1.0a).

    A 401 ``invalid_client`` names the Basic scheme clients authenticate with (RFC 6749
    §5.2), with the realm authlib leaves out.
    """
    status = int(error.status_code)
    code = str(error.error or "invalid_request")
    headers = [
        (name, value)
        for name, value in error.get_headers()
        if name.lower() not in ("www-authenticate", "pragma")
    ]
    if status == 401 and code == "invalid_client":
        headers.append(("WWW-Authenticate", f"Basic realm={quote(realm)}"))
    return OAuthProblem(status, code, error.get_error_description(), headers=headers)
