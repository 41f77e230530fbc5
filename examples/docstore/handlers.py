"""The docstore's handler and app factory (``app.py`` builds the app from them).

GET /docs/ lists keys; PUT /docs/<key> stores the body as it came, with its Content-Type
(201 new, 204 replaced); POST /docs/ stores under a new UUID (201 with Location);
GET /docs/<key> returns the exact bytes with a strong ETag; DELETE /docs/<key> removes.
Conditional requests (RFC 9110 §13, through :class:`camshaft.Preconditions`): If-Match
(a tag, a list, or ``*``: 412 on a missing document) and If-None-Match (``*``: create
only; a tag: 412 when it is current) on PUT/DELETE; If-None-Match on GET (304). A
document has one representation, its bytes, so its ETag is its version.

Safe to copy: reading is open, writing needs an API key (``X-API-Key`` or ``Authorization:
Bearer``, camshaft-httpauth's ``apikey``; without one configured nobody can write), and
a stored document is served with ``X-Content-Type-Options: nosniff``, a sandboxing
``Content-Security-Policy``, and ``Content-Disposition: attachment`` when its type is
active content a browser would run (HTML, SVG, JavaScript, XML): an upload cannot become
a page on this origin.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from werkzeug.wrappers import Response

from camshaft import App, Current, Handler, Preconditions, Result, conditional_write
from camshaft.errors import ConfigurationError, NotFound
from camshaft.permissions import anyone, authenticated
from camshaft_httpauth import hash_api_secret
from camshaft_kv import Document, DocumentStore, documents_for

__all__ = ["BACKENDS", "DocumentHandler", "build_app"]

BACKENDS = ("memory", "file", "shelve")


#: Media types a browser renders or runs: served as downloads, never inline.
ACTIVE_TYPES = frozenset(
    {
        "text/html",
        "application/xhtml+xml",
        "image/svg+xml",
        "text/javascript",
        "application/javascript",
        "application/ecmascript",
        "text/ecmascript",
        "text/xml",
        "application/xml",
        "text/xsl",
    }
)


def _etag(document: Document) -> str:
    return f'"{document.version}"'


def served_headers(content_type: str) -> dict[str, str]:
    """Headers that keep a stored document from running as a page of this origin."""
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }
    media = content_type.split(";", 1)[0].strip().lower()
    if media in ACTIVE_TYPES or media.endswith(("+xml", "/javascript")):
        headers["Content-Disposition"] = "attachment"
    return headers


class DocumentHandler(Handler):
    """Documents under ``/docs/``; the store is the ``kv`` plugin's (or ``memory``)."""

    resource_name = "docs"
    store = "kv"
    allowed_methods = ("GET", "PUT", "POST", "DELETE")
    authentication = ("apikey", "anonymous")
    permissions = {"GET": anyone, "*": authenticated}
    #: A document comes back as the bytes stored, in their own media type (the key list
    #: is JSON, which this also covers).
    openapi = {
        "GET": {
            "responses": {
                "200": {
                    "description": "The document, as stored.",
                    "content": {"*/*": {"schema": {}}},
                }
            }
        },
        "PUT": {"requestBody": {"content": {"*/*": {"schema": {}}}}},
        "POST": {"requestBody": {"content": {"*/*": {"schema": {}}}}},
    }

    def _documents(self) -> DocumentStore:
        return documents_for(self.request.app.stores[type(self)], self.key_field)

    def _path(self, key: str) -> str:
        return f"/docs/{quote(key, safe='')}"

    def _current(self, key: str) -> Current | None:
        document = self._documents().get_document(key)
        return None if document is None else Current(document.version)

    def GET(self, key: str | None = None) -> Any:
        documents = self._documents()
        if key is None:
            return [
                {"key": k, "href": self.request.url_for(self._path(k))} for k in documents.keys()
            ]
        pre = Preconditions.of(self.request)
        document = documents.get_document(key)
        if document is None:
            raise NotFound(f"No document with key {key!r}.")
        etag = _etag(document)
        if pre.read(Current(document.version), document.version):
            return Result(None, 304, {"ETag": etag})
        # A Werkzeug Response passes the bytes and the Content-Type through untouched.
        headers = {"ETag": etag, **served_headers(document.content_type)}
        return Response(document.body, content_type=document.content_type, headers=headers)

    def PUT(self, key: str) -> Result:
        documents = self._documents()
        body = self.request.body  # the raw bytes: never parsed, whatever the Content-Type
        content_type = self.request.header("Content-Type")
        put, _ = conditional_write(
            Preconditions.of(self.request),
            read=lambda: self._current(key),
            write=lambda version, create_only: documents.put_document(
                key, body, content_type, expected_version=version, create_only=create_only
            ),
            creates=True,
        )
        headers = {"ETag": _etag(put.document)}
        if put.created:
            headers["Content-Length"] = "0"  # a 201 without a body; no chunked encoding
            return Result(None, 201, headers, location=self._path(key))
        return Result(None, 204, headers)

    def POST(self) -> Result:
        key = str(uuid.uuid4())
        put = self._documents().put_document(
            key, self.request.body, self.request.header("Content-Type"), create_only=True
        )
        path = self._path(key)
        return Result(
            {"key": key, "href": self.request.url_for(path)},
            201,
            {"ETag": _etag(put.document)},
            location=path,
        )

    def DELETE(self, key: str) -> None:
        documents = self._documents()
        conditional_write(
            Preconditions.of(self.request),
            read=lambda: self._current(key),
            write=lambda version, _: documents.delete(key, expected_version=version),
            missing=f"No document with key {key!r}.",
        )


def build_app(
    backend: str | None = None,
    root: str | os.PathLike[str] | None = None,
    *,
    settings: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    api_key: str | None = None,
) -> App:
    """The docstore app.

    :param backend: ``memory``, ``file`` or ``shelve``; default ``$DOCSTORE_BACKEND``,
        else the ``[kv] backend`` setting (``file``).
    :param root: the kv root directory; default ``$DOCSTORE_ROOT``, else the ``[kv] root``
        setting (``var/kv``, relative to the working directory).
    :param settings: more settings for the app.
    :param environ: the environment to read (``os.environ``).
    :param api_key: the key writers send, ``<key_id>.<secret>`` (make one with
        ``camshaft_httpauth.make_api_key()``); default ``$DOCSTORE_API_KEY``. Only its
        hash is kept. Without one, nobody can write.
    :raises ConfigurationError: an unknown backend, or a malformed key.
    """
    env = os.environ if environ is None else environ
    api_key = api_key or env.get("DOCSTORE_API_KEY") or None
    backend = backend or env.get("DOCSTORE_BACKEND") or None
    root = root or env.get("DOCSTORE_ROOT") or None
    if backend is not None and backend not in BACKENDS:
        raise ConfigurationError(f"docstore backend {backend!r}: choose from {BACKENDS}")
    handler: type[DocumentHandler] = DocumentHandler
    kv: dict[str, Any] = {}
    if backend == "memory":
        # The core's memory store, per process; documents_for() adapts it.
        handler = type("MemoryDocumentHandler", (DocumentHandler,), {"store": "memory"})
    elif backend is not None:
        kv["backend"] = backend
    if root is not None:
        kv["root"] = os.fspath(root)
    # The resource is called "docs", so the generated API docs page moves aside.
    merged: dict[str, Any] = {"openapi": {"docs_path": "/api-docs"}}
    for name, section in (settings or {}).items():
        merged[name] = (
            {**merged.get(name, {}), **section} if isinstance(section, Mapping) else section
        )
    if kv:
        merged["kv"] = {**merged.get("kv", {}), **kv}
    if api_key is not None:
        key_id, dot, secret = api_key.partition(".")
        if not dot:
            raise ConfigurationError("docstore api key must be '<key_id>.<secret>'")
        keys = {key_id: {"hash": hash_api_secret(secret), "owner": "writer"}}
        httpauth = dict(merged.get("httpauth", {}))
        httpauth["apikey"] = {**httpauth.get("apikey", {}), "keys": keys}
        merged["httpauth"] = httpauth
    return App([handler], settings=merged, environ=env)
