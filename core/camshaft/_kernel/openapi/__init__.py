"""OpenAPI 3.1 documents generated from what an app knows.

:func:`build_document` describes every route, verb, parameter, model, format, security
scheme and problem response of an app, then lets plugins complete the document through
the ``camshaft_openapi`` hook; :class:`DocumentCache` generates it once, lazily.
The routes serving it (``/openapi.json``, ``/docs``) are the builtin plugin
:mod:`camshaft.builtins.openapi_routes`.
"""

from camshaft._kernel.openapi.cache import DocumentCache
from camshaft._kernel.openapi.document import OPENAPI_VERSION, build_document, included
from camshaft._kernel.openapi.page import docs_page

__all__ = ["OPENAPI_VERSION", "DocumentCache", "build_document", "docs_page", "included"]
