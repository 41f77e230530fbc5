"""The ``request_id`` builtin: every response carries ``X-Request-ID``.

The client's id is echoed when it is a safe token (letters, digits and ``-_.:+/=@``, at
most 128 characters); anything else -- a control character, a header-splitting attempt,
an over-long value -- is replaced by a fresh 32-hex-digit id, so nothing a client sends
reaches a response header or a log line unchecked. The id is ``request.id``, and
:class:`RequestIdFilter` puts it on every log record of the request.

On by default; ``plugins.block = ["request_id"]`` removes it (and its per-request hook
calls).
"""

from __future__ import annotations

import logging
import os
import re
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from camshaft.plugin import Option, Request, Settings, hookimpl

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


@hookimpl(trylast=True)
def camshaft_startup(app: App, settings: Settings) -> None:
    header = settings.plugin("request_id")["header"]
    if not re.fullmatch(r"[A-Za-z0-9-]+", header):
        from camshaft.errors import ConfigurationError

        raise ConfigurationError(f"request_id.header {header!r} is not a header name")


def request_id_for(request: Request) -> str:
    """``request``'s id: assigned on first call, from the client's header when safe."""
    if request.id is None:
        options = request.app.settings.plugin("request_id")
        given = None
        if options["trust_client"]:
            given = request.header(options["header"])
        request.id = given if given is not None and _SAFE.fullmatch(given) else os.urandom(16).hex()
    return request.id


@hookimpl(trylast=True)
def camshaft_request(request: Request) -> None:
    _current.set(request_id_for(request))


@hookimpl(tryfirst=True)
def camshaft_response(request: Request, headers: list[tuple[str, str]]) -> None:
    headers.append((request.app.settings.plugin("request_id")["header"], request_id_for(request)))
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
