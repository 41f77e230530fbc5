"""The ``access_log`` builtin: one structured line per request on ``camshaft.access``.

Off by default: registered when the settings have an ``[access_log]`` section (or
``plugins.enable`` names it). Each line is logged at INFO when the response starts, with
these attributes on the record (for a formatter or a JSON handler): ``method``,
``path`` (no query string: it may carry secrets), ``status``, ``bytes`` (the
``Content-Length``; None for a streamed body), ``duration_us`` (from the request's arrival
to its response's start), ``request_id`` and ``identity`` (``"user:alice"``,
``"client:app1"``; None when anonymous). The message is the text form, or one JSON object
with ``format = "json"``. Client-sent text (the path, the method) is percent-encoded
outside printable ASCII, so no line can be forged.
"""

from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from camshaft.plugin import Option, Request, hookimpl

if TYPE_CHECKING:
    from camshaft._kernel.app import App

camshaft_opt_in = True

logger = logging.getLogger("camshaft.access")
_SAFE = "/:@!$&'()*+,;=-._~%"


@hookimpl(trylast=True)
def camshaft_settings_spec() -> dict[str, Option]:
    return {
        "format": Option(
            str, "text", "'text' or 'json' (one JSON object a line).", ("text", "json")
        ),
    }


def _fields(request: Request, status: int, headers: list[tuple[str, str]]) -> dict[str, Any]:
    size = next((v for n, v in headers if n.lower() == "content-length"), None)
    identity = request.identity
    return {
        "method": quote(request.method, safe=_SAFE),
        "path": quote(request.path, safe=_SAFE),
        "status": status,
        "bytes": int(size) if size is not None and size.isdigit() else None,
        "duration_us": int((time.perf_counter() - request.received) * 1_000_000),
        "request_id": request.id,
        "identity": (
            f"{identity.kind}:{quote(identity.id, safe=_SAFE)}"
            if identity.is_authenticated and identity.id is not None
            else None
        ),
    }


@hookimpl(trylast=True)
def camshaft_response(
    request: Request, app: App, status: int, headers: list[tuple[str, str]]
) -> None:
    if not logger.isEnabledFor(logging.INFO):
        return
    fields = _fields(request, status, headers)
    if app.settings.plugin("access_log")["format"] == "json":
        logger.info("%s", json.dumps(fields, separators=(",", ":")), extra=fields)
        return
    logger.info(
        "%s %s %s %sB %sus id=%s identity=%s",
        fields["method"],
        fields["path"],
        status,
        "-" if fields["bytes"] is None else fields["bytes"],
        fields["duration_us"],
        fields["request_id"] or "-",
        fields["identity"] or "-",
        extra=fields,
    )
