"""The request object handlers see: a thin, lazy view over the WSGI environ."""

from __future__ import annotations

from time import perf_counter
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote

from werkzeug.datastructures import EnvironHeaders, MultiDict

from camshaft._kernel.auth.identity import ANONYMOUS, Identity
from camshaft._kernel.emission.descriptors import ParseLimits
from camshaft._kernel.forms import FORM_TYPES, UploadedFile, parse_form
from camshaft._kernel.stash import Stash
from camshaft.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType

if TYPE_CHECKING:
    from camshaft._kernel.app import App
    from camshaft._kernel.emission.descriptors import Emitter
    from camshaft._kernel.routing import Endpoint

__all__ = ["Request"]

_MISSING: Any = object()
_CHUNK = 64 * 1024


class Request:
    """One request.

    :ivar environ: the WSGI environ.
    :ivar method: the HTTP method, upper case.
    :ivar path: the decoded path.
    :ivar params: the route's path parameters (``{"key": "1"}``).
    :ivar version: the API version being served (``"1.0"``).
    :ivar identity: who is asking (:data:`camshaft.ANONYMOUS` until a scheme accepts).
    :ivar emitter: the emitter chosen for the response.
    :ivar endpoint: the endpoint serving it, once routed (None before, or when no route
        matched).
    :ivar id: the request id, when a plugin (the ``request_id`` builtin) assigned one.
    :ivar received: when it arrived, in :func:`time.perf_counter` seconds.
    """

    __slots__ = (
        "_args",
        "_body",
        "_data",
        "_files",
        "_headers",
        "_stash",
        "app",
        "emitter",
        "endpoint",
        "environ",
        "id",
        "identity",
        "method",
        "params",
        "path",
        "problems_only",
        "received",
        "url_version",
        "version",
    )

    def __init__(self, environ: dict[str, Any], app: App, path: str) -> None:
        self.received = perf_counter()
        self.environ = environ
        self.app = app
        self.method: str = environ.get("REQUEST_METHOD", "GET").upper()
        self.path = path
        self.params: dict[str, Any] = {}
        self.version: str = ""
        #: The version named by a ``/v1.1/`` path prefix, if the client used one.
        self.url_version: str | None = None
        self.identity: Identity = ANONYMOUS
        self.emitter: Emitter | None = None
        self.endpoint: Endpoint | None = None
        self.id: str | None = None
        self._stash: Stash | None = None
        #: Accept admits only problem documents: a success is 406 (errors are answered).
        self.problems_only = False
        self._args: MultiDict[str, str] | None = None
        self._headers: EnvironHeaders | None = None
        self._body: bytes | None = None
        self._data: Any = _MISSING
        self._files: dict[str, UploadedFile] | None = None

    @property
    def stash(self) -> Stash:
        """Plugins' own state for this request, under their own
        :class:`~camshaft.plugin.StashKey` (made on first use)."""
        if self._stash is None:
            self._stash = Stash()
        return self._stash

    @property
    def parent(self) -> Any:
        """On a nested route (a handler with ``parent``), the parent record's data, read
        through the parent handler's store once per request; None elsewhere. Permission
        rules and handler methods use it to decide by the parent (``request.parent
        ["owner"]``).

        :raises camshaft.errors.NotFound: the parent, or one of its ancestors, does not
            exist.
        """
        from camshaft._kernel.stores.parents import parent_data

        return parent_data(self)

    @property
    def headers(self) -> EnvironHeaders:
        """The request headers, by case-insensitive name (``headers["If-Match"]``,
        ``headers.get("X-Request-Id")``); see also :meth:`header`."""
        if self._headers is None:
            self._headers = EnvironHeaders(self.environ)
        return self._headers

    @property
    def args(self) -> MultiDict[str, str]:
        """The query string parameters."""
        if self._args is None:
            qs = self.environ.get("QUERY_STRING", "")
            self._args = MultiDict(parse_qsl(qs, keep_blank_values=True)) if qs else MultiDict()
        return self._args

    @property
    def remote_addr(self) -> str | None:
        return self.environ.get("REMOTE_ADDR")

    @property
    def content_type(self) -> str:
        """The media type of the body, lower case, without parameters ('' when absent)."""
        return str(self.environ.get("CONTENT_TYPE", "")).split(";", 1)[0].strip().lower()

    @property
    def base_url(self) -> str:
        """Scheme, host and script root: what an absolute link starts with. The
        ``base_url`` setting when set; else from the request (its ``Host`` was checked
        against ``trusted_hosts`` before routing)."""
        if self.app.base_url:
            return self.app.base_url
        env = self.environ
        host = (
            env.get("HTTP_HOST")
            or f"{env.get('SERVER_NAME', 'localhost')}:{env.get('SERVER_PORT', '80')}"
        )
        root = env.get("SCRIPT_NAME", "").rstrip("/")
        if root:
            root = quote(root)
        return f"{env.get('wsgi.url_scheme', 'http')}://{host}{root}"

    @property
    def body(self) -> bytes:
        """The raw body, at most its format's limit (``body_limits``, else
        ``max_body_size``) in bytes: 413 past that, also when chunked."""
        if self._body is None:
            self._body = self._read_body(self.parse_limits)
        return self._body

    def _read_body(self, limits: ParseLimits) -> bytes:
        limit = limits.max_body_size
        env = self.environ
        length_header = env.get("CONTENT_LENGTH", "")
        stream = env.get("wsgi.input")
        if length_header:
            try:
                length = int(length_header)
            except ValueError:
                raise BadRequest("Content-Length is not a number.") from None
            if length < 0:
                raise BadRequest("Content-Length is negative.")
            if length > limit:
                raise _too_large(limits, self.content_type)
            return stream.read(length) if stream is not None and length else b""
        chunked = "chunked" in env.get("HTTP_TRANSFER_ENCODING", "").lower()
        if stream is None or not (chunked or env.get("wsgi.input_terminated")):
            return b""
        parts, size = [], 0
        while True:  # read no further than one byte past the limit
            chunk = stream.read(min(_CHUNK, limit + 1 - size))
            if not chunk:
                break
            parts.append(chunk)
            size += len(chunk)
            if size > limit:
                raise _too_large(limits, self.content_type)
        return b"".join(parts)

    @property
    def data(self) -> Any:
        """The parsed body (None when empty), by Content-Type.

        :raises UnsupportedMediaType: no parser for the Content-Type (415).
        :raises BadRequest: the body does not parse or breaks a limit (400).
        :raises PayloadTooLarge: the body is over the size limit (413).
        """
        if self._data is _MISSING:
            if self.content_type in FORM_TYPES:
                self._data, self._files = parse_form(self)
                return self._data
            body = self.body
            if not body:
                self._data = None
            else:
                self._data = self.app.parse_body(self.content_type, body)
        return self._data

    @property
    def files(self) -> dict[str, UploadedFile]:
        """The files of a ``multipart/form-data`` body by field name (empty otherwise).

        :raises PayloadTooLarge: a ``forms.*`` limit is exceeded (413).
        """
        if self._data is _MISSING:
            self.data  # noqa: B018 -- parses the body, files included
        return self._files or {}

    @property
    def parse_limits(self) -> ParseLimits:
        """The limits of the parser for this request's Content-Type."""
        return self.app.parse_limits_for.get(self.content_type, self.app.parse_limits)

    def header(self, name: str, default: str | None = None) -> str | None:
        """One request header by name, without building the whole header view."""
        key = name.upper().replace("-", "_")
        if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            key = "HTTP_" + key
        value = self.environ.get(key, default)
        return value

    def url_for(self, path: str) -> str:
        """An absolute URL for an app path (``/events/1``)."""
        return self.base_url + path


def _too_large(limits: ParseLimits, media_type: str) -> PayloadTooLarge:
    shown = f" for {media_type}" if media_type else ""
    return PayloadTooLarge(
        f"The request body exceeds the limit of {limits.max_body_size} bytes{shown} "
        f"(setting {limits.setting}).",
        limit=limits.max_body_size,
        setting=limits.setting,
    )


def require_parser_for(media_type: str, known: dict[str, Any]) -> Any:
    parser = known.get(media_type)
    if parser is None:
        shown = media_type or "(none)"
        raise UnsupportedMediaType(
            f"Content-Type {shown} is not supported; send one of: {', '.join(sorted(known))}."
        )
    return parser
