"""The ``request_id`` builtin: every response carries ``X-Request-ID``.

The client's id is echoed when it is a safe token (letters, digits and ``-_.:+/=@``, at
most 128 characters); anything else -- a control character, a header-splitting attempt,
an over-long value -- is replaced by a fresh 32-hex-digit id (random per process, then
counted), so nothing a client sends
reaches a response header or a log line unchecked. The id is ``request.id``, and
:class:`RequestIdFilter` puts it on every log record of the request.

On by default; ``plugins.block = ["request_id"]`` removes it (and its per-request hook
calls).
"""

from __future__ import annotations

import itertools
import logging
import os
import re
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from camshaft.plugin import Option, Request, Settings, StashKey, hookimpl

if TYPE_CHECKING:
    from camshaft._kernel.app import App

__all__ = ["RequestIdFilter", "current_request_id", "request_id_for"]

_SAFE = re.compile(r"[A-Za-z0-9_.:+/=@-]{1,128}")
_current: ContextVar[str | None] = ContextVar("camshaft_request_id", default=None)
_ENVIRON_KEY = "camshaft.request_id.header"


def current_request_id() -> str | None:
    """The id of the request this thread (or task) is serving, or None."""
    return _current.get()


class RequestIdFilter(logging.Filter):
    """Sets ``record.request_id`` (``"-"`` outside a request) unless the record has one.

    Attach it to a handler: ``handler.addFilter(RequestIdFilter())``, or in
    ``logging.config.dictConfig``: ``{"()": "camshaft.builtins.request_id.RequestIdFilter"}``.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _current.get() or "-"
        return True


@hookimpl(trylast=True)
def camshaft_settings_spec() -> dict[str, Option]:
    return {
        "header": Option(str, "X-Request-ID", "The request and response header of the id."),
        "trust_client": Option(bool, True, "Echo a client's id when it is a safe token."),
    }


# A fresh id: 16 random hex digits drawn once per process, then a counter -- unique
# across workers and machines without a system call per request.
_PREFIX = os.urandom(8).hex()
_NEXT = itertools.count(1).__next__


def _fresh_id() -> str:
    return f"{_PREFIX}{_NEXT():016x}"


@dataclass(frozen=True, slots=True)
class _Options:
    """The ``request_id`` section, read once per app (kept in ``app.stash``)."""

    header: str
    environ_key: str
    trust_client: bool


_options_key = StashKey[_Options]()


def _options(app: App) -> _Options:
    options = app.stash.get(_options_key, None)
    if options is None:
        section = app.settings.plugin("request_id")
        header = section["header"]
        environ_key = "HTTP_" + header.upper().replace("-", "_")
        options = _Options(header, environ_key, section["trust_client"])
        app.stash[_options_key] = options
    return options


@hookimpl(trylast=True)
def camshaft_startup(app: App, settings: Settings) -> None:
    header = settings.plugin("request_id")["header"]
    if not re.fullmatch(r"[A-Za-z0-9-]+", header):
        from camshaft.errors import ConfigurationError

        raise ConfigurationError(f"request_id.header {header!r} is not a header name")
    _options(app)


def request_id_for(request: Request) -> str:
    """``request``'s id: assigned on first call, from the client's header when safe."""
    if request.id is None:
        options = _options(request.app)
        given = request.environ.get(options.environ_key) if options.trust_client else None
        request.id = given if given is not None and _SAFE.fullmatch(given) else _fresh_id()
    return request.id


@hookimpl(trylast=True)
def camshaft_request(request: Request, app: App) -> None:  # every argument: called directly
    _current.set(request_id_for(request))


@hookimpl(tryfirst=True)
def camshaft_response(
    request: Request, app: App, status: int, headers: list[tuple[str, str]]
) -> None:  # every argument: called directly
    headers.append((_options(app).header, request_id_for(request)))
    _current.set(None)


@hookimpl(trylast=True)
def camshaft_openapi(app: App, document: dict[str, Any]) -> None:
    """Every response of the document carries the id header (last, so operations other
    plugins added are covered)."""
    name = app.settings.plugin("request_id")["header"]
    header = {
        "schema": {"type": "string", "pattern": "^" + _SAFE.pattern + "$"},
        "description": "The request's id: the client's when it sent a safe one, else a "
        "fresh one.",
    }
    groups = [document.get("components", {}).get("responses", {})]
    for path_item in document.get("paths", {}).values():
        for op in path_item.values():
            if isinstance(op, dict) and isinstance(op.get("responses"), dict):
                groups.append(op["responses"])
    for responses in groups:
        for response in responses.values():
            if isinstance(response, dict) and "$ref" not in response:
                response.setdefault("headers", {}).setdefault(name, dict(header))
