"""camshaft-html: the ``html`` format (``text/html``), a browsable page for every resource.

Browsers name ``text/html`` first in their Accept header, so they get a page; API
clients (``application/json``, ``*/*``, no Accept) keep the app's default format. The
page is rendered by :mod:`camshaft_html.page` from the data and the
:class:`camshaft.plugin.ResourceContext` the kernel hands this emitter; its one script
and style are inlined and allowed by hash in a strict Content-Security-Policy.
"""

from __future__ import annotations

import base64
import hashlib
from importlib.resources import files
from typing import Any

from camshaft.plugin import EmitContext, Emitter, hookimpl

from .page import esc, render

__all__ = ["EMITTER", "MEDIA_TYPE", "POLICY", "emit", "esc"]

MEDIA_TYPE = "text/html"

_STYLE = files(__package__).joinpath("page.css").read_text(encoding="utf-8")
_SCRIPT = files(__package__).joinpath("page.js").read_text(encoding="utf-8")


def _hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


#: Only the page's own script and style run; it may fetch from its own origin (the
#: forms), and loads, frames and posts nothing else.
POLICY = "; ".join(
    (
        "default-src 'none'",
        f"script-src {_hash(_SCRIPT)}",
        f"style-src {_hash(_STYLE)}",
        "connect-src 'self'",
        "img-src data:",  # the empty favicon: no request for /favicon.ico
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)


def emit(data: Any, ctx: EmitContext) -> bytes:
    """The page for ``data`` (a problem document when ``ctx.problem``)."""
    return render(data, ctx, _STYLE, _SCRIPT).encode("utf-8")


EMITTER = Emitter(
    format="html",
    media_type=MEDIA_TYPE,
    emit=emit,
    charset="utf-8",
    wants_resource=True,
    headers=(
        ("Content-Security-Policy", POLICY),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
    ),
)


@hookimpl
def camshaft_emitters() -> list[Emitter]:
    return [EMITTER]
