"""OpenAPI 3.1 documents generated from what an app knows.

:func:`build_document` describes every route, verb, parameter, model, format, security
scheme and problem response of an app, then lets plugins complete the document through
the ``camshaft_openapi`` hook; :class:`DocumentCache` generates it once, lazily.
The routes serving it (``/openapi.json``, ``/docs``) are the builtin plugin
:mod:`camshaft.builtins.openapi_routes`.

The document builder (and the model and parameter code under it) is imported on first
use, not when the builtin routes are registered: a worker that never serves the
document does not pay for importing it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from camshaft._kernel.openapi.cache import DocumentCache
from camshaft._kernel.openapi.page import docs_page

if TYPE_CHECKING:
    from camshaft._kernel.openapi.document import OPENAPI_VERSION, build_document, included

__all__ = ["OPENAPI_VERSION", "DocumentCache", "build_document", "docs_page", "included"]

_LAZY = frozenset({"OPENAPI_VERSION", "build_document", "included"})


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from camshaft._kernel.openapi import document

        return getattr(document, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
