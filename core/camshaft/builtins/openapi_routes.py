"""The ``openapi`` builtin: ``/openapi.json`` (and ``/openapi.yaml`` with the ``yaml``
emitter), and the HTML docs page at ``/docs``.

Settings (core, ``[openapi]``): ``enabled``, ``path``, ``docs_path``, ``title``,
``version``, ``docs_oauth_client_id``. The document is generated on the first request
for it and kept (see :class:`camshaft.openapi.DocumentCache`); the routes themselves
are left out of it.
A resource whose automatic routes start like one of these paths wins over it (the
route is then not mounted, and a warning is logged): set ``openapi.docs_path``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from werkzeug.wrappers import Response

from camshaft._kernel.handler import Handler, default_resource_name
from camshaft._kernel.openapi import DocumentCache, docs_page
from camshaft.plugin import Route, Settings, hookimpl

if TYPE_CHECKING:
    from camshaft._kernel.app import App

logger = logging.getLogger("camshaft.openapi")


def _conditional(handler: Handler, body: bytes, etag: str, content_type: str) -> Response:
    """``body`` with its ETag, or 304 when If-None-Match names it."""
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    inm = handler.request.header("If-None-Match")
    if inm is not None and etag in {t.strip().removeprefix("W/") for t in inm.split(",")}:
        return Response(status=304, headers=headers)
    return Response(body, content_type=content_type, headers=headers)


def _document_handler(cache: DocumentCache, fmt: str, content_type: str) -> type[Handler]:
    class OpenAPIDocument(Handler):
        """The app's OpenAPI 3.1 document."""

        automatic_routes = False
        allowed_methods = ("GET",)
        openapi_include = False

        def read(self) -> Response:
            body, etag = cache.serialized(fmt)
            return _conditional(self, body, etag, content_type)

    return OpenAPIDocument


def _docs_handler(spec_path: str, title: str, client_id: str) -> type[Handler]:
    class OpenAPIDocsPage(Handler):
        """The HTML page rendering the OpenAPI document; it loads nothing from elsewhere."""

        automatic_routes = False
        allowed_methods = ("GET",)
        openapi_include = False

        def read(self) -> Response:
            root = quote(self.request.environ.get("SCRIPT_NAME", "").rstrip("/"))
            page, policy = docs_page(root + spec_path, title, root, client_id)
            response = Response(page, content_type="text/html; charset=utf-8")
            response.headers["Content-Security-Policy"] = policy
            response.headers["X-Content-Type-Options"] = "nosniff"
            return response

    return OpenAPIDocsPage


def _taken(app: App) -> set[str]:
    """First path segments the app's automatic routes answer (they are matched first)."""
    return {
        cls.resource_name or default_resource_name(cls)
        for cls in app.handlers
        if isinstance(cls, type) and issubclass(cls, Handler) and cls.automatic_routes
    }


def _yaml_path(path: str) -> str:
    return path.removesuffix(".json") + ".yaml"


@hookimpl(trylast=True)
def camshaft_routes(app: App, settings: Settings) -> list[Route]:
    options: dict[str, Any] = dict(settings["openapi"])
    if not options["enabled"]:
        return []
    cache = DocumentCache(app)
    taken = _taken(app)
    wanted: list[tuple[str, type[Handler]]] = []
    path = options["path"]
    if path:
        wanted.append((path, _document_handler(cache, "json", "application/json")))
        if "yaml" in app.emitters:
            media = app.emitters["yaml"].media_type
            wanted.append((_yaml_path(path), _document_handler(cache, "yaml", media)))
    if options["docs_path"] and path:
        page = _docs_handler(path, options["title"], options["docs_oauth_client_id"])
        wanted.append((options["docs_path"], page))
    routes = []
    for route_path, handler in wanted:
        first = route_path.strip("/").split("/", 1)[0]
        if first in taken:
            logger.warning(
                "openapi: %s is not served: resource %r answers there; "
                "choose another path in the openapi settings",
                route_path,
                first,
            )
            continue
        routes.append(Route(route_path, handler))
    return routes
