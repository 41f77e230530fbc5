"""OpenAPI for application authors: the document an app serves at ``/openapi.json``.

``build_document(app)`` returns the OpenAPI 3.1 document as a dict (the ``camshaft
openapi`` command prints it); see docs/openapi.md.
"""

from camshaft._kernel.openapi import build_document

__all__ = ["build_document"]
