"""From what a handler returned to the WSGI status, headers and body.

:func:`respond` runs the response stages in order -- normalise the result, add
``Location``, paginate a collection, shape, emit -- each a function below; :func:`finish`
adds the headers every response carries (``Vary``, the version, deprecation) and
:func:`problem` renders an :class:`~camshaft.errors.HTTPError` in the negotiated format.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace
from http import HTTPStatus
from itertools import chain
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from werkzeug.exceptions import HTTPException as WerkzeugHTTPException
from werkzeug.wrappers import Response as WerkzeugResponse

from camshaft._kernel import conditional
from camshaft._kernel.emission.descriptors import EmitContext, Emitter, ResourceContext
from camshaft._kernel.emission.streaming import StreamBody, start_stream
from camshaft._kernel.handler import Result, Status
from camshaft._kernel.pagination import Collection, Paginator, SequenceCollection, render_page
from camshaft._kernel.routing import Endpoint
from camshaft._kernel.shaping.shaper import Shaper, fill_template
from camshaft.errors import BadRequest, HTTPError, NotFound

if TYPE_CHECKING:
    from camshaft._kernel.app import App
    from camshaft._kernel.request import Request

__all__ = ["Out", "finish", "problem", "respond", "status_error"]

logger = logging.getLogger("camshaft")

Out = tuple[str, list[tuple[str, str]], Iterable[bytes]]
Headers = list[tuple[str, str]]
_STATUS_LINES = {s.value: f"{s.value} {s.phrase}" for s in HTTPStatus}
_MAX_CONTEXTS = 256
#: What a path segment may keep unencoded (RFC 3986 pchar, less the percent sign).
_PATH_SAFE = "-._~!$&'()*+,;=:@"
#: C0 controls but HTAB, and DEL: never in a header the framework writes.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_PLAIN = (dict, list, tuple, str, bytes, int, float, bool, type(None))


def respond(
    app: App,
    request: Request,
    endpoint: Endpoint,
    action: str,
    result: Any,
    headers: Headers,
    shaper: Shaper,
) -> Out | WerkzeugResponse:
    """The response for ``result``, which ``action`` of ``endpoint``'s handler returned.

    :raises HTTPError: the handler returned an error status, or None from ``read``.
    """
    if isinstance(result, WerkzeugResponse):
        return result
    status, data, location = _normalise(request, endpoint, action, result, headers)
    if isinstance(result, Result) and (result.etag is not None or result.last_modified):
        if _validated(request, result, headers, shaper is not _wiring_shaper(endpoint)):
            status = 304
    if location is not None:
        headers.append(("Location", location if "://" in location else request.url_for(location)))
    if status == 204 or status == 304 or data is None:
        return finish(app, status, headers, request, endpoint)
    if request.problems_only:
        raise app.negotiator.problems_only_error()
    data, many, enveloped = _paginated(app, request, endpoint, data, headers, shaper)
    body = _emitted(app, request, data, many, enveloped, headers, shaper, (status, endpoint))
    return finish(app, status, headers, request, endpoint, body)


def _wiring_shaper(endpoint: Endpoint) -> Shaper | None:
    return endpoint.wiring.shaper if endpoint.wiring is not None else None


def _validated(request: Request, result: Result, headers: Headers, anonymous: bool) -> bool:
    """Add the validators ``result`` carries (``ETag`` for the representation selected,
    ``Last-Modified``); for GET and HEAD evaluate the preconditions: True for 304.

    :raises PreconditionFailed: If-Match or If-Unmodified-Since is false (412).
    """
    tag = None
    if result.etag is not None:
        tag = conditional.representation_tag(request, result.etag, anonymous)
        headers.append(("ETag", f'"{tag}"'))
    if result.last_modified is not None:
        headers.append(("Last-Modified", conditional.last_modified(result.last_modified)))
    if request.method not in ("GET", "HEAD") or not 200 <= result.status < 300:
        return False
    pre = conditional.Preconditions.of(request)
    current = conditional.Current(result.etag, result.last_modified)
    return pre.read(current, tag)


def _normalise(
    request: Request, endpoint: Endpoint, action: str, result: Any, headers: Headers
) -> tuple[int, Any, str | None]:
    """``(status, data, location)`` from a bare value, a tuple, a :class:`Status` or a
    :class:`Result`; a created item gets its ``Location`` from its key."""
    status, location = 200, None
    if isinstance(result, Status):
        if result.code >= 400:
            raise status_error(result)
        result = Result(None, result.code)
    elif isinstance(result, tuple) and len(result) in (2, 3) and isinstance(result[1], int):
        result = Result(result[0], result[1], dict(result[2]) if len(result) == 3 else {})
    if isinstance(result, Result):
        data, status, location = result.data, result.status, result.location
        headers.extend(result.headers.items())
    else:
        data = result
        if data is None:
            if action == "read":
                raise NotFound(f"No resource at {request.path}.")
            status = 204
        elif action == "create" and endpoint.kind == "collection":
            status = 201
    if status >= 400:
        raise status_error(Status(status))
    if status == 201 and location is None and endpoint.kind == "collection":
        key = data.get(endpoint.handler.key_field) if isinstance(data, Mapping) else None
        if key is not None and endpoint.path.strip("/") in request.app.items:
            location = f"{endpoint.path}{quote(str(key), safe=_PATH_SAFE)}"
        elif key is not None and endpoint.handler.parent is not None:  # nested
            location = nested_location(endpoint, request.params, key)
    return status, data, location


def nested_location(endpoint: Endpoint, params: Mapping[str, Any], key: Any) -> str:
    """The path of a nested item just created: the collection's path, the key."""
    return fill_template(endpoint.path, params) + quote(str(key), safe=_PATH_SAFE)


def _paginated(
    app: App,
    request: Request,
    endpoint: Endpoint,
    data: Any,
    headers: Headers,
    shaper: Shaper,
) -> tuple[Any, bool, bool]:
    """A collection cut to one page (or whole, without a paginator): ``(data, many,
    enveloped)``; anything else as it is."""
    paginator = endpoint.wiring.paginator if endpoint.wiring is not None else None
    is_collection = not isinstance(data, _PLAIN) and hasattr(data, "window")
    # A list a handler returns is paged on a collection read; a write's list (the items
    # a bulk create made) is answered whole.
    if not is_collection and not (
        endpoint.kind == "collection"
        and paginator is not None
        and isinstance(data, list | tuple)
        and request.method in ("GET", "HEAD")
    ):
        return data, False, False
    collection: Collection = data if is_collection else SequenceCollection(data)
    if paginator is None:  # pagination = False: the whole collection, as the handler chose
        data = collection.window(0, collection.count())
    else:
        data, page_headers = _page(app, request, paginator, shaper, collection)
        headers.extend(page_headers)
    enveloped = isinstance(data, Mapping)
    return data, not enveloped, enveloped


def _page(
    app: App, request: Request, paginator: Paginator, shaper: Shaper, collection: Collection
) -> tuple[Any, Headers]:
    """One page of ``collection`` as the body (bare items, or an envelope whose results
    are shaped here) and its ``Link`` / ``X-Total-Count`` headers."""
    page = paginator.paginate(request, collection)
    envelope = app.settings["pagination"]["envelope"]
    if envelope:
        shape, _ = shaper.bind(request)
        page.items = [shape(item) for item in page.items]
    return render_page(page, envelope)


def _emitted(
    app: App,
    request: Request,
    data: Any,
    many: bool,
    enveloped: bool,
    headers: Headers,
    shaper: Shaper,
    answer: tuple[int, Endpoint],
) -> Iterable[bytes]:
    """Shape ``data`` and encode it with the negotiated emitter: streamed when it is an
    iterator or query, else one buffer with its ``Content-Length``. ``answer`` is the
    status and endpoint, for an emitter that wants its :class:`ResourceContext`."""
    emitter = request.emitter or app.negotiator.default
    shape, columns = shaper.bind(request)  # checks ?fields= before any byte
    # A handler's own dict, the common case, skips the abstract-class checks.
    streaming = type(data) is not dict and (
        not isinstance(data, _PLAIN)
        and isinstance(data, Iterable)
        and not isinstance(data, Mapping)
    )
    if streaming:
        items: Iterable[Any] = start_stream(data, shape)  # first item pulled now
        many = True
    elif isinstance(data, list | tuple):
        data = [shape(item) for item in data]
        many = True
    elif not enveloped:  # an envelope's results are shaped already
        data = shape(data)
    ctx = _context(app, many, columns)
    if emitter.wants_resource:
        ctx = replace(ctx, resource=resource_context(request, answer[1], answer[0], headers))
    headers.append(("Content-Type", _content_type(emitter, emitter.media_type)))
    if emitter.headers:
        headers.extend(emitter.headers)
    if not streaming:
        payload = emitter.emit(data, ctx)
        headers.append(("Content-Length", str(len(payload))))
        return [payload]
    if emitter.stream:
        return StreamBody(emitter.stream(items, ctx), items, data, what=request.path)
    return [emitter.emit(list(items), ctx)]


def _context(app: App, many: bool, columns: tuple[str, ...] | None) -> EmitContext:
    """One :class:`EmitContext` per shape, kept (a frozen dataclass is slow to build);
    bounded, since ``?fields=`` makes ``columns`` client-chosen."""
    contexts = app.emit_contexts
    ctx = contexts.get((many, columns))
    if ctx is None:
        ctx = EmitContext(many, columns)
        if len(contexts) < _MAX_CONTEXTS:
            contexts[(many, columns)] = ctx
    return ctx


def resource_context(
    request: Request, endpoint: Endpoint | None, status: int, headers: Headers
) -> ResourceContext:
    """What a page-like format shows around the data (see :class:`ResourceContext`)."""
    handler = endpoint.handler if endpoint is not None else None
    return ResourceContext(
        base_url=request.base_url.rstrip("/"),
        path=request.path,
        query=request.environ.get("QUERY_STRING", ""),
        status=status,
        kind=endpoint.kind if endpoint is not None else "",
        methods=tuple(endpoint.allow.split(", ")) if endpoint and endpoint.allow else (),
        headers=tuple(headers),
        model=getattr(handler, "model", None),
        key_field=getattr(handler, "key_field", "id"),
    )


def _content_type(emitter: Emitter, media_type: str) -> str:
    return media_type + (f"; charset={emitter.charset}" if emitter.charset else "")


def finish(
    app: App,
    status: int,
    headers: Headers,
    request: Request | None,
    endpoint: Endpoint | None,
    body: Iterable[bytes] = (),
) -> Out:
    """The status line, and the headers every response carries: ``Vary``, the version,
    ``Cache-Control: no-store`` for an authenticated answer, deprecation; HEAD drops the
    body."""
    wiring = endpoint.wiring if endpoint is not None else None
    vary = wiring.vary if wiring is not None else app.vary
    if (
        request is not None
        and request.identity.is_authenticated
        and (wiring is None or not wiring.schemes)
    ):
        # A response to credentials varies on them even where the resource names none.
        vary += ", Authorization"
    headers.append(("Vary", vary))
    if request is not None and request.version:
        headers.append((app.version_header, request.version))
        if request.identity.is_authenticated and not any(
            n.lower() == "cache-control" for n, _ in headers
        ):
            headers.append(("Cache-Control", "no-store"))
    if endpoint is not None:
        headers.extend(endpoint.deprecation_headers)
    if request is not None and request.method == "HEAD":
        close: Callable[[], object] | None = getattr(body, "close", None)
        if close is not None:
            close()
        body = ()
    return _STATUS_LINES.get(status, f"{status} Unknown"), headers, body


def safe_headers(app: App, request: Request | None, environ: Mapping[str, Any], out: Out) -> Out:
    """``out``, or a 400 problem when a header name or value holds CR, LF or another
    control character (HTAB excepted): no header splitting, whatever a handler or a
    client-chosen value put there. The check joins the headers once and asks
    ``str.isprintable`` (a regular expression only when that says no), before
    ``start_response``: within measurement noise of a whole request.

    Werkzeug responses a handler returns are not checked here: Werkzeug refuses newlines
    in header values itself."""
    status, headers, body = out
    joined = "".join(chain.from_iterable(headers))
    if joined.isprintable() or _CONTROL.search(joined) is None:
        return out
    close: Callable[[], object] | None = getattr(body, "close", None)
    if close is not None:
        close()
    names = sorted({n for n, v in headers if _CONTROL.search(f"{n}{v}")})
    logger.warning("refused a response whose headers hold control characters: %s", names)
    error = BadRequest(
        "The response would carry a header with control characters; the request's values "
        "cannot be written into one.",
        title="Unsafe header value",
    )
    status, headers, body = problem(app, request, environ, error)
    return status, [(n, v) for n, v in headers if not _CONTROL.search(f"{n}{v}")], body


def problem(app: App, request: Request | None, environ: Mapping[str, Any], exc: HTTPError) -> Out:
    """``exc`` as RFC 9457 problem details in the negotiated format (JSON when the
    negotiated emitter cannot write it)."""
    emitter = request.emitter if request is not None and request.emitter else None
    if emitter is None:
        try:
            emitter, _ = app.negotiator.by_accept(environ.get("HTTP_ACCEPT"))
        except HTTPError:
            emitter = app.negotiator.default
    document = exc.to_problem(instance=request.path if request is not None else None)
    ctx = EmitContext(problem=True)
    if emitter.wants_resource and request is not None:
        ctx = replace(ctx, resource=resource_context(request, None, exc.status, list(exc.headers)))
    try:
        payload = emitter.emit(document, ctx)
    except Exception:
        logger.exception("emitter %r failed on a problem document", emitter.format)
        emitter = app.negotiator.default
        payload = emitter.emit(document, EmitContext(problem=True))
    headers = list(exc.headers)
    headers.append(
        ("Content-Type", _content_type(emitter, emitter.problem_media_type or emitter.media_type))
    )
    headers.extend(emitter.headers)
    headers.append(("Content-Length", str(len(payload))))
    return finish(app, exc.status, headers, request, None, [payload])


def from_werkzeug(exc: WerkzeugHTTPException) -> HTTPError:
    """A Werkzeug :class:`~werkzeug.exceptions.HTTPException` (``abort(404)``) as the
    :class:`HTTPError` of its status, keeping its description and headers (``Allow``,
    ``WWW-Authenticate``, ``Retry-After``) but not its HTML body's Content-Type."""
    error = status_error(Status(exc.code or 500))
    description = exc.description
    if description and description != type(exc).description:
        error.detail = description
    error.headers.extend(
        (name, value)
        for name, value in exc.get_headers()
        if name.lower() not in ("content-type", "content-length")
    )
    return error


def status_error(status: Status) -> HTTPError:
    """The error class for a bare 4xx/5xx status a handler returned."""
    for cls in _error_classes(HTTPError):
        if cls.status == status.code and cls.__init__ is HTTPError.__init__:
            return cls()
    exc = HTTPError()
    exc.status = status.code
    exc.title = status.phrase
    return exc


def _error_classes(base: type[HTTPError]) -> Iterator[type[HTTPError]]:
    for sub in base.__subclasses__():
        yield sub
        yield from _error_classes(sub)
