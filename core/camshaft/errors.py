"""HTTP errors as exceptions, each rendered as an RFC 9457 problem details document.

Every error the kernel or a plugin raises on a request's way is an :class:`HTTPError`.
The app renders it in the negotiated format (``application/problem+json`` by default);
nothing else ever reaches the client, so no traceback can leak.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

__all__ = [
    "BadRequest",
    "ConfigurationError",
    "Conflict",
    "FieldError",
    "Forbidden",
    "Gone",
    "HTTPError",
    "InternalServerError",
    "MethodNotAllowed",
    "NotAcceptable",
    "NotFound",
    "PayloadTooLarge",
    "PluginLoadError",
    "PreconditionFailed",
    "PreconditionRequired",
    "ServiceUnavailable",
    "TooManyRequests",
    "Unauthorized",
    "UnprocessableContent",
    "UnsupportedMediaType",
    "ValidationError",
]


class ConfigurationError(Exception):
    """An app, handler or settings mistake found while the app is built (never per request)."""


class PluginLoadError(ConfigurationError):
    """A plugin could not be imported or registered; the message names it and its distribution."""


class HTTPError(Exception):
    """An error with an HTTP status, rendered as a problem details document.

    :param detail: human-readable explanation specific to this occurrence.
    :param title: short summary of the problem type; defaults to the status phrase.
    :param type: URI reference identifying the problem type; ``about:blank`` by default.
    :param headers: extra response headers (``Allow``, ``Retry-After``, ...).
    :param extensions: extension members added to the problem document.
    """

    status: int = 500

    def __init__(
        self,
        detail: str | None = None,
        *,
        title: str | None = None,
        type: str = "about:blank",
        headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail or self.phrase())
        self.detail = detail
        self.title = title or self.phrase()
        self.type = type
        self.headers: list[tuple[str, str]] = list(
            headers.items() if isinstance(headers, Mapping) else headers or ()
        )
        self.extensions = extensions

    @classmethod
    def phrase(cls) -> str:
        return HTTPStatus(cls.status).phrase

    def to_problem(self, instance: str | None = None) -> dict[str, Any]:
        """The RFC 9457 members: type, title, status, detail, instance, then extensions."""
        problem: dict[str, Any] = {"type": self.type, "title": self.title, "status": self.status}
        if self.detail:
            problem["detail"] = self.detail
        if instance:
            problem["instance"] = instance
        for name, value in self.extensions.items():
            problem.setdefault(name, value)
        return problem


class BadRequest(HTTPError):
    status = 400


class FieldError(dict[str, str]):
    """One invalid input member: a JSON Pointer to it and what is wrong with it."""

    def __init__(self, pointer: str, detail: str) -> None:
        super().__init__(pointer=pointer, detail=detail)


class ValidationError(BadRequest):
    """Input that does not validate; ``errors`` lists each field's problem (RFC 9457 §3)."""

    def __init__(self, errors: Sequence[FieldError], detail: str | None = None) -> None:
        fields = ", ".join(e["pointer"] for e in errors)
        super().__init__(
            detail or f"The request body is invalid: {fields}.",
            title="Validation failed",
            errors=list(errors),
        )
        self.errors = list(errors)


class Unauthorized(HTTPError):
    """401; ``challenges`` become one ``WWW-Authenticate`` header each."""

    status = 401

    def __init__(self, detail: str | None = None, *, challenges: Sequence[str] = (), **kw: Any):
        super().__init__(detail, **kw)
        self.headers.extend(("WWW-Authenticate", c) for c in challenges)


class Forbidden(HTTPError):
    status = 403


class NotFound(HTTPError):
    status = 404


class MethodNotAllowed(HTTPError):
    status = 405

    def __init__(self, allowed: Iterable[str], detail: str | None = None) -> None:
        self.allowed = sorted(set(allowed))
        super().__init__(detail, headers=[("Allow", ", ".join(self.allowed))])


class NotAcceptable(HTTPError):
    status = 406


class Conflict(HTTPError):
    status = 409


class Gone(HTTPError):
    status = 410


class PreconditionFailed(HTTPError):
    status = 412


class PayloadTooLarge(HTTPError):
    status = 413


class UnsupportedMediaType(HTTPError):
    status = 415


class UnprocessableContent(HTTPError):
    status = 422


class PreconditionRequired(HTTPError):
    status = 428


def _retry_after_header(retry_after: int | None) -> list[tuple[str, str]]:
    return [] if retry_after is None else [("Retry-After", str(max(0, int(retry_after))))]


class TooManyRequests(HTTPError):
    status = 429

    def __init__(self, detail: str | None = None, *, retry_after: int | None = None, **kw: Any):
        super().__init__(detail, **kw)
        self.headers.extend(_retry_after_header(retry_after))


class InternalServerError(HTTPError):
    status = 500


class ServiceUnavailable(HTTPError):
    status = 503

    def __init__(self, detail: str | None = None, *, retry_after: int | None = None, **kw: Any):
        super().__init__(detail, **kw)
        self.headers.extend(_retry_after_header(retry_after))
